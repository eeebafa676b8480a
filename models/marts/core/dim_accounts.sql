with

accounts as (

    select * from {{ ref('int_accounts_unioned') }}

),

industry_names as (

    select * from {{ ref('taxonomy_industry_names') }}

),

country_codes as (

    select * from {{ ref('taxonomy_country_codes') }}

),

size_tiers as (

    select * from {{ ref('taxonomy_company_size_tiers') }}

),

ranked as (

    -- CRM company records win; person-level values fill gaps by the most common value.
    select
        *,
        source_priority * 1000000 - count(*) over (
            partition by domain, source_priority, industry
        ) as industry_rank,
        source_priority * 1000000 - count(*) over (
            partition by domain, source_priority, size_tier
        ) as size_rank,
        source_priority * 1000000 - count(*) over (
            partition by domain, source_priority, country_code
        ) as country_rank
    from accounts

),

resolved as (

    select
        domain,
        {{ first_non_null('account_name', 'source_priority') }} as account_name,
        {{ first_non_null('industry', 'industry_rank') }} as industry,
        {{ first_non_null('size_tier', 'size_rank') }} as size_tier,
        {{ first_non_null('employees_count', 'source_priority') }} as employees_count,
        {{ first_non_null('country_code', 'country_rank') }} as country_code,
        {{ first_non_null('annual_revenue', 'source_priority') }} as annual_revenue,
        min(case when source_entity = 'Account' then source_id end) as sf_account_id,
        min(case when source_entity = 'companies' then source_id end) as hubspot_company_id,
        count(*) filter (where source_system in ('salesforce', 'hubspot')) > 0
            as has_crm_record,
        count(*) filter (where source_priority = 3) as person_records,
        count(*) filter (where source_system = 'intent') > 0 as has_intent_signal,
        min(created_at) filter (where source_system != 'intent') as created_at
    from ranked
    group by domain

),

final as (

    select
        {{ dbt.hash('resolved.domain') }} as account_id,
        resolved.domain,
        resolved.account_name,
        resolved.sf_account_id,
        resolved.hubspot_company_id,
        resolved.industry,
        industry_names.industry_name,
        industry_names.industry_group,
        resolved.size_tier,
        size_tiers.segment,
        resolved.employees_count,
        resolved.annual_revenue,
        resolved.country_code,
        country_codes.country_name,
        country_codes.region,
        resolved.has_crm_record,
        resolved.has_intent_signal,
        cast(resolved.person_records as integer) as person_records,
        resolved.created_at
    from resolved
    left join industry_names
        on resolved.industry = industry_names.industry
    left join country_codes
        on resolved.country_code = country_codes.country_code
    left join size_tiers
        on resolved.size_tier = size_tiers.size_tier

)

select * from final
