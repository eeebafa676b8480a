{#-
    Which data a build runs on: the `dataset` var (default `demo`).

    The ML layer (int_scoring_clock, int_training_examples, int_scoring_features, the ml_*
    Python models and model_metrics) is shared and dataset-agnostic; it reads one
    dataset-specific upstream model per role, chosen here. This is the only place that maps a
    dataset to its models: onboarding a new export adds one entry per role.
-#}

{% macro current_dataset() -%}
    {{- return(var('dataset', 'demo')) -}}
{%- endmacro %}


{% macro dataset_models() -%}
    {{- return({
        'demo': {
            'features': 'int_lead_features_point_in_time',
            'clock': 'int_demo__clock',
        },
        'x_education': {
            'features': 'int_x_education__features',
            'clock': 'int_x_education__clock',
        },
        'olist_funnel': {
            'features': 'int_olist_funnel__features',
            'clock': 'int_olist_funnel__clock',
        },
    }) -}}
{%- endmacro %}


{#-
    Name of the model that plays `role` for the current dataset:
      features  one row per (lead, cutoff): cutoff_id, lead_id, cutoff_at, purpose
                ('train' | 'score'), label, then the catalog's feature columns;
      clock     rows with an `observed_at` timestamp; the scoring clock is their max
                (or the `as_of` var), see int_scoring_clock.
-#}
{% macro dataset_model(role) -%}
    {%- set dataset = leadscore.current_dataset() -%}
    {%- set known = leadscore.dataset_models() -%}
    {%- if dataset not in known -%}
        {{ exceptions.raise_compiler_error(
            "Unknown dataset '" ~ dataset ~ "' (var `dataset`). Known: "
            ~ (known.keys() | list | join(', ')) ~ ". Add it to macros/datasets.sql."
        ) }}
    {%- endif -%}
    {{- return(known[dataset][role]) -}}
{%- endmacro %}


{#- True when the build runs on `name` (for `+enabled` in dbt_project.yml and model logic). -#}
{% macro dataset_is(name) -%}
    {{- return(leadscore.current_dataset() == name) -}}
{%- endmacro %}


{#- A picklist value: trimmed, with placeholders such as "Select" (= not chosen) as null. -#}
{% macro clean_picklist(expr, placeholders=['Select']) -%}
    case
        when trim({{ expr }}) in ('{{ placeholders | join("', '") }}') then null
        else nullif(trim({{ expr }}), '')
    end
{%- endmacro %}


{#- Canonical channel of a raw lead-source value (taxonomy_lead_sources, exact matches). -#}
{% macro channel_of(expr, system) -%}
    (
        select taxonomy.channel
        from {{ ref('taxonomy_lead_sources') }} as taxonomy
        where
            taxonomy.match_type = 'exact'
            and taxonomy.system in ('*', '{{ system }}')
            and taxonomy.raw_value = {{ leadscore.vocab_key(expr) }}
        order by taxonomy.priority
        limit 1
    )
{%- endmacro %}


{#-
    The closing CTEs of a one-row-per-lead dataset's features model: each lead once to score
    and, when `has_label` holds, once more to train (label kept only there); cutoff_id is
    hash(lead_id | purpose). `features` is the CTE with lead_id, cutoff_at, label and the
    feature columns; `exclude` names more of its columns that are not features.
-#}
{% macro train_and_score_rows(features, has_label, exclude=[], order_by=[]) -%}
purposes as (

    select 'train' as purpose
    union all
    select 'score' as purpose

),

final as (

    select
        {{ dbt.hash(dbt.concat([features ~ '.lead_id', "'|'", 'purposes.purpose'])) }}
            as cutoff_id,
        {{ features }}.lead_id,
        {{ features }}.cutoff_at,
        purposes.purpose,
        case when purposes.purpose = 'train' then {{ features }}.label end as label,
        {{ leadscore.star_exclude(features, ['lead_id', 'cutoff_at', 'label'] + exclude) }}
    from {{ features }}
    cross join purposes
    where purposes.purpose = 'score' or {{ has_label }}
    order by {{ (['purposes.purpose desc'] + order_by) | join(', ') }}

)
{%- endmacro %}
