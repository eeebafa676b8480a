{#-
    Point-in-time account snapshots: one row per (account, cutoff) the account model learns
    from (purpose = train) or scores (purpose = score).
    - train: a cutoff at the start of every calendar month with recorded activity, kept only
      once the label horizon (int_label_policy) has matured before the scoring clock, for every
      account with at least one person created before the cutoff. label = 1 when an
      opportunity is created on the account (fct_opportunities.account_id, the rule of
      fct_account_score_outcomes) after the cutoff and within the horizon.
    - score: every account with people at the scoring clock (label null).
    Features use only what existed before the cutoff: people created before it, their
    engagement activities in the engagement window before it, intent weeks that had ended by
    it, opportunities created by it; the windows are account_scores' (policy_account_scoring).
-#}
with

accounts as (

    select * from {{ ref('dim_accounts') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

activities as (

    select * from {{ ref('fct_lead_activities') }}

),

intent as (

    select * from {{ ref('fct_intent_signals') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

label_policy as (

    select * from {{ ref('int_label_policy') }}

),

settings as (

    select
        {{ policy_value('scoring_policy', 'engagement_window_days', 'integer') }}
            as engagement_window_days,
        {{ policy_value('scoring_policy', 'intent_window_days', 'integer') }}
            as intent_window_days,
        {{ policy_value('scoring_policy', 'intent_min_surge', 'double') }}
            as intent_min_surge
    from {{ ref('policy_account_scoring') }} as scoring_policy
    cross join clock
    where {{ in_force('clock.as_of', 'scoring_policy') }}

),

month_starts as (

    select distinct
        cast({{ dbt.date_trunc('month', 'activity_at') }} as timestamp) as cutoff_at
    from activities

),

cutoffs as (

    select
        month_starts.cutoff_at,
        'train' as purpose
    from month_starts
    cross join clock
    cross join label_policy
    where
        {{ dbt.dateadd('day', 'label_policy.horizon_days', 'month_starts.cutoff_at') }}
        <= clock.as_of

    union all

    select
        cast(clock.as_of as timestamp) as cutoff_at,
        'score' as purpose
    from clock

),

account_leads as (

    select
        lead_id,
        account_id,
        created_at,
        job_function,
        seniority
    from leads
    where account_id is not null and created_at is not null

),

snapshots as (

    select
        account_leads.account_id,
        cutoffs.cutoff_at,
        cutoffs.purpose,
        count(*) as people,
        sum(
            case
                when account_leads.created_at >= {{ dbt.dateadd('day', -30, 'cutoffs.cutoff_at') }}
                    then 1
                else 0
            end
        ) as new_people_30d
    from cutoffs
    inner join account_leads
        on cutoffs.cutoff_at > account_leads.created_at
    group by account_leads.account_id, cutoffs.cutoff_at, cutoffs.purpose

),

recent_activities as (

    select
        snapshots.account_id,
        snapshots.cutoff_at,
        snapshots.purpose,
        account_leads.lead_id,
        account_leads.job_function,
        account_leads.seniority,
        activities.engagement_category,
        activities.activity_at,
        {{ dbt.datediff('activities.activity_at', 'snapshots.cutoff_at', 'day') }}
            as age_days
    from snapshots
    inner join account_leads
        on
            snapshots.account_id = account_leads.account_id
            and snapshots.cutoff_at > account_leads.created_at
    inner join activities
        on account_leads.lead_id = activities.lead_id
    cross join settings
    where
        activities.is_engagement
        and activities.activity_at < snapshots.cutoff_at
        and activities.activity_at >= {{ dbt.dateadd(
            'day', '-1 * settings.engagement_window_days', 'snapshots.cutoff_at') }}

),

engagement as (

    select
        account_id,
        cutoff_at,
        purpose,
        count(*) as engagement_activities,
        sum(case when age_days < 14 then 1 else 0 end) as engagement_activities_14d,
        sum(
            case when engagement_category = 'high_intent' then 1 else 0 end
        ) as high_intent_activities,
        count(distinct lead_id) as engaged_people,
        count(distinct job_function) as engaged_functions,
        count(distinct seniority) as engaged_seniorities,
        min(age_days) as days_since_engagement
    from recent_activities
    group by account_id, cutoff_at, purpose

),

surging as (

    select
        snapshots.account_id,
        snapshots.cutoff_at,
        snapshots.purpose,
        count(distinct lower(intent.topic)) as surging_topics
    from snapshots
    inner join intent
        on snapshots.account_id = intent.account_id
    cross join settings
    where
        intent.surge_score >= settings.intent_min_surge
        and {{ dbt.dateadd('day', 7, 'intent.week_start_date') }} <= snapshots.cutoff_at
        and {{ dbt.dateadd('day', 7, 'intent.week_start_date') }}
        > {{ dbt.dateadd('day', '-1 * settings.intent_window_days', 'snapshots.cutoff_at') }}
    group by snapshots.account_id, snapshots.cutoff_at, snapshots.purpose

),

outcomes as (

    select
        snapshots.account_id,
        snapshots.cutoff_at,
        snapshots.purpose,
        sum(
            case when opportunities.created_at <= snapshots.cutoff_at then 1 else 0 end
        ) as opportunities_before,
        sum(
            case
                when
                    opportunities.created_at > snapshots.cutoff_at
                    and opportunities.created_at <= {{ dbt.dateadd(
                        'day', 'label_policy.horizon_days', 'snapshots.cutoff_at') }}
                    then 1
                else 0
            end
        ) as opportunities_within_horizon
    from snapshots
    inner join opportunities
        on snapshots.account_id = opportunities.account_id
    cross join label_policy
    group by snapshots.account_id, snapshots.cutoff_at, snapshots.purpose

),

final as (

    select
        {{ dbt.hash(dbt.concat(['snapshots.account_id', "'|'", 'snapshots.purpose', "'|'",
            dbt.cast('snapshots.cutoff_at', dbt.type_string())])) }} as account_snapshot_id,
        snapshots.account_id,
        snapshots.cutoff_at,
        snapshots.purpose,
        accounts.segment,
        accounts.industry_group,
        accounts.region,
        snapshots.people,
        snapshots.new_people_30d,
        coalesce(engagement.engagement_activities, 0) as engagement_activities,
        coalesce(engagement.engagement_activities_14d, 0) as engagement_activities_14d,
        coalesce(engagement.high_intent_activities, 0) as high_intent_activities,
        coalesce(engagement.engaged_people, 0) as engaged_people,
        coalesce(engagement.engaged_functions, 0) as engaged_functions,
        coalesce(engagement.engaged_seniorities, 0) as engaged_seniorities,
        engagement.days_since_engagement,
        coalesce(surging.surging_topics, 0) as surging_topics,
        coalesce(outcomes.opportunities_before, 0) as opportunities_before,
        case
            when snapshots.purpose = 'train'
                then
                    case
                        when coalesce(outcomes.opportunities_within_horizon, 0) > 0 then 1
                        else 0
                    end
        end as label
    from snapshots
    inner join accounts
        on snapshots.account_id = accounts.account_id
    left join engagement
        on
            snapshots.account_id = engagement.account_id
            and snapshots.cutoff_at = engagement.cutoff_at
            and snapshots.purpose = engagement.purpose
    left join surging
        on
            snapshots.account_id = surging.account_id
            and snapshots.cutoff_at = surging.cutoff_at
            and snapshots.purpose = surging.purpose
    left join outcomes
        on
            snapshots.account_id = outcomes.account_id
            and snapshots.cutoff_at = outcomes.cutoff_at
            and snapshots.purpose = outcomes.purpose

)

select * from final
