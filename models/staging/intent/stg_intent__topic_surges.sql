{{ staged_rows('base_intent__topic_surges') }}
