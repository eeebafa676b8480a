{{ staged_rows('base_hubspot__owners') }}
