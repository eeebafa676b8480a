{#-
    Helpers for models/marts/sync/crm_sync__lead_scores.

    The "changed" rule is the Python sync engine's (src/leadscore/sync/engine.py), restated
    here so dbt can list pending changes at build time:
      payload_hash = md5(concat_ws(chr(31), coalesce(cast(<trigger column> as varchar), '<null>'), ...))
    over the mapping's triggers_sync=true columns of one target, in seed order; a CRM id is
    due when that hash differs from the hash of its last *acknowledged* ledger row.
    `leadscore sync` recomputes the hash from the model's columns and refuses to sync when
    the two disagree, so the rule cannot drift silently.
-#}

{% macro crm_sync_payload_hash(columns) -%}
    md5(concat_ws(chr(31)
    {%- for column in columns -%}
        , coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>')
    {%- endfor -%}
    ))
{%- endmacro %}


{% macro crm_sync_mapping(mapping_relation) -%}
    {#-
        The CRM field mapping seed as a list of targets, each
        {target, key_column, fields: [{source_column, crm_field, crm_type, triggers_sync}]},
        in seed order. Empty when it cannot be read (parse, docs, lint); a run, build or
        compile without the seed loaded stops with an error that says what to do.
    -#}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set found = adapter.get_relation(
        database=mapping_relation.database,
        schema=mapping_relation.schema,
        identifier=mapping_relation.identifier) -%}
    {%- if found is none -%}
        {%- if flags.WHICH in ('run', 'build', 'compile', 'show') -%}
            {{ exceptions.raise_compiler_error(
                "The CRM field mapping seed " ~ mapping_relation
                ~ " is not loaded: run `dbt seed` (or `leadscore run`) first.") }}
        {%- endif -%}
        {{ return([]) }}
    {%- endif -%}
    {#- No order by: DuckDB keeps insertion (= seed file) order, which the hash depends on.
        Lead rows only (accounts are synced from account_scores by the engine); a `target = all`
        row is each target's, spelled by crm_sync_field_name as leadscore.sync.mapping does. -#}
    {%- set rows = run_query(
        "select target, source_column, crm_field, crm_type, "
        ~ "cast(triggers_sync as boolean) as triggers_sync from " ~ mapping_relation
        ~ " where record_type = 'lead'").rows -%}
    {%- set targets = [] -%}
    {%- set by_name = {} -%}
    {%- for row in rows if (row[0] | trim) != 'all' -%}
        {%- set name = row[0] | trim -%}
        {%- if name not in by_name -%}
            {%- do by_name.update({name: {'target': name, 'key_column': none, 'fields': []}}) -%}
            {%- do targets.append(by_name[name]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for row in rows -%}
        {%- set name = row[0] | trim -%}
        {%- for entry in targets if name in (entry['target'], 'all') -%}
            {%- if (row[3] | trim | lower) == 'id' -%}
                {%- do entry.update({'key_column': row[1] | trim}) -%}
            {%- else -%}
                {%- do entry['fields'].append({
                    'source_column': row[1] | trim,
                    'crm_field': crm_sync_field_name(entry['target'], row[2] | trim)
                        if name == 'all' else row[2] | trim,
                    'crm_type': row[3] | trim | lower,
                    'triggers_sync': row[4] is true}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for entry in targets -%}
        {%- if entry['key_column'] is none -%}
            {{ exceptions.raise_compiler_error(
                "crm_field_mapping: target " ~ entry['target'] ~ " has no crm_type=id row.") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(targets) }}
{%- endmacro %}


{% macro crm_sync_field_name(target, salesforce_name) -%}
    {#- leadscore.sync.mapping.crm_field_name: HubSpot's property is the Salesforce name
        lowercased without `__c` (Lead_Grade__c -> lead_grade). -#}
    {%- if target == 'salesforce' -%}
        {{ return(salesforce_name) }}
    {%- endif -%}
    {%- set name = salesforce_name[:-3] if (salesforce_name | lower).endswith('__c')
        else salesforce_name -%}
    {{ return(name | lower) }}
{%- endmacro %}


{% macro relation_exists(relation) -%}
    {#- True when `relation` is in the database now (false at parse time). -#}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set found = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {{ return(found is not none) }}
{%- endmacro %}
