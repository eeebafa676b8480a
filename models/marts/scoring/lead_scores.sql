{#-
    The contract readers rely on: one row per open lead with a calibrated probability, a
    0-100 score, fit and engagement sub-scores, a grade, three reasons (as words and as
    feature / direction / contribution), expected value, the
    MQL flag and the lead's place in its owner's queue.

    `grade` and `is_mql` are the model's and the policy's; `effective_grade` and
    `effective_is_mql` are what sales sees and the CRM receives: a rep's active override
    (score_overrides: the lead's own, else its account's) where there is one, else the same.
-#}
with

scores as (

    select * from {{ ref('ml_lead_scores') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

activities as (

    select * from {{ ref('fct_lead_activities') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

qualification as (

    select policy_qualification.*
    from {{ ref('policy_qualification') }} as policy_qualification
    cross join clock
    where
        policy_qualification.definition = 'mql'
        and {{ in_force('clock.as_of', 'policy_qualification') }}

),

overrides as (

    select * from {{ ref('score_overrides') }}
    where override_status = 'active'

),

account_scores as (

    select * from {{ ref('account_scores') }}

),

scoring_policy as (

    select * from {{ ref('scoring_policy') }}

),

default_deal as (

    select cast(scoring_policy.value as double) as deal_size
    from scoring_policy
    cross join clock
    where
        scoring_policy.key = 'default_deal_size'
        and {{ in_force('clock.as_of', 'scoring_policy', has_end=false) }}

),

deal_sizes as (

    select
        coalesce(accounts.segment, 'unknown') as segment,
        percentile_cont(0.5) within group (order by opportunities.amount)
            as typical_deal_size
    from opportunities
    left join accounts
        on opportunities.account_id = accounts.account_id
    where opportunities.is_won and opportunities.amount > 0
    group by 1

),

hand_raisers as (

    select distinct
        activities.lead_id,
        qualification.min_fit_score
    from activities
    cross join clock
    inner join qualification
        on
            qualification.required_activity_types is not null
            and {{ regex_matches('activities.activity_type',
                "'^(' || qualification.required_activity_types || ')$'") }}
            and activities.activity_at < clock.as_of
            and activities.activity_at >= {{ dbt.dateadd(
                'day', '-1 * qualification.engagement_window_days', 'clock.as_of') }}

),

score_rule as (

    select
        min_fit_score,
        min_engagement_score
    from qualification
    where required_activity_types is null

),

enriched as (

    select
        scores.lead_id,
        leads.sf_lead_id,
        leads.hubspot_record_id,
        leads.marketo_lead_id,
        leads.owner_id,
        leads.owner_name,
        leads.owner_key,
        scores.conversion_probability,
        cast(scores.score as integer) as score,
        scores.percentile,
        cast(scores.fit_score as integer) as fit_score,
        cast(scores.engagement_score as integer) as engagement_score,
        scores.grade,
        scores.reason_1,
        scores.reason_2,
        scores.reason_3,
        scores.reason_1_feature,
        scores.reason_1_direction,
        scores.reason_1_contribution,
        scores.reason_2_feature,
        scores.reason_2_direction,
        scores.reason_2_contribution,
        scores.reason_3_feature,
        scores.reason_3_direction,
        scores.reason_3_contribution,
        scores.conversion_probability * coalesce(
            deal_sizes.typical_deal_size, default_deal.deal_size
        ) as expected_value,
        coalesce(
            (
                scores.fit_score >= score_rule.min_fit_score
                and scores.engagement_score >= score_rule.min_engagement_score
            )
            or (
                hand_raisers.lead_id is not null
                and scores.fit_score >= hand_raisers.min_fit_score
            ),
            false
        ) as is_mql,
        scores.score_status,
        scores.model_version,
        cast(scores.scored_at as timestamp) as scored_at
    from scores
    inner join leads
        on scores.lead_id = leads.lead_id
    left join accounts
        on leads.account_id = accounts.account_id
    left join deal_sizes
        on coalesce(accounts.segment, 'unknown') = deal_sizes.segment
    left join hand_raisers
        on scores.lead_id = hand_raisers.lead_id
    cross join default_deal
    cross join score_rule

),

overridden as (

    select
        enriched.*,
        coalesce(lead_overrides.override_id, account_overrides.override_id) as override_id
    from enriched
    left join leads
        on enriched.lead_id = leads.lead_id
    left join overrides as lead_overrides
        on
            lead_overrides.record_type = 'lead'
            and enriched.lead_id = lead_overrides.lead_id
    left join overrides as account_overrides
        on
            account_overrides.record_type = 'account'
            and leads.account_id = account_overrides.account_id

),

final as (

    select
        overridden.lead_id,
        overridden.sf_lead_id,
        overridden.hubspot_record_id,
        overridden.marketo_lead_id,
        overridden.owner_id,
        overridden.owner_name,
        overridden.owner_key,
        overridden.conversion_probability,
        overridden.score,
        overridden.percentile,
        overridden.fit_score,
        overridden.engagement_score,
        overridden.grade,
        overridden.reason_1,
        overridden.reason_2,
        overridden.reason_3,
        overridden.reason_1_feature,
        overridden.reason_1_direction,
        overridden.reason_1_contribution,
        overridden.reason_2_feature,
        overridden.reason_2_direction,
        overridden.reason_2_contribution,
        overridden.reason_3_feature,
        overridden.reason_3_direction,
        overridden.reason_3_contribution,
        overridden.expected_value,
        overridden.is_mql,
        overridden.score_status,
        overridden.model_version,
        overridden.scored_at,
        cast(row_number() over (
            partition by overridden.owner_key
            order by
                overridden.expected_value desc nulls last,
                overridden.conversion_probability desc,
                overridden.lead_id asc
        ) as integer) as priority_rank,
        coalesce(score_overrides.override_grade, overridden.grade) as effective_grade,
        coalesce(score_overrides.override_is_mql, overridden.is_mql) as effective_is_mql,
        score_overrides.override_id is not null as is_overridden,
        score_overrides.override_id,
        score_overrides.record_type as override_scope,
        score_overrides.set_by as override_set_by,
        score_overrides.override_reason,
        score_overrides.set_at as override_set_at,
        score_overrides.effective_expires_at as override_expires_at,
        account_scores.account_grade,
        coalesce(account_scores.is_mqa, false) as account_is_mqa,
        case
            when account_scores.is_mqa
                then 'Hot account (marketing qualified): ' || account_scores.account_reason
        end as account_reason
    from overridden
    left join overrides as score_overrides
        on overridden.override_id = score_overrides.override_id
    left join leads as lead_accounts
        on overridden.lead_id = lead_accounts.lead_id
    left join account_scores
        on lead_accounts.account_id = account_scores.account_id

)

select * from final
