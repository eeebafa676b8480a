{{ staged_rows('base_x_education__leads') }}
