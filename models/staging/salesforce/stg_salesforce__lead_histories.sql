{{ staged_rows('base_salesforce__lead_histories') }}
