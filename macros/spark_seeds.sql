{#-
    Seeds on Spark: dbt-spark's session method binds each CSV value as '<value>' with no
    escaping, so an empty cell lands as the text 'None' and a quote breaks the insert. Here
    every value is a literal of its own: null for an empty cell, numbers as they are, text in
    single quotes (double quotes when it holds one; the profile keeps backslashes literal).
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set rows = [] -%}
        {%- for row in chunk -%}
            {%- set values = [] -%}
            {%- for col_name in agate_table.column_names -%}
                {%- set type = column_override.get(
                    col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                {%- do values.append('cast(' ~ leadscore.spark_literal(row[loop.index0]) ~ ' as '
                    ~ type ~ ')') -%}
            {%- endfor -%}
            {%- do rows.append('(' ~ (values | join(', ')) ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values\n' ~ (rows | join(',\n')) -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}


{% macro spark_literal(value) -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- elif value is sameas true or value is sameas false -%}
        {{ return(value | string | lower) }}
    {%- elif value is number -%}
        {{ return(value | string) }}
    {%- endif -%}
    {%- set text = value | string -%}
    {%- if "'" not in text -%}
        {{ return("'" ~ text ~ "'") }}
    {%- elif '"' not in text -%}
        {{ return('"' ~ text ~ '"') }}
    {%- endif -%}
    {{ return("concat('" ~ (text.split("'") | join("', chr(39), '")) ~ "')") }}
{%- endmacro %}
