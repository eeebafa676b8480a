{#-
    The label policy in force at the scoring clock for the dataset being built (var
    `dataset`): seeds/policy/policy_label for the demo, the dataset's own
    <dataset>__label_policy seed otherwise. Input of the ml_* models, int_lead_cutoffs and the
    label-reading marts.
-#}
{%- set policy = ref(leadscore.dataset_seed('label_policy')) -%}
{%- set in_dataset = 'true' if leadscore.dataset_is('demo')
    else "dataset = '" ~ leadscore.current_dataset() ~ "'" %}
with

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

label_policy as (

    select {{ star_except(policy, ['dataset']) }}
    from {{ policy }}
    cross join clock
    where {{ in_dataset }} and {{ in_force('clock.as_of') }}

)

select * from label_policy
