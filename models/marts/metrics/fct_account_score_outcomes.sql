{#-
    What happened after each account score was shown: one row per account_score_history row,
    with the label horizon of the current policy and whether an opportunity was created on the
    account (fct_opportunities.account_id: the opportunity's Salesforce Account, resolved by
    its web domain) after the score and within that horizon. Any new opportunity counts, also
    on an account that had earlier ones (had_opportunity_before says which). A row counts for
    conversion only once its horizon has matured before the scoring clock.
-#}
with

history as (

    select * from {{ ref('account_score_history') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

label_policy as (

    select * from {{ ref('int_label_policy') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

horizons as (

    select
        history.account_score_history_id,
        history.scoring_run_id,
        history.account_id,
        history.account_grade,
        history.effective_grade,
        history.is_mqa,
        history.engaged_people,
        history.as_of as scored_at,
        label_policy.horizon_days,
        {{ dbt.dateadd('day', 'label_policy.horizon_days', 'history.as_of') }}
            as horizon_ends_at,
        clock.as_of as clock_as_of
    from history
    cross join label_policy
    cross join clock

),

outcomes as (

    select
        horizons.account_score_history_id,
        sum(
            case
                when
                    opportunities.created_at > horizons.scored_at
                    and opportunities.created_at <= horizons.horizon_ends_at
                    then 1
                else 0
            end
        ) as opportunities_within_horizon,
        sum(
            case when opportunities.created_at <= horizons.scored_at then 1 else 0 end
        ) as opportunities_before
    from horizons
    inner join opportunities
        on horizons.account_id = opportunities.account_id
    group by horizons.account_score_history_id

),

final as (

    select
        horizons.account_score_history_id,
        horizons.scoring_run_id,
        horizons.account_id,
        horizons.account_grade,
        horizons.effective_grade,
        horizons.is_mqa,
        horizons.engaged_people,
        horizons.scored_at,
        horizons.horizon_days,
        horizons.horizon_ends_at,
        horizons.horizon_ends_at <= horizons.clock_as_of as is_horizon_matured,
        coalesce(outcomes.opportunities_before, 0) > 0 as had_opportunity_before,
        coalesce(outcomes.opportunities_within_horizon, 0) > 0
            as has_opportunity_within_horizon
    from horizons
    left join outcomes
        on horizons.account_score_history_id = outcomes.account_score_history_id

)

select * from final
