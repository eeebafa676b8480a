with

identities as (

    select * from {{ ref('int_lead_identities_resolved') }}

),

records as (

    select * from {{ ref('int_person_records_standardized') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

funnel as (

    select * from {{ ref('fct_lead_funnel') }}

),

country_codes as (

    select * from {{ ref('taxonomy_country_codes') }}

),

channels as (

    select * from {{ ref('taxonomy_channels') }}

),

owners as (

    select * from {{ ref('int_owners') }}

),

product_signals as (

    select * from {{ ref('int_lead_product_signals') }}

),

-- main product interest (macros/product_lines.sql): the line with the most signals
product_line_counts as (

    select
        lead_id,
        product_line,
        {{ product_interest_rank('lead_id') }} as interest_rank
    from product_signals
    group by lead_id, product_line

),

product_interest as (

    select
        lead_id,
        product_line
    from product_line_counts
    where interest_rank = 1

),

ranked as (

    -- survivorship: SF Contact, then SF Lead, then HubSpot, then Marketo; newest first
    select
        identities.lead_id,
        records.*,
        row_number() over (
            partition by identities.lead_id
            order by
                records.source_priority asc, records.last_modified_at desc nulls last,
                records.source_id asc
        ) as survivorship_rank,
        row_number() over (
            partition by identities.lead_id
            order by records.created_at nulls last, records.source_priority, records.source_id
        ) as first_touch_rank
    from identities
    inner join records
        on identities.record_id = records.record_id

),

people as (

    select
        lead_id,
        {{ first_non_null('email', 'survivorship_rank') }} as email,
        {{ first_non_null('first_name', 'survivorship_rank') }} as first_name,
        {{ first_non_null('last_name', 'survivorship_rank') }} as last_name,
        {{ first_non_null('company_name', 'survivorship_rank') }} as company_name,
        {{ first_non_null('job_title', 'survivorship_rank') }} as job_title,
        {{ first_non_null('seniority', 'survivorship_rank') }} as seniority,
        {{ first_non_null('job_function', 'survivorship_rank') }} as job_function,
        {{ first_non_null('industry_standard', 'survivorship_rank') }} as lead_industry,
        {{ first_non_null('size_tier', 'survivorship_rank') }} as lead_size_tier,
        {{ first_non_null('country_code', 'survivorship_rank') }} as lead_country_code,
        {{ first_non_null('account_domain', 'survivorship_rank') }} as account_domain,
        {{ first_non_null('channel', 'first_touch_rank') }} as channel,
        {{ first_non_null('lead_source', 'first_touch_rank') }} as lead_source,
        {{ first_non_null('owner_id', 'survivorship_rank') }} as owner_id,
        {{ first_non_null('custom_fields', 'survivorship_rank') }} as custom_fields,
        min(case when source_entity = 'Lead' then source_id end) as sf_lead_id,
        min(case when source_entity = 'Contact' then source_id end) as sf_contact_id,
        min(case when source_system = 'hubspot' then source_id end) as hubspot_record_id,
        min(case when source_system = 'marketo' then source_id end) as marketo_lead_id,
        bool_or(is_free_mail) as has_free_mail,
        count(*) as source_records,
        min(created_at) as created_at,
        max(last_modified_at) as last_modified_at
    from ranked
    group by lead_id

),

web_only as (

    select
        lead_id,
        min(source_id) as web_anonymous_id,
        min(created_at) as first_identified_at,
        count(*) as web_identities
    from identities
    where source_system = 'web'
    group by lead_id

),

all_leads as (

    select lead_id from people
    union
    select lead_id from web_only

),

final as (

    select
        all_leads.lead_id,
        people.sf_lead_id,
        people.sf_contact_id,
        people.hubspot_record_id,
        people.marketo_lead_id,
        web_only.web_anonymous_id,
        people.owner_id,
        -- the owner's name; the id when no owners table names it; 'Unassigned' without owner
        case
            when people.owner_id is null then 'Unassigned'
            else coalesce(owners.owner_name, people.owner_id)
        end as owner_name,
        -- one key per person across CRMs (int_owners); null without owner
        case
            when people.owner_id is not null
                then coalesce(owners.owner_key, {{ unlisted_owner_key('people.owner_id') }})
        end as owner_key,
        people.email,
        people.first_name,
        people.last_name,
        coalesce(accounts.account_name, people.company_name) as company_name,
        accounts.account_id,
        coalesce(accounts.domain, people.account_domain) as account_domain,
        coalesce(people.has_free_mail, false) as has_free_mail,
        people.job_title,
        people.seniority,
        people.job_function,
        coalesce(accounts.industry, people.lead_industry) as industry,
        coalesce(accounts.size_tier, people.lead_size_tier) as size_tier,
        coalesce(accounts.country_code, people.lead_country_code) as country_code,
        country_codes.region,
        people.lead_source,
        people.channel,
        channels.channel_group,
        product_interest.product_line,
        coalesce(people.created_at, web_only.first_identified_at) as created_at,
        people.last_modified_at,
        people.custom_fields,
        coalesce(funnel.current_stage, 'new') as current_stage,
        coalesce(funnel.is_open, true) as is_open,
        cast(
            coalesce(people.source_records, 0) + coalesce(web_only.web_identities, 0)
            as integer
        ) as source_records,
        people.lead_id is null as is_web_only
    from all_leads
    left join people
        on all_leads.lead_id = people.lead_id
    left join web_only
        on all_leads.lead_id = web_only.lead_id
    left join accounts
        on people.account_domain = accounts.domain
    left join funnel
        on all_leads.lead_id = funnel.lead_id
    left join country_codes
        on coalesce(accounts.country_code, people.lead_country_code) = country_codes.country_code
    left join channels
        on people.channel = channels.channel
    left join owners
        on people.owner_id = owners.owner_id
    left join product_interest
        on all_leads.lead_id = product_interest.lead_id

)

select * from final
