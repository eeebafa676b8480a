{#- Every landed CampaignMember row, typed by the Salesforce contract, with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('salesforce', 'campaign_member', checks=[
        ('sf_lead_id is null and sf_contact_id is null', 'missing_member_id'),
    ]) }}

),

final as (

    select * from landed

)

select * from final
