{#- Current features of every open lead at the scoring clock. -#}
with

features as (

    select * from {{ ref('int_lead_features_point_in_time') }}

),

final as (

    select {{ star_except(ref('int_lead_features_point_in_time'), ['purpose', 'label']) }}
    from features
    where purpose = 'score'

)

select * from final
