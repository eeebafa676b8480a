{#-
    The web / product events landing contract (see macros/systems/salesforce.sql). Columns are
    Segment's track/page/identify message fields as a flat export (camelCase `messageId`,
    `anonymousId`); a warehouse or file-connector copy in snake_case (`message_id`,
    `anonymous_id`, Segment's own warehouse schema names `id` for the message id) matches too.
    Timestamps carry the visitor's UTC offset.
-#}
{% macro system__web() %}{{ return(fromyaml(leadscore.system__web__yaml())) }}{% endmacro %}

{% macro system__web__yaml() %}
name: web
label: Web and product events
description: Segment-style page, track and identify events from the website and the product.
layouts:
  export:
    description: Parquet (or CSV) files of flat Segment messages, events*.parquet.
    time_zone: UTC
  fivetran:
    description: A warehouse table of the same events in snake_case (file connector or Segment warehouse), table `events`.
    time_zone: UTC
    deleted: [_fivetran_deleted]
    synced: _fivetran_synced
  airbyte:
    description: The same events as an Airbyte-synced table `events`.
    time_zone: UTC
    synced: _airbyte_extracted_at
tables:
  - name: events
    entity: events
    model: events
    description: One row per tracked message (page view, product event, identify).
    files: {export: "events*.parquet"}
    key: messageId
    latest: timestamp
    columns:
      - {name: messageId, labels: [message_id], as: event_id, type: id, required: true}
      - {name: type, as: event_type, type: text, required: true, lowercase: true, description: "page, track or identify."}
      - {name: event, as: event_name, type: text, description: Track event name (e.g. Demo Requested).}
      - {name: anonymousId, as: anonymous_id, type: id, required: true}
      - {name: userId, as: user_id, type: id}
      - {name: traits_email, labels: [context_traits_email], as: traits_email, type: email, pii: true}
      - {name: context_page_path, labels: [path], as: page_path, type: text}
      - {name: context_page_url, labels: [url], as: page_url, type: text}
      - {name: properties, as: properties, type: json}
      - {name: timestamp, as: event_at, type: timestamp, required: true}
{% endmacro %}
