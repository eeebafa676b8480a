{#-
    When each converted training cutoff converted: cutoff_id and the lead's opportunity_at
    for every training example labelled 1 (matured or converted so far). The early-label
    rule (leadscore.ml.early) times conversions with it (G, and the labels a training clock
    earlier than the scoring clock knew). Empty for the datasets other than the demo (no
    funnel of their own), whose models never train on early labels.
-#}
{{ config(materialized='view') }}
{%- if leadscore.dataset_is('demo') %}
    {%- set funnel_rows = 'select lead_id, opportunity_at from ' ~ ref('fct_lead_funnel') %}
{%- else %}
    {%- set funnel_rows = 'select cast(null as ' ~ dbt.type_string()
        ~ ') as lead_id, cast(null as timestamp) as opportunity_at where false' %}
{%- endif %}
with

features as (

    select * from {{ ref(leadscore.dataset_model('features')) }}

),

funnel as (

    {{ funnel_rows }}

),

final as (

    select
        features.cutoff_id,
        funnel.opportunity_at
    from features
    inner join funnel
        on features.lead_id = funnel.lead_id
    where features.purpose = 'train' and features.label = 1

)

select * from final
