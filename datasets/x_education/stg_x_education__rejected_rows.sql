with

rejected as (

    {{ rejected_rows_from('base_x_education__leads', 'x_education', 'Leads', 'prospect_id') }}

)

select * from rejected
