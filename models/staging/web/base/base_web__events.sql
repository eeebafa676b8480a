{#- Every landed web event, typed (offset times to UTC), with its row status. -#}
with

source as (

    select
        {{ declared_columns(source('web', 'events'), [
            'messageId', 'type', 'event', 'anonymousId', 'userId', 'traits_email',
            'context_page_path', 'context_page_url', 'properties', 'timestamp'
        ], required=['messageId', 'type', 'anonymousId', 'timestamp']) }}
    from {{ source('web', 'events') }}

),

renamed as (

    select
        ----------  ids
        {{ clean_text('cast("messageId" as varchar)') }} as event_id,
        {{ clean_text('cast("anonymousId" as varchar)') }} as anonymous_id,
        {{ clean_text('cast("userId" as varchar)') }} as user_id,

        ----------  strings
        lower({{ clean_text('cast("type" as varchar)') }}) as event_type,
        {{ clean_text('cast("event" as varchar)') }} as event_name,
        {{ normalize_email('cast("traits_email" as varchar)') }} as traits_email,
        {{ clean_text('cast("context_page_path" as varchar)') }} as page_path,
        {{ clean_text('cast("context_page_url" as varchar)') }} as page_url,
        {{ clean_text('cast("properties" as varchar)') }} as properties,

        ----------  booleans
        false as is_deleted,

        ----------  timestamps
        {{ to_utc_timestamp('cast("timestamp" as varchar)') }} as event_at,

        ----------  row checks
        {{ row_checks([
            (clean_text('cast("messageId" as varchar)') ~ ' is null', 'missing_id'),
            (clean_text('cast("anonymousId" as varchar)') ~ ' is null', 'missing_anonymous_id'),
            (to_utc_timestamp('cast("timestamp" as varchar)') ~ ' is null',
                'unparseable_timestamp'),
            ("lower(trim(cast(type as varchar))) = 'identify' and "
                ~ is_invalid_email('cast("traits_email" as varchar)'), 'invalid_identify_email')
        ]) }}

    from source

),

final as (

    select
        *,
        {{ row_status('row_problem', 'is_deleted', 'event_id', 'event_at') }} as row_status
    from renamed

)

select * from final
