{#-
    When each converted training cutoff converted: cutoff_id and the lead's opportunity_at
    for every training example labelled 1 (matured or converted so far). The early-label
    rule (leadscore.ml.early) times conversions with it (G, and the labels a training clock
    earlier than the scoring clock knew). Empty for the datasets other than the demo (no
    funnel of their own), whose models never train on early labels.
-#}
{{ config(materialized='view') }}
with
{%- if leadscore.dataset_is('demo') %}

features as (

    select * from {{ ref('int_lead_features_point_in_time') }}

),

funnel as (

    select * from {{ ref('fct_lead_funnel') }}

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
{%- else %}

final as (

    select
        cast(null as {{ dbt.type_string() }}) as cutoff_id,
        cast(null as timestamp) as opportunity_at
    where false

)
{%- endif %}

select * from final
