{#- Every landed row that staging could not use, from every system, with its reason. -#}
with

salesforce as (

    select * from {{ ref('stg_salesforce__rejected_rows') }}

),

hubspot as (

    select * from {{ ref('stg_hubspot__rejected_rows') }}

),

marketo as (

    select * from {{ ref('stg_marketo__rejected_rows') }}

),

web as (

    select * from {{ ref('stg_web__rejected_rows') }}

),

intent as (

    select * from {{ ref('stg_intent__rejected_rows') }}

),

final as (

    select * from salesforce
    union all
    select * from hubspot
    union all
    select * from marketo
    union all
    select * from web
    union all
    select * from intent

)

select * from final
