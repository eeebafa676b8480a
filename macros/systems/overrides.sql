{#-
    The score overrides landing contract (see macros/systems/salesforce.sql): a rep's or sales
    ops' correction of a lead's (or an account's) grade or MQL decision, with who set it, when,
    why and until when. Kept as a CSV file (docs/overrides.md), a Google Sheet synced by a
    file connector, or a CRM custom object (e.g. Salesforce `Score_Override__c`) exported with
    these columns. Optional: without the file no override applies. Overrides change what the
    scores say (lead_scores.effective_grade, effective_is_mql, the CRM sync) and never what the
    model learns from (training reads no override).
-#}
{% macro system__overrides() %}{{ return(fromyaml(leadscore.system__overrides__yaml())) }}{% endmacro %}

{% macro system__overrides__yaml() %}
name: overrides
label: Score overrides
description: Grade and MQL overrides set by sales, with who, when, why and an expiry (docs/overrides.md).
optional: true
layouts:
  export:
    description: A CSV file kept by sales ops (score_overrides.csv, ISO timestamps in UTC).
    time_zone: UTC
  fivetran:
    description: A file or Google Sheets connector table of the same sheet (`score_overrides`), snake_case headers.
    time_zone: UTC
    deleted: [_fivetran_deleted]
    synced: _fivetran_synced
  airbyte:
    description: A file or Google Sheets stream of the same sheet (`score_overrides`).
    time_zone: UTC
    synced: _airbyte_extracted_at
tables:
  - name: score_overrides
    entity: score_overrides
    model: score_overrides
    description: One row per override a person set; a later override of the same record replaces an earlier one.
    files: {export: score_overrides.csv}
    key: Override Id
    latest: Set At
    optional: true
    columns:
      - {name: Override Id, as: override_id, type: id, required: true, description: "Any id unique in the file (a row number, the CRM record id of the override)."}
      - {name: Record Type, as: record_type, type: text, required: true, lowercase: true, description: "lead or account."}
      - {name: Record Id, as: record_id, type: id, required: true, description: "The lead's id (Salesforce Lead Id, HubSpot Record ID, Marketo id or leadscore lead_id) or the account's (Salesforce Account Id, HubSpot company Record ID, company domain or account_id)."}
      - {name: Grade, as: override_grade, type: text, description: "The grade to show instead of the model's (A1..D4); empty keeps the model's."}
      - {name: Is MQL, as: override_is_mql, type: boolean, description: "true or false to decide MQL instead of the policy; empty keeps the policy's."}
      - {name: Set By, as: set_by, type: text, required: true, description: Who set the override (name or email of the rep).}
      - {name: Set At, as: set_at, type: timestamp, required: true, description: When it was set (UTC unless an offset is given).}
      - {name: Reason, as: override_reason, type: text, required: true, description: Why (free text shown next to the grade).}
      - {name: Expires At, as: expires_at, type: timestamp, future_ok: true, description: "When it stops applying; empty: policy_overrides.default_expiry_days after Set At."}
{% endmacro %}
