{#-
    The label policy in force at the scoring clock for the dataset being built (var
    `dataset`): policy_label for the demo, the dataset's rows of dataset_label_policy
    otherwise. Input of the ml_* models, int_lead_cutoffs and the label-reading marts.
-#}
{%- if leadscore.dataset_is('demo') -%}
    {%- set policy = ref('policy_label') -%}
    {%- set in_dataset = 'true' -%}
{%- else -%}
    {%- set policy = ref('dataset_label_policy') -%}
    {%- set in_dataset = "dataset = '" ~ leadscore.current_dataset() ~ "'" -%}
{%- endif %}
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
