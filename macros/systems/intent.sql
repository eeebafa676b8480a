{#-
    The third-party intent landing contract (see macros/systems/salesforce.sql): weekly topic
    surge scores per company domain, as a Bombora-style Company Surge report. A file connector
    copy (Fivetran or Airbyte) of the same report lands the headers in snake_case.
-#}
{% macro system__intent() %}{{ return(fromyaml(leadscore.system__intent__yaml())) }}{% endmacro %}

{% macro system__intent__yaml() %}
name: intent
label: Intent data
description: Weekly topic surge scores per company domain (Bombora-style Company Surge).
layouts:
  export:
    description: The weekly report as CSV (US dates, MM/DD/YYYY).
    time_zone: UTC
  fivetran:
    description: A file-connector table of the report, snake_case headers (`topic_surges`).
    time_zone: UTC
    deleted: [_fivetran_deleted]
    synced: _fivetran_synced
  airbyte:
    description: A file-source stream of the report (`topic_surges`).
    time_zone: UTC
    synced: _airbyte_extracted_at
tables:
  - name: topic_surges
    entity: topic_surges
    model: topic_surges
    description: One row per company domain, topic and week.
    files: {export: topic_surges.csv}
    key: [Domain, Topic Name, Week Start Date]
    latest: Composite Score
    columns:
      - {name: Domain, as: domain, type: domain, required: true, description: "Company web domain, normalized to the bare host."}
      - {name: Company Name, as: company_name, type: text}
      - {name: Topic Name, as: topic_name, type: text, required: true, fold_case_in_key: true}
      - {name: Topic Category, as: topic_category, type: text}
      - {name: Composite Score, as: composite_score, type: integer, required: true, min: 0, max: 100}
      - {name: Week Start Date, as: week_start_date, type: date, required: true, formats: [us_date]}
{% endmacro %}
