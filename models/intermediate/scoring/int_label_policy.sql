{#-
    The label policy in force for the dataset being built (var `dataset`): policy_label for
    the demo, the dataset's rows of dataset_label_policy otherwise. Input of the ml_* models.
-#}
{%- if leadscore.dataset_is('demo') -%}
    {%- set policy = ref('policy_label') -%}
    {%- set in_dataset = 'true' -%}
{%- else -%}
    {%- set policy = ref('dataset_label_policy') -%}
    {%- set in_dataset = "dataset = '" ~ leadscore.current_dataset() ~ "'" -%}
{%- endif %}
with

label_policy as (

    select {{ star_except(policy, ['dataset']) }}
    from {{ policy }}
    where {{ in_dataset }}

)

select * from label_policy
