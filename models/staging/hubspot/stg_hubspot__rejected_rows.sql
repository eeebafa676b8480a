with

rejected as (

    {{ rejected_rows_from(
        'base_hubspot__contacts', 'hubspot', 'contacts', 'hubspot_contact_id'
    ) }}
    union all
    {{ rejected_rows_from(
        'base_hubspot__companies', 'hubspot', 'companies', 'hubspot_company_id'
    ) }}

)

select * from rejected
