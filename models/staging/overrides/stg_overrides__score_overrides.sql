{#- Staged score overrides: typed, checked rows of the overrides file, grades in upper case. -#}
with

base as (

    select * from {{ ref('base_overrides__score_overrides') }}

),

final as (

    select
        -- ids
        override_id,
        record_type,
        record_id,
        -- override values
        upper(override_grade) as override_grade,
        override_is_mql,
        -- audit
        set_by,
        override_reason,
        -- timestamps
        set_at,
        expires_at
    from base
    where row_status = 'staged'

)

select * from final
