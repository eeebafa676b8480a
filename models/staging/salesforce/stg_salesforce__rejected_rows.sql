with

rejected as (

    {{ rejected_rows_from('base_salesforce__leads', 'salesforce', 'Lead', 'sf_lead_id') }}
    union all
    {{ rejected_rows_from('base_salesforce__accounts', 'salesforce', 'Account', 'sf_account_id') }}
    union all
    {{ rejected_rows_from('base_salesforce__contacts', 'salesforce', 'Contact', 'sf_contact_id') }}
    union all
    {{ rejected_rows_from(
        'base_salesforce__opportunities', 'salesforce', 'Opportunity', 'sf_opportunity_id'
    ) }}
    union all
    {{ rejected_rows_from(
        'base_salesforce__campaigns', 'salesforce', 'Campaign', 'sf_campaign_id'
    ) }}
    union all
    {{ rejected_rows_from(
        'base_salesforce__campaign_members', 'salesforce', 'CampaignMember',
        'sf_campaign_member_id'
    ) }}
    union all
    {{ rejected_rows_from(
        'base_salesforce__lead_histories', 'salesforce', 'LeadHistory', 'sf_lead_history_id'
    ) }}

)

select * from rejected
