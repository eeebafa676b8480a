{#-
    Every landed score override, typed by the overrides contract, with its row status. Beyond
    the contract's checks, a row is rejected when it names no known record type, a grade
    outside the policy's letters x digits, neither a grade nor an MQL decision, an MQL decision
    or expiry that does not parse (a rep's decision is never dropped to null), or an expiry at
    or before the time it was set.
-#}
{{ config(materialized='table') }}
{%- set grades -%}
    select fit_grades.grade || engagement_grades.grade
    from {{ ref('policy_grades') }} as fit_grades
    cross join {{ ref('policy_grades') }} as engagement_grades
    where fit_grades.grade_type = 'fit' and engagement_grades.grade_type = 'engagement'
{%- endset %}

with

landed as (

    {{ landed_rows('overrides', 'score_overrides', checks=[
        ("record_type not in ('lead', 'account')", 'invalid_record_type'),
        ("contains(coalesce(parse_issues, ''), 'override_is_mql')",
            'unparseable_override_is_mql'),
        ("contains(coalesce(parse_issues, ''), 'expires_at')", 'unparseable_expires_at'),
        ('override_grade is null and override_is_mql is null', 'no_override_value'),
        ('override_grade is not null and upper(override_grade) not in (' ~ grades ~ ')',
            'invalid_grade'),
        ('expires_at is not null and expires_at <= set_at', 'expires_before_set'),
    ]) }}

),

final as (

    select * from landed

)

select * from final
