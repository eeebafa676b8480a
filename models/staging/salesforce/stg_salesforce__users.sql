{{ staged_rows('base_salesforce__users') }}
