{#-
    Partly matured training examples (early labels): the demo's training cutoffs at least
    scoring_policy's early_label_min_age_days old whose label horizon has not matured at the
    scoring clock (int_lead_cutoffs), label = converted so far. A challenger whose retrain a
    monitor triggered learns from them next to int_training_sample (leadscore.ml.early,
    conversion times from int_training_conversions); nothing else reads them. Empty for the
    other datasets. Not sampled: about the last three months of cutoffs, a fifth as many
    rows as int_training_examples.
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

young as (

    select features.*
    from features
    cross join clock
    cross join label_policy
    where
        features.purpose = 'train'
        and {{ dbt.dateadd('day', 'label_policy.horizon_days', 'features.cutoff_at') }}
        > clock.as_of
        and {{ is_demo }}

),

final as (

    select {{ star_except(
        ref(leadscore.dataset_model('features')), ['purpose', 'inputs_fingerprint']) }}
    from young

)

select * from final
