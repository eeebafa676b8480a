{#- Every landed seller row, typed, with its row status. -#}
with

source as (

    select
        {{ declared_columns(source('olist_funnel', 'sellers'), [
            'seller_id', 'seller_zip_code_prefix', 'seller_city', 'seller_state'
        ], required=['seller_id']) }}
    from {{ source('olist_funnel', 'sellers') }}

),

renamed as (

    select
        {{ clean_text('seller_id') }} as seller_id,
        {{ clean_text('seller_zip_code_prefix') }} as seller_zip_code_prefix,
        {{ clean_text('seller_city') }} as seller_city,
        upper({{ clean_text('seller_state') }}) as seller_state,
        false as is_deleted,
        {{ row_checks([(clean_text('seller_id') ~ ' is null', 'missing_id')]) }}
    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'seller_id', 'landed_row_number') }}
            as row_status
    from renamed

)

select * from final
