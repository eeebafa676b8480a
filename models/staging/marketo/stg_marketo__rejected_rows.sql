with

rejected as (

    {{ rejected_rows_from('base_marketo__leads', 'marketo', 'leads', 'marketo_lead_id') }}
    union all
    {{ rejected_rows_from(
        'base_marketo__activities', 'marketo', 'activities', 'marketo_activity_id'
    ) }}

)

select * from rejected
