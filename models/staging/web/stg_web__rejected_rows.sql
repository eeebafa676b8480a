with

rejected as (

    {{ rejected_rows_from('base_web__events', 'web', 'events', 'event_id') }}

)

select * from rejected
