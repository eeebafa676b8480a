{#-
    Matured training examples: one row per (lead, cutoff) with features and the label.
    A view: a filter of the feature table, not another copy of it (without the table's
    inputs_fingerprint, bookkeeping of its incremental build). The demo's feature table also
    holds training cutoffs whose horizon has not matured yet (early labels, see
    int_lead_cutoffs): they are left to int_training_examples_early.
-#}
{{ config(materialized='view') }}
{%- set is_demo = 'true' if leadscore.dataset_is('demo') else 'false' %}
with

features as (

    select * from {{ ref(leadscore.dataset_model('features')) }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

label_policy as (

    select * from {{ ref('int_label_policy') }}

),

matured as (

    select features.*
    from features
    cross join clock
    cross join label_policy
    where
        features.purpose = 'train'
        and (
            not {{ is_demo }}
            or {{ dbt.dateadd('day', 'label_policy.horizon_days', 'features.cutoff_at') }}
            <= clock.as_of
        )

),

final as (

    select {{ star_except(
        ref(leadscore.dataset_model('features')), ['purpose', 'inputs_fingerprint']) }}
    from matured

)

select * from final
