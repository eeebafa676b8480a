{#- One row per day: the time spine MetricFlow needs to aggregate metrics over time. -#}
with

days as (

    select cast(range as date) as date_day
    from range(date '2015-01-01', date '2036-01-01', interval 1 day)

),

final as (

    select * from days

)

select * from final
