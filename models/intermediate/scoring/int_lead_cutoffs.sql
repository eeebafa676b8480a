{#-
    Every (lead, cutoff) the model learns from or scores.
    - train: snapshots at policy offsets after creation while the lead is still open, kept only
      once the label horizon has matured before the scoring clock; label = opportunity created
      within the horizon after the cutoff.
    - score: every lead open at the scoring clock. With the clock pinned before a lead's
      current stage (a replay of an earlier run, as the outcome backtest needs), the lead
      counts as open when it had no opportunity and was not disqualified by the clock.
-#}
with

funnel as (

    select * from {{ ref('fct_lead_funnel') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

offsets as (

    select policy_training_cutoffs.*
    from {{ ref('policy_training_cutoffs') }} as policy_training_cutoffs
    cross join clock
    where {{ in_force('clock.as_of', 'policy_training_cutoffs') }}

),

label_policy as (

    select * from {{ ref('int_label_policy') }}

),

snapshots as (

    select
        funnel.lead_id,
        {{ dbt.dateadd('day', 'offsets.days_after_created', 'funnel.created_at') }} as cutoff_at,
        funnel.opportunity_at,
        funnel.disqualified_at,
        label_policy.horizon_days,
        clock.as_of
    from funnel
    cross join offsets
    cross join label_policy
    cross join clock
    where funnel.created_at is not null

),

training as (

    select
        lead_id,
        cast(cutoff_at as timestamp) as cutoff_at,
        'train' as purpose,
        case
            when
                opportunity_at is not null
                and opportunity_at <= {{ dbt.dateadd('day', 'horizon_days', 'cutoff_at') }}
                then 1
            else 0
        end as label
    from snapshots
    where
        cutoff_at < as_of
        and {{ dbt.dateadd('day', 'horizon_days', 'cutoff_at') }} <= as_of
        and (opportunity_at is null or opportunity_at > cutoff_at)
        and (disqualified_at is null or disqualified_at > cutoff_at)

),

scoring as (

    select
        funnel.lead_id,
        cast(clock.as_of as timestamp) as cutoff_at,
        'score' as purpose,
        cast(null as integer) as label
    from funnel
    cross join clock
    where
        funnel.created_at <= clock.as_of
        and (
            -- the lead's current stage is known at the clock: it says whether it is open
            (funnel.current_stage_at <= clock.as_of and funnel.is_open)
            -- a clock pinned before the current stage (a replay): open at the clock
            -- by the same rule as a training snapshot
            or (
                (funnel.current_stage_at is null or funnel.current_stage_at > clock.as_of)
                and (funnel.opportunity_at is null or funnel.opportunity_at > clock.as_of)
                and (
                    funnel.disqualified_at is null
                    or funnel.disqualified_at > clock.as_of
                )
            )
        )

),

cutoffs as (

    select * from training
    union all
    select * from scoring

),

final as (

    select
        {{ dbt.hash(dbt.concat(['lead_id', "'|'", 'purpose', "'|'",
            dbt.cast('cutoff_at', dbt.type_string())])) }} as cutoff_id,
        cutoffs.*
    from cutoffs

)

select * from final
