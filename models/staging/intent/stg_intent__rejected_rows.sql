with

rejected as (

    {{ rejected_rows_from(
        'base_intent__topic_surges', 'intent', 'topic_surges', 'topic_surge_id'
    ) }}

)

select * from rejected
