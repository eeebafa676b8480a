{#-
    What reps overrode and what happened next: one row per override and lead it reached (a
    lead override its lead, an account override every lead of the account), for overrides
    that applied at some point (active, superseded or expired; not unknown, ambiguous or set
    after the clock). The model's grade and MQL flag are those of the scoring run nearest the
    moment the override was set (the newest run at or before it, else the first after it),
    from lead_score_history. The outcome counts like fct_lead_score_outcomes: the lead's first
    opportunity within the label horizon after the override was set, and only once that
    horizon has matured before the scoring clock. `leadscore status` summarises it.
-#}
with

overrides as (

    select * from {{ ref('score_overrides') }}
    where override_status in ('active', 'superseded', 'expired')

),

leads as (

    select * from {{ ref('dim_leads') }}

),

history as (

    select * from {{ ref('lead_score_history') }}

),

funnel as (

    select * from {{ ref('fct_lead_funnel') }}

),

legend as (

    select * from {{ ref('grade_legend') }}

),

label_policy as (

    select * from {{ ref('int_label_policy') }}

),

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

grade_policy as (

    select policy_grades.*
    from {{ ref('policy_grades') }} as policy_grades
    cross join clock
    where {{ in_force('clock.as_of', 'policy_grades') }}

),

grade_order as (

    -- a grade's place: its fit letter's cut-off first, then its engagement digit's
    select
        fit.grade || engagement.grade as grade,
        fit.min_score * 1000 + engagement.min_score as grade_rank
    from grade_policy as fit
    cross join grade_policy as engagement
    where fit.grade_type = 'fit' and engagement.grade_type = 'engagement'

),

-- the leads an override reaches: its own lead, or every lead of its account (two equi-joins:
-- an `or` in one join would compare every override with every lead)
reached as (

    select
        overrides.*,
        leads.lead_id as reached_lead_id
    from overrides
    inner join leads
        on overrides.lead_id = leads.lead_id
    where overrides.record_type = 'lead'

    union all

    select
        overrides.*,
        leads.lead_id as reached_lead_id
    from overrides
    inner join leads
        on overrides.account_id = leads.account_id
    where overrides.record_type = 'account'

),

model_view as (

    select
        reached.override_id,
        reached.reached_lead_id,
        history.grade as model_grade,
        history.is_mql as model_is_mql
    from reached
    inner join history
        on reached.reached_lead_id = history.lead_id
    qualify row_number() over (
        partition by reached.override_id, reached.reached_lead_id
        order by
            case when history.as_of <= reached.set_at then 0 else 1 end,
            case when history.as_of <= reached.set_at then history.as_of end desc,
            history.as_of asc
    ) = 1

),

final as (

    select
        {{ dbt.hash(dbt.concat(['reached.override_id', "'|'", 'reached.reached_lead_id'])) }}
            as score_override_outcome_id,
        reached.override_id,
        reached.record_type,
        reached.reached_lead_id as lead_id,
        reached.set_by,
        reached.set_at,
        reached.override_status,
        model_view.model_grade,
        reached.override_grade,
        case
            when reached.override_grade is null or model_view.model_grade is null then 'none'
            when override_rank.grade_rank > model_rank.grade_rank then 'raised'
            when override_rank.grade_rank < model_rank.grade_rank then 'lowered'
            else 'same'
        end as grade_change,
        model_view.model_is_mql,
        reached.override_is_mql,
        case
            when reached.override_is_mql is null or model_view.model_is_mql is null then 'none'
            when reached.override_is_mql and not model_view.model_is_mql then 'qualified'
            when not reached.override_is_mql and model_view.model_is_mql then 'disqualified'
            else 'same'
        end as mql_change,
        legend.holdout_conversion_rate as model_grade_conversion_rate,
        label_policy.horizon_days,
        {{ dbt.dateadd('day', 'label_policy.horizon_days', 'reached.set_at') }}
            as horizon_ends_at,
        {{ dbt.dateadd('day', 'label_policy.horizon_days', 'reached.set_at') }}
        <= clock.as_of as is_horizon_matured,
        coalesce(
            funnel.opportunity_at > reached.set_at
            and funnel.opportunity_at <= {{ dbt.dateadd(
                'day', 'label_policy.horizon_days', 'reached.set_at') }},
            false
        ) as has_opportunity_within_horizon
    from reached
    left join model_view
        on
            reached.override_id = model_view.override_id
            and reached.reached_lead_id = model_view.reached_lead_id
    left join grade_order as model_rank
        on model_view.model_grade = model_rank.grade
    left join grade_order as override_rank
        on reached.override_grade = override_rank.grade
    left join legend
        on model_view.model_grade = legend.grade
    left join funnel
        on reached.reached_lead_id = funnel.lead_id
    cross join label_policy
    cross join clock

)

select * from final
