{#-
    Every (lead, cutoff) the model learns from or scores.
    - train: snapshots at policy offsets after creation while the lead is still open, kept
      once the label horizon has matured before the scoring clock, or earlier, once the
      snapshot is scoring_policy's early_label_min_age_days old (0: only matured ones);
      label = opportunity created within the horizon after the cutoff and by the clock (for
      a matured cutoff: within the horizon). int_training_examples keeps the matured ones,
      int_training_examples_early the others (a triggered challenger's early labels,
      leadscore.ml.early).
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

scoring_policy as (

    select * from {{ ref('scoring_policy') }}

),

-- how old a training cutoff must be to be kept: the horizon, or the early-label minimum age
early_labels as (

    select
        least(
            label_policy.horizon_days,
            coalesce(nullif(
                {{ policy_value('scoring_policy', 'early_label_min_age_days', 'integer') }}, 0
            ), label_policy.horizon_days)
        ) as min_age_days
    from label_policy
    cross join clock
    left join scoring_policy
        on {{ in_force('clock.as_of', 'scoring_policy', has_end=false) }}
    group by label_policy.horizon_days

),

snapshots as (

    select
        funnel.lead_id,
        {{ dbt.dateadd('day', 'offsets.days_after_created', 'funnel.created_at') }} as cutoff_at,
        funnel.opportunity_at,
        funnel.disqualified_at,
        label_policy.horizon_days,
        early_labels.min_age_days,
        clock.as_of
    from funnel
    cross join offsets
    cross join label_policy
    cross join early_labels
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
                and opportunity_at <= as_of
                then 1
            else 0
        end as label
    from snapshots
    where
        cutoff_at < as_of
        and {{ dbt.dateadd('day', 'min_age_days', 'cutoff_at') }} <= as_of
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
