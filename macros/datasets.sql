{#-
    Which data a build runs on: the `dataset` var (default `demo`).

    The ML layer (int_scoring_clock, int_training_examples, int_scoring_features,
    int_feature_catalog, int_label_policy, the ml_* Python models and model_metrics) is shared
    and dataset-agnostic; it reads one dataset-specific model per role, found by name. A
    dataset is a folder datasets/<dataset>/ (docs/add-your-own-export.md) holding its sources,
    models and seeds: `int_<dataset>__features`, `int_<dataset>__clock`,
    `<dataset>__feature_catalog` and `<dataset>__label_policy`. Nothing here lists datasets.
-#}

{% macro current_dataset() -%}
    {{- return(var('dataset', 'demo')) -}}
{%- endmacro %}


{#-
    Name of the model that plays `role` for the current dataset:
      features  one row per (lead, cutoff): cutoff_id, lead_id, cutoff_at, purpose
                ('train' | 'score'), label, then the catalog's feature columns;
      clock     rows with an `observed_at` timestamp; the scoring clock is their max
                (or the `as_of` var), see int_scoring_clock.
    The demo (the canonical lead schema) names its own; a dataset follows the convention.
-#}
{% macro dataset_model(role) -%}
    {%- set dataset = leadscore.current_dataset() -%}
    {%- if dataset == 'demo' -%}
        {{- return({'features': 'int_lead_features_point_in_time', 'clock': 'int_demo__clock'}[role]) -}}
    {%- endif -%}
    {{- return('int_' ~ dataset ~ '__' ~ role) -}}
{%- endmacro %}


{#- The seed that holds the current dataset's `kind` of policy (feature_catalog, label_policy). -#}
{% macro dataset_seed(kind) -%}
    {%- set dataset = leadscore.current_dataset() -%}
    {%- if dataset == 'demo' -%}
        {{- return({'feature_catalog': 'feature_catalog', 'label_policy': 'policy_label'}[kind]) -}}
    {%- endif -%}
    {{- return(dataset ~ '__' ~ kind) -}}
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


{#-
    The clock of a historical export: the build date. A finished snapshot holds every outcome
    it will ever have, so no "newest event" means "now"; the build date makes the policy rows
    in force today apply. Pin it with --vars '{"as_of": ...}'. A dataset's clock model is
    one CTE: see datasets/x_education/int_x_education__clock.sql.
-#}
{% macro historical_export_clock() -%}
    select cast(current_date as timestamp) as observed_at
{%- endmacro %}


{#-
    Whether this build has the account model (int_account_snapshots, ml_account_model,
    ml_account_scores): the demo on an adapter that runs dbt Python models and builds it,
    not yet Spark. dbt_project.yml enables those models on the same condition (it cannot call
    a macro); account_scores reads the probability only when this is true.
-#}
{% macro account_model_enabled() -%}
    {{- return(leadscore.dataset_is('demo') and target.type != 'spark') -}}
{%- endmacro %}


{#-
    The account model's scores (ml_account_scores) where the build has the account model;
    elsewhere an empty relation of the same columns, so account_scores builds on every target
    and says why its probability is null.
-#}
{% macro account_probabilities() -%}
    {%- if leadscore.account_model_enabled() -%}
        {{- return(ref('ml_account_scores')) -}}
    {%- endif -%}
    {{- return(
        '(select cast(null as ' ~ dbt.type_string() ~ ') as account_id, cast(null as '
        ~ dbt.type_float() ~ ') as account_conversion_probability, cast(null as '
        ~ dbt.type_string() ~ ') as account_model_version, cast(null as '
        ~ dbt.type_string() ~ ') as account_probability_note where 1 = 0) as no_account_model'
    ) -}}
{%- endmacro %}
