{#-
    One row per account with people (dim_accounts with at least one lead in dim_leads), as of
    the scoring clock:
      account_fit_score         the ideal customer profile's points for its segment, industry
                                group and region (policy_account_fit), capped at 100
      account_engagement_score  0-100 rank among these accounts of its engagement points: its
                                people's engagement activities in the window before the clock,
                                each worth exp(-ln 2 x age / half-life) (high-intent ones
                                high_intent_weight times), plus points per intent topic surging
                                in weeks that had ended (policy_account_scoring); 0 without any
      buying group              distinct people engaged in the window, and which job functions
                                and seniorities (taxonomy_job_titles via dim_leads)
      account_grade             fit letter x engagement digit by the cut-offs of policy_grades
      is_mqa                    marketing qualified account: fit, engagement and engaged people
                                at the policy_account_scoring thresholds
      account_reason            the facts above in words
      account_conversion_probability
                                the account model's calibrated probability that an
                                opportunity is created on the account within the label
                                horizon (ml_account_scores); null with
                                account_probability_note saying why when there is none
    An account's active override (score_overrides) sets effective_grade. Only activities and
    intent weeks before the clock count, so a rebuild on an old clock scores as it would then.
-#}
{%- set text = dbt.type_string() %}
{%- set unscored = 'not scored: the account had no person created before the scoring clock'
    if leadscore.account_model_enabled()
    else 'no account model on this target (built on DuckDB only, see README)' %}
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

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

-- the account model's probabilities (ml_account_scores); none on a target without it
account_probabilities as (

    select * from {{ leadscore.account_probabilities() }}

),

-- words for taxonomy codes ('revenue_operations' -> 'revenue operations'); unknowns have none
value_labels as (

    select
        feature,
        value,
        label
    from {{ ref('feature_value_labels') }}
    where
        dataset = '{{ var("dataset", "demo") }}'
        and not is_unknown
        and label <> ''

),

overrides as (

    select * from {{ ref('score_overrides') }}
    where override_status = 'active' and record_type = 'account'

),

fit_policy as (

    select policy_account_fit.*
    from {{ ref('policy_account_fit') }} as policy_account_fit
    cross join clock
    where {{ in_force('clock.as_of', 'policy_account_fit') }}

),

grade_policy as (

    select policy_grades.*
    from {{ ref('policy_grades') }} as policy_grades
    cross join clock
    where {{ in_force('clock.as_of', 'policy_grades') }}

),

settings as (

    select
        {{ policy_value('scoring_policy', 'engagement_window_days', 'integer') }}
            as engagement_window_days,
        {{ policy_value('scoring_policy', 'engagement_half_life_days', 'double') }}
            as engagement_half_life_days,
        {{ policy_value('scoring_policy', 'high_intent_weight', 'double') }}
            as high_intent_weight,
        {{ policy_value('scoring_policy', 'intent_window_days', 'integer') }}
            as intent_window_days,
        {{ policy_value('scoring_policy', 'intent_min_surge', 'double') }}
            as intent_min_surge,
        {{ policy_value('scoring_policy', 'intent_points_per_topic', 'double') }}
            as intent_points_per_topic,
        {{ policy_value('scoring_policy', 'mqa_min_fit_score', 'double') }}
            as mqa_min_fit_score,
        {{ policy_value('scoring_policy', 'mqa_min_engagement_score', 'double') }}
            as mqa_min_engagement_score,
        {{ policy_value('scoring_policy', 'mqa_min_engaged_people', 'integer') }}
            as mqa_min_engaged_people
    from {{ ref('policy_account_scoring') }} as scoring_policy
    cross join clock
    where {{ in_force('clock.as_of', 'scoring_policy') }}

),

people as (

    select
        account_id,
        count(*) as people
    from leads
    where account_id is not null
    group by account_id

),

recent_activities as (

    select
        leads.account_id,
        leads.lead_id,
        leads.job_function,
        function_labels.label as job_function_label,
        leads.seniority,
        -- recency decay: an activity half-life days old counts half
        exp(
            -ln(2) * {{ dbt.datediff('activities.activity_at', 'clock.as_of', 'day') }}
            / settings.engagement_half_life_days
        ) * case
            when activities.engagement_category = 'high_intent'
                then settings.high_intent_weight
            else 1
        end as activity_points
    from activities
    inner join leads
        on activities.lead_id = leads.lead_id
    left join value_labels as function_labels
        on
            function_labels.feature = 'job_function'
            and leads.job_function = function_labels.value
    cross join clock
    cross join settings
    where
        leads.account_id is not null
        and activities.is_engagement
        and activities.activity_at < clock.as_of
        and activities.activity_at >= {{ dbt.dateadd(
            'day', '-1 * settings.engagement_window_days', 'clock.as_of') }}

),

engagement as (

    select
        recent_activities.account_id,
        sum(recent_activities.activity_points) as activity_points,
        count(*) as engagement_activities,
        count(distinct recent_activities.lead_id) as engaged_people,
        count(distinct recent_activities.job_function) as engaged_functions,
        count(distinct recent_activities.seniority) as engaged_seniorities,
        {{ leadscore.string_agg_distinct('recent_activities.job_function_label') }}
            as engaged_function_list,
        {{ leadscore.string_agg_distinct('recent_activities.seniority') }}
            as engaged_seniority_list
    from recent_activities
    group by recent_activities.account_id

),

surging as (

    select
        intent.account_id,
        count(distinct lower(intent.topic)) as surging_topics
    from intent
    cross join clock
    cross join settings
    where
        intent.account_id is not null
        and intent.surge_score >= settings.intent_min_surge
        and {{ dbt.dateadd('day', 7, 'intent.week_start_date') }} <= clock.as_of
        and {{ dbt.dateadd('day', 7, 'intent.week_start_date') }}
        > {{ dbt.dateadd('day', '-1 * settings.intent_window_days', 'clock.as_of') }}
    group by intent.account_id

),

fit_points as (

    select
        accounts.account_id,
        sum(fit_policy.points) as points
    from accounts
    inner join fit_policy
        on
            (fit_policy.attribute = 'segment' and accounts.segment = fit_policy.value)
            or (
                fit_policy.attribute = 'industry_group'
                and accounts.industry_group = fit_policy.value
            )
            or (fit_policy.attribute = 'region' and accounts.region = fit_policy.value)
    group by accounts.account_id

),

measured as (

    select
        accounts.account_id,
        accounts.domain,
        accounts.account_name,
        accounts.sf_account_id,
        accounts.hubspot_company_id,
        accounts.segment,
        accounts.industry_group,
        accounts.region,
        people.people,
        least(coalesce(fit_points.points, 0), 100) as account_fit_score,
        coalesce(engagement.activity_points, 0)
        + coalesce(surging.surging_topics, 0) * settings.intent_points_per_topic
            as engagement_points,
        coalesce(engagement.engagement_activities, 0) as engagement_activities,
        coalesce(surging.surging_topics, 0) as surging_topics,
        coalesce(engagement.engaged_people, 0) as engaged_people,
        coalesce(engagement.engaged_functions, 0) as engaged_functions,
        coalesce(engagement.engaged_seniorities, 0) as engaged_seniorities,
        engagement.engaged_function_list,
        engagement.engaged_seniority_list
    from accounts
    inner join people
        on accounts.account_id = people.account_id
    left join fit_points
        on accounts.account_id = fit_points.account_id
    left join engagement
        on accounts.account_id = engagement.account_id
    left join surging
        on accounts.account_id = surging.account_id
    cross join settings

),

scored as (

    select
        *,
        case
            when engagement_points > 0
                then round(100 * cume_dist() over (order by engagement_points), 1)
            else 0
        end as account_engagement_score
    from measured

),

graded as (

    select
        scored.*,
        fit_grade.grade || engagement_grade.grade as account_grade,
        case
            when scored.engaged_people = 1 then '1 person engaged'
            when scored.engaged_people > 1
                then cast(scored.engaged_people as {{ text }}) || ' people engaged'
            else 'Nobody engaged'
        end
        || ' in ' || cast(settings.engagement_window_days as {{ text }}) || ' days'
        || coalesce(' (' || scored.engaged_function_list || ')', '') as people_phrase,
        case
            when scored.surging_topics = 1 then 'researching 1 intent topic'
            when scored.surging_topics > 1
                then
                    'researching '
                    || cast(scored.surging_topics as {{ text }})
                    || ' intent topics'
        end as intent_phrase,
        'fit ' || cast(cast(scored.account_fit_score as integer) as {{ text }})
        || ' (' || coalesce(replace(scored.segment, '_', ' '), 'size not known') || ', '
        || coalesce(scored.industry_group, 'industry not known') || ', '
        || coalesce(region_labels.label, 'region not known') || ')' as fit_phrase
    from scored
    left join value_labels as region_labels
        on
            region_labels.feature = 'region'
            and scored.region = region_labels.value
    cross join settings
    left join grade_policy as fit_grade
        on
            fit_grade.grade_type = 'fit'
            and scored.account_fit_score >= fit_grade.min_score
            and scored.account_fit_score < fit_grade.max_score + 0.001
    left join grade_policy as engagement_grade
        on
            engagement_grade.grade_type = 'engagement'
            and scored.account_engagement_score >= engagement_grade.min_score
            and scored.account_engagement_score < engagement_grade.max_score + 0.001

),

final as (

    select
        graded.account_id,
        graded.domain,
        graded.account_name,
        graded.sf_account_id,
        graded.hubspot_company_id,
        graded.people,
        graded.account_fit_score,
        graded.account_engagement_score,
        graded.engagement_activities,
        graded.surging_topics,
        graded.engaged_people,
        graded.engaged_functions,
        graded.engaged_seniorities,
        graded.engaged_function_list,
        graded.engaged_seniority_list,
        graded.account_grade,
        coalesce(overrides.override_grade, graded.account_grade) as effective_grade,
        overrides.override_id,
        coalesce(
            graded.account_fit_score >= settings.mqa_min_fit_score
            and graded.account_engagement_score >= settings.mqa_min_engagement_score
            and graded.engaged_people >= settings.mqa_min_engaged_people,
            false
        ) as is_mqa,
        concat_ws(
            '; ',
            graded.people_phrase,
            graded.intent_phrase,
            graded.fit_phrase
        ) as account_reason,
        account_probabilities.account_conversion_probability,
        account_probabilities.account_model_version,
        case
            when account_probabilities.account_id is null
                then '{{ unscored }}'
            else account_probabilities.account_probability_note
        end as account_probability_note,
        clock.as_of as scored_at
    from graded
    left join overrides
        on graded.account_id = overrides.account_id
    left join account_probabilities
        on graded.account_id = account_probabilities.account_id
    cross join settings
    cross join clock

)

select * from final
