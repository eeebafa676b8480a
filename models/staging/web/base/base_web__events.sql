{#- Every landed web event, typed by the web contract (UTC), with its row status. -#}
{{ config(materialized='table') }}

with

landed as (

    {{ landed_rows('web', 'events', checks=[
        ("event_type = 'identify' and contains(coalesce(parse_issues, ''), 'traits_email')",
            'invalid_identify_email'),
    ]) }}

),

final as (

    select * from landed

)

select * from final
