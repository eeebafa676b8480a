{#- One row per day: the time spine MetricFlow needs to aggregate metrics over time. -#}
with

days as (

    {{ date_days('2015-01-01', '2036-01-01') }}

),

final as (

    select * from days

)

select * from final
