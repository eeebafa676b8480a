{{ staged_rows('base_marketo__leads') }}
