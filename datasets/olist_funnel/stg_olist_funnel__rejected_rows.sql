with

rejected as (

    {{ rejected_rows_from('base_olist_funnel__mqls', 'olist_funnel', 'MQL', 'mql_id') }}
    union all
    {{ rejected_rows_from(
        'base_olist_funnel__closed_deals', 'olist_funnel', 'ClosedDeal', 'mql_id'
    ) }}
    union all
    {{ rejected_rows_from('base_olist_funnel__sellers', 'olist_funnel', 'Seller', 'seller_id') }}

)

select * from rejected
