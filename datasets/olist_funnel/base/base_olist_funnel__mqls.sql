{#- Every landed MQL row, typed, with its row status (staged or rejected: reason). -#}
with

source as (

    select
        {{ declared_columns(source('olist_funnel', 'mqls'), [
            'mql_id', 'first_contact_date', 'landing_page_id', 'origin'
        ], required=['mql_id', 'first_contact_date']) }}
    from {{ source('olist_funnel', 'mqls') }}

),

renamed as (

    select
        {{ clean_text('mql_id') }} as mql_id,
        {{ parse_date('first_contact_date') }} as first_contact_date,
        {{ clean_text('landing_page_id') }} as landing_page_id,
        {{ clean_text('origin') }} as origin,
        {{ channel_of(clean_text('origin'), 'olist_funnel') }} as channel,
        false as is_deleted,
        {{ row_checks([
            (clean_text('mql_id') ~ ' is null', 'missing_id'),
            (parse_date('first_contact_date') ~ ' is null', 'unparseable_first_contact_date')
        ]) }}
    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'mql_id', 'landed_row_number') }}
            as row_status
    from renamed

)

select * from final
