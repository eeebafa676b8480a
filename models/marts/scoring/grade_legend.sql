{#-
    What each grade means and how it converts: one row per grade A1..D4 with the policy's
    words for its fit letter and engagement digit, the champion's honest holdout conversion
    (rows graded by the evaluation model, see ml_holdout_predictions) and today's open leads.
    Read by `leadscore status` and the model report.
-#}
with

clock as (

    select * from {{ ref('int_scoring_clock') }}

),

grade_policy as (

    select policy_grades.*
    from {{ ref('policy_grades') }} as policy_grades
    cross join clock
    where {{ in_force('clock.as_of', 'policy_grades') }}

),

holdout as (

    select * from {{ ref('ml_holdout_predictions') }}

),

scores as (

    select * from {{ ref('lead_scores') }}

),

letters as (

    select
        cast(grade as {{ dbt.type_string() }}) as fit_letter,
        description as fit_meaning,
        min_score as fit_min_score
    from grade_policy
    where grade_type = 'fit'

),

digits as (

    select
        cast(grade as {{ dbt.type_string() }}) as engagement_digit,
        description as engagement_meaning,
        min_score as engagement_min_score
    from grade_policy
    where grade_type = 'engagement'

),

holdout_by_grade as (

    select
        grade,
        max(model_version) as model_version,
        count(*) as holdout_rows,
        sum(label) as holdout_conversions
    from holdout
    where grade is not null
    group by grade

),

open_by_grade as (

    select
        grade,
        count(*) as open_leads
    from scores
    where grade is not null
    group by grade

),

final as (

    select
        letters.fit_letter || digits.engagement_digit as grade,
        letters.fit_letter,
        digits.engagement_digit,
        letters.fit_meaning,
        digits.engagement_meaning,
        letters.fit_min_score,
        digits.engagement_min_score,
        holdout_by_grade.model_version,
        coalesce(holdout_by_grade.holdout_rows, 0) as holdout_rows,
        coalesce(holdout_by_grade.holdout_conversions, 0) as holdout_conversions,
        cast(holdout_by_grade.holdout_conversions as double)
        / nullif(holdout_by_grade.holdout_rows, 0) as holdout_conversion_rate,
        coalesce(open_by_grade.open_leads, 0) as open_leads
    from letters
    cross join digits
    left join holdout_by_grade
        on letters.fit_letter || digits.engagement_digit = holdout_by_grade.grade
    left join open_by_grade
        on letters.fit_letter || digits.engagement_digit = open_by_grade.grade

)

select * from final
