{#-
    The demo feature table's training rows on one side of the label horizon at the scoring
    clock: matured (cutoff + horizon <= clock; every training row for the other datasets) or
    not matured yet (early labels; none for the other datasets). One rule for
    int_training_examples and int_training_examples_early.
-#}
{% macro training_examples(matured) %}
{%- set is_demo = 'true' if leadscore.dataset_is('demo') else 'false' %}
{%- set features_model = ref(leadscore.dataset_model('features')) %}
with

features as (

    select * from {{ features_model }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

label_policy as (

    select * from {{ ref('int_label_policy') }}

),

selected as (

    select features.*
    from features
    cross join clock
    cross join label_policy
    where
        features.purpose = 'train'
        {%- if matured %}
            and (
                not {{ is_demo }}
                or {{ dbt.dateadd('day', 'label_policy.horizon_days', 'features.cutoff_at') }}
                <= clock.as_of
            )
        {%- else %}
            and {{ is_demo }}
            and {{ dbt.dateadd('day', 'label_policy.horizon_days', 'features.cutoff_at') }}
            > clock.as_of
        {%- endif %}

),

final as (

    select {{ star_except(features_model, ['purpose', 'inputs_fingerprint']) }}
    from selected

)

select * from final
{% endmacro %}
