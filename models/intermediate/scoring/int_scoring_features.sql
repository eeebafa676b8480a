{#- Current features of every open lead at the scoring clock. -#}
with

features as (

    select * from {{ ref(leadscore.dataset_model('features')) }}

),

final as (

    select {{ star_except(ref(leadscore.dataset_model('features')), ['purpose', 'label']) }}
    from features
    where purpose = 'score'

)

select * from final
