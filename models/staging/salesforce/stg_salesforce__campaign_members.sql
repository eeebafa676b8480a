{{ staged_rows('base_salesforce__campaign_members') }}
