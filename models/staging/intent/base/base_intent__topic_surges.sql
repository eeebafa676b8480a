{#- Every landed intent surge row, typed, with its row status (see macro row_status). -#}
with

source as (

    select
        {{ declared_columns(source('intent', 'topic_surges'), [
            'Domain', 'Company Name', 'Topic Name', 'Topic Category', 'Composite Score',
            'Week Start Date'
        ], required=['Domain', 'Topic Name', 'Composite Score', 'Week Start Date']) }}
    from {{ source('intent', 'topic_surges') }}

),

renamed as (

    select
        ----------  ids
        {{ surrogate_key([
            normalize_domain('"Domain"'), 'lower(trim("Topic Name"))',
            parse_date('"Week Start Date"', '%m/%d/%Y')
        ]) }} as topic_surge_id,

        ----------  strings
        {{ normalize_domain('"Domain"') }} as domain,
        {{ clean_text('"Company Name"') }} as company_name,
        {{ clean_text('"Topic Name"') }} as topic_name,
        {{ clean_text('"Topic Category"') }} as topic_category,

        ----------  numerics
        {{ dbt.safe_cast(dbt.safe_cast('"Composite Score"', 'double'), 'integer') }}
            as composite_score,

        ----------  booleans
        false as is_deleted,

        ----------  dates
        {{ parse_date('"Week Start Date"', '%m/%d/%Y') }} as week_start_date,

        ----------  row checks
        {{ row_checks([
            (normalize_domain('"Domain"') ~ ' is null', 'missing_domain'),
            (clean_text('"Topic Name"') ~ ' is null', 'missing_topic'),
            (parse_date('"Week Start Date"', '%m/%d/%Y') ~ ' is null',
                'unparseable_week_start_date'),
            (dbt.safe_cast('"Composite Score"', 'double') ~ ' is null', 'invalid_composite_score')
        ]) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'topic_surge_id', 'composite_score') }}
            as row_status
    from renamed

)

select * from final
