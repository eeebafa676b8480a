{#- Matured training examples: one row per (lead, cutoff) with features and the label. -#}
with

features as (

    select * from {{ ref('int_lead_features_point_in_time') }}

),

final as (

    select {{ star_except(ref('int_lead_features_point_in_time'), ['purpose']) }}
    from features
    where purpose = 'train'

)

select * from final
