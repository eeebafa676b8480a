{#- Company records from every system, keyed by normalized web domain (never free mail). -#}
with

sf_accounts as (

    select * from {{ ref('stg_salesforce__accounts') }}

),

hubspot_companies as (

    select * from {{ ref('stg_hubspot__companies') }}

),

people as (

    select * from {{ ref('int_person_records_standardized') }}

),

intent as (

    select * from {{ ref('stg_intent__topic_surges') }}

),

mapped as (

    select * from {{ ref('int_taxonomy_values_mapped') }}

),

size_tiers as (

    select * from {{ ref('taxonomy_company_size_tiers') }}

),

free_mail_domains as (

    select * from {{ ref('taxonomy_free_mail_domains') }}

),

sf as (

    select
        'salesforce' as source_system,
        'Account' as source_entity,
        sf_accounts.sf_account_id as source_id,
        1 as source_priority,
        sf_accounts.website_domain as domain,
        sf_accounts.account_name,
        industry.mapped_value as industry,
        sf_accounts.number_of_employees as employees_count,
        size_tiers.size_tier,
        country.mapped_value as country_code,
        sf_accounts.annual_revenue,
        sf_accounts.created_at
    from sf_accounts
    left join mapped as industry
        on
            industry.source_system = 'salesforce'
            and industry.source_entity = 'Account'
            and industry.field = 'industry'
            and sf_accounts.industry = industry.raw_value
    left join mapped as country
        on
            country.source_system = 'salesforce'
            and country.source_entity = 'Account'
            and country.field = 'country'
            and sf_accounts.billing_country = country.raw_value
    left join size_tiers
        on
            sf_accounts.number_of_employees between size_tiers.employees_min
            and size_tiers.employees_max

),

hubspot as (

    select
        'hubspot' as source_system,
        'companies' as source_entity,
        hubspot_companies.hubspot_company_id as source_id,
        2 as source_priority,
        hubspot_companies.company_domain as domain,
        hubspot_companies.company_name as account_name,
        industry.mapped_value as industry,
        cast(null as integer) as employees_count,
        size_tier.mapped_value as size_tier,
        country.mapped_value as country_code,
        hubspot_companies.annual_revenue,
        hubspot_companies.created_at
    from
        hubspot_companies
    {%- for alias, field, column in [
        ('industry', 'industry', 'industry'),
        ('size_tier', 'employees_range', 'employees_range'),
        ('country', 'country', 'country'),
    ] %}
        left join mapped as {{ alias }}
            on
                {{ alias }}.source_system = 'hubspot'
                and {{ alias }}.source_entity = 'companies'
                and {{ alias }}.field = '{{ field }}'
                and hubspot_companies.{{ column }} = {{ alias }}.raw_value
    {%- endfor %}

),

person_level as (

    select
        source_system,
        source_entity,
        source_id,
        3 as source_priority,
        account_domain as domain,
        company_name as account_name,
        industry_standard as industry,
        employees_count,
        size_tier,
        country_code,
        annual_revenue,
        created_at
    from people
    where account_domain is not null

),

intent_level as (

    select
        'intent' as source_system,
        'topic_surges' as source_entity,
        topic_surge_id as source_id,
        4 as source_priority,
        domain,
        company_name as account_name,
        cast(null as {{ dbt.type_string() }}) as industry,
        cast(null as integer) as employees_count,
        cast(null as {{ dbt.type_string() }}) as size_tier,
        cast(null as {{ dbt.type_string() }}) as country_code,
        cast(null as double) as annual_revenue,
        cast(week_start_date as timestamp) as created_at
    from intent

),

unioned as (

    select * from sf
    union all
    select * from hubspot
    union all
    select * from person_level
    union all
    select * from intent_level

),

final as (

    select unioned.*
    from unioned
    left join free_mail_domains
        on unioned.domain = free_mail_domains.domain
    where unioned.domain is not null and free_mail_domains.domain is null

)

select * from final
