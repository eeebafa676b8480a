{#-
    Every staged score override with the record it names and its status on the scoring clock:
    the audit of what reps set, and the one place that decides which override applies.
    A lead override names a lead by any of its ids (leadscore lead_id, or a source record id in
    bridge_lead_identities); an account override names an account by account_id, Salesforce
    Account Id, HubSpot company id or domain. Status, first that holds:
      unknown_record     no lead / account has that id (nothing applies; fix the id)
      ambiguous_record   the id names several leads or accounts (use the lead_id)
      not_yet_set        set after the scoring clock (applies from a run whose clock passed it)
      expired            its expiry (Expires At, else Set At + policy default_expiry_days) is
                         at or before the clock
      superseded         a newer active override of the same record applies instead
      active             applies: lead_scores shows it as the effective grade / MQL decision
-#}
with

overrides as (

    select * from {{ ref('stg_overrides__score_overrides') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

identities as (

    select * from {{ ref('bridge_lead_identities') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

override_policy as (

    select policy_overrides.*
    from {{ ref('policy_overrides') }} as policy_overrides
    cross join clock
    where {{ in_force('clock.as_of', 'policy_overrides') }}

),

default_expiry as (

    select cast(value as integer) as expiry_days
    from override_policy
    where key = 'default_expiry_days'

),

lead_ids as (

    select
        lead_id as known_id,
        lead_id
    from leads
    union
    select
        source_id as known_id,
        lead_id
    from identities
    where source_id is not null

),

account_ids as (

    select
        account_id as known_id,
        account_id
    from accounts
    union
    select
        sf_account_id as known_id,
        account_id
    from accounts
    where sf_account_id is not null
    union
    select
        hubspot_company_id as known_id,
        account_id
    from accounts
    where hubspot_company_id is not null
    union
    select
        domain as known_id,
        account_id
    from accounts
    where domain is not null

),

matches as (

    select
        overrides.override_id,
        count(distinct lead_ids.lead_id) as matched_leads,
        min(lead_ids.lead_id) as lead_id,
        count(distinct account_ids.account_id) as matched_accounts,
        min(account_ids.account_id) as account_id
    from overrides
    left join lead_ids
        on
            overrides.record_type = 'lead'
            and overrides.record_id = lead_ids.known_id
    left join account_ids
        on
            overrides.record_type = 'account'
            and lower(overrides.record_id) = lower(account_ids.known_id)
    group by overrides.override_id

),

resolved as (

    select
        overrides.*,
        case when matches.matched_leads = 1 then matches.lead_id end as lead_id,
        case when matches.matched_accounts = 1 then matches.account_id end as account_id,
        coalesce(
            overrides.expires_at,
            {{ dbt.dateadd('day', 'default_expiry.expiry_days', 'overrides.set_at') }}
        ) as effective_expires_at,
        clock.as_of,
        case
            when matches.matched_leads + matches.matched_accounts = 0 then 'unknown_record'
            when matches.matched_leads > 1 or matches.matched_accounts > 1
                then 'ambiguous_record'
            when overrides.set_at > clock.as_of then 'not_yet_set'
            when coalesce(
                overrides.expires_at,
                {{ dbt.dateadd('day', 'default_expiry.expiry_days', 'overrides.set_at') }}
            ) <= clock.as_of then 'expired'
        end as inactive_status
    from overrides
    inner join matches
        on overrides.override_id = matches.override_id
    cross join clock
    -- no default in force: the not_null test on effective_expires_at says so, no row is lost
    left join default_expiry
        on 1 = 1

),

ranked as (

    select
        *,
        case
            when inactive_status is null
                then row_number() over (
                    partition by
                        record_type, coalesce(lead_id, account_id), inactive_status is null
                    order by set_at desc, override_id desc
                )
        end as newest_rank
    from resolved

),

final as (

    select
        override_id,
        record_type,
        record_id,
        lead_id,
        account_id,
        override_grade,
        override_is_mql,
        set_by,
        override_reason,
        set_at,
        expires_at,
        effective_expires_at,
        coalesce(
            inactive_status,
            case when newest_rank = 1 then 'active' else 'superseded' end
        ) as override_status,
        as_of
    from ranked

)

select * from final
