{#-
    Every dated signal of a lead's interest in a product line (taxonomy_product_lines): web
    events on a product line's page and Marketo activities whose asset is that page's URL. One row per source activity; the lead's product_line as of any moment is derived
    from the rows dated before it (point in time).
-#}
with

identities as (

    select * from {{ ref('int_lead_identities_resolved') }}

),

web_events as (

    select * from {{ ref('stg_web__events') }}

),

marketo_activities as (

    select * from {{ ref('stg_marketo__activities') }}

),

product_lines as (

    select * from {{ ref('taxonomy_product_lines') }}

),

page_signals as (

    select
        product_line,
        signal_value as page_path
    from product_lines
    where signal_type = 'page_path'

),

web as (

    select
        identities.lead_id,
        page_signals.product_line,
        web_events.event_at as signal_at,
        'web' as source_system,
        web_events.event_id as source_activity_id
    from web_events
    inner join identities
        on
            identities.source_system = 'web'
            and web_events.anonymous_id = identities.source_id
    inner join page_signals
        on web_events.page_path = page_signals.page_path

),

marketo as (

    select
        identities.lead_id,
        page_signals.product_line,
        marketo_activities.activity_at as signal_at,
        'marketo' as source_system,
        marketo_activities.marketo_activity_id as source_activity_id
    from marketo_activities
    inner join identities
        on
            identities.source_system = 'marketo'
            and marketo_activities.marketo_lead_id = identities.source_id
    -- a visited or clicked page's URL ends in the page's path
    inner join page_signals
        on marketo_activities.primary_attribute_value like '%' || page_signals.page_path

),

unioned as (

    select * from web
    union all
    select * from marketo

),

final as (

    select
        {{ surrogate_key(['source_system', 'source_activity_id', 'product_line']) }}
            as product_signal_id,
        lead_id,
        product_line,
        signal_at,
        source_system,
        source_activity_id
    from unioned

)

select * from final
