{{ staged_rows('base_marketo__activities') }}
