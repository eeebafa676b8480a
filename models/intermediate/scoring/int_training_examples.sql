{#- Matured training examples: one row per (lead, cutoff) with features and the label. -#}
with

features as (

    select * from {{ ref(leadscore.dataset_model('features')) }}

),

final as (

    select {{ star_except(ref(leadscore.dataset_model('features')), ['purpose']) }}
    from features
    where purpose = 'train'

)

select * from final
