{#-
    One row per record owner a lead points at or a CRM lists: id, name (the id when no owners
    table names it), source system, and how many leads they own. Leads without an owner are
    'Unassigned' in the marts and have no row here.
-#}
with

owners as (

    select * from {{ ref('int_owners') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

lead_counts as (

    select
        owner_id,
        count(*) as leads_owned,
        count(case when is_open then 1 end) as open_leads_owned
    from leads
    where owner_id is not null
    group by owner_id

),

referenced as (

    select owner_id from owners
    union
    select owner_id from lead_counts

),

final as (

    select
        referenced.owner_id,
        coalesce(owners.owner_name, referenced.owner_id) as owner_name,
        coalesce(
            owners.source_system,
            case
                when referenced.owner_id like '005%' then 'salesforce'
                when referenced.owner_id like 'hubspot:%' then 'hubspot'
            end
        ) as source_system,
        coalesce(owners.owner_key, {{ unlisted_owner_key('referenced.owner_id') }})
            as owner_key,
        owners.owner_name is not null as is_named,
        coalesce(owners.is_active, true) as is_active,
        coalesce(lead_counts.leads_owned, 0) as leads_owned,
        coalesce(lead_counts.open_leads_owned, 0) as open_leads_owned
    from referenced
    left join owners
        on referenced.owner_id = owners.owner_id
    left join lead_counts
        on referenced.owner_id = lead_counts.owner_id

)

select * from final
