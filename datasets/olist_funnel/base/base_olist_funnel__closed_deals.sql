{#-
    Every landed closed-deal row, typed, with its row status. All columns are post-outcome
    (they exist only for won leads): staging keeps them for analysis, the catalog marks them
    post_contact so they never reach a model.
-#}
with

source as (

    select
        {{ declared_columns(source('olist_funnel', 'closed_deals'), [
            'mql_id', 'seller_id', 'sdr_id', 'sr_id', 'won_date', 'business_segment',
            'lead_type', 'lead_behaviour_profile', 'has_company', 'has_gtin', 'average_stock',
            'business_type', 'declared_product_catalog_size', 'declared_monthly_revenue'
        ], required=['mql_id', 'won_date']) }}
    from {{ source('olist_funnel', 'closed_deals') }}

),

renamed as (

    select
        {{ clean_text('mql_id') }} as mql_id,
        {{ clean_text('seller_id') }} as seller_id,
        {{ clean_text('sdr_id') }} as sdr_id,
        {{ clean_text('sr_id') }} as sr_id,
        {{ dbt.safe_cast('won_date', 'timestamp') }} as won_at,
        {{ clean_text('business_segment') }} as business_segment,
        {{ clean_text('lead_type') }} as lead_type,
        {{ clean_text('lead_behaviour_profile') }} as lead_behaviour_profile,
        {{ parse_boolean('has_company') }} as has_company,
        {{ parse_boolean('has_gtin') }} as has_gtin,
        {{ clean_text('average_stock') }} as average_stock,
        {{ clean_text('business_type') }} as business_type,
        {{ dbt.safe_cast('declared_product_catalog_size', 'double') }}
            as declared_product_catalog_size,
        {{ dbt.safe_cast('declared_monthly_revenue', 'double') }} as declared_monthly_revenue,
        false as is_deleted,
        {{ row_checks([
            (clean_text('mql_id') ~ ' is null', 'missing_id'),
            (dbt.safe_cast('won_date', 'timestamp') ~ ' is null', 'unparseable_won_date')
        ]) }}
    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'mql_id', 'won_at') }} as row_status
    from renamed

)

select * from final
