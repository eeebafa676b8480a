{{ staged_rows('base_olist_funnel__mqls') }}
