{#-
    The Marketo landing contract (see macros/systems/salesforce.sql for what a contract is).
    Column names are Marketo REST API names (bulk export headers). Fivetran lands them in
    snake_case (`first_name`, `created_at`) and splits activities into one table per activity
    type (`activity_send_email`, ... with the type's attributes as columns), which staging
    unions back into one activity log; the REST/bulk export keeps the attributes as a JSON
    array of {name, value}. Activity type ids are Marketo's standard ones (seeds/taxonomy).
-#}
{% macro system__marketo() %}{{ return(fromyaml(leadscore.system__marketo__yaml())) }}{% endmacro %}

{% macro system__marketo__yaml() %}
name: marketo
label: Marketo
description: Marketo Engage leads and their activity log.
layouts:
  export:
    description: REST or bulk-extract CSV (camelCase REST names, ISO times with Z).
    time_zone: UTC
  fivetran:
    description: Fivetran Marketo connector tables (lead; one activity_<type> table per activity type).
    time_zone: UTC
    deleted: [_fivetran_deleted]
    synced: _fivetran_synced
  airbyte:
    description: Airbyte source-marketo streams (leads, activities_<type>), REST names as columns.
    time_zone: UTC
    synced: _airbyte_extracted_at
tables:
  - name: leads
    entity: leads
    model: leads
    description: Person records in Marketo, with their Salesforce cross-references.
    files: {export: leads.csv}
    identifiers: {fivetran: lead, airbyte: leads}
    key: id
    latest: updatedAt
    columns:
      - {name: id, as: marketo_lead_id, type: id, required: true, integer_id: true, description: Marketo lead id (integer).}
      - {name: email, as: email, type: email, pii: true}
      - {name: firstName, as: first_name, type: text, pii: true}
      - {name: lastName, as: last_name, type: text, pii: true}
      - {name: company, as: company_name, type: text}
      - {name: title, as: job_title, type: text, pii: true}
      - {name: industry, as: industry, type: text}
      - {name: numberOfEmployees, as: employees_raw, type: text, description: Employee count or range as entered.}
      - {name: country, as: country, type: text}
      - {name: leadSource, as: lead_source, type: text}
      - {name: leadStatus, as: lead_status, type: text}
      - {name: sfdcLeadId, as: sfdc_lead_id, type: id}
      - {name: sfdcContactId, as: sfdc_contact_id, type: id}
      - {name: sfdcAccountId, as: sfdc_account_id, type: id}
      - {name: unsubscribed, as: is_unsubscribed, type: boolean}
      - {name: createdAt, as: created_at, type: timestamp, required: true}
      - {name: updatedAt, as: updated_at, type: timestamp}
  - name: activities
    entity: activities
    model: activities
    description: The activity log (email, web, form, program status changes), one row per activity.
    files: {export: activities.csv}
    identifiers: {airbyte: activities}
    union_tables:
      fivetran: [activity_send_email, activity_email_delivered, activity_open_email, activity_click_email, activity_visit_webpage, activity_click_link, activity_fill_out_form, activity_change_status_in_progression, activity_change_data_value, activity_email_bounced, activity_email_bounced_soft, activity_unsubscribe_email, activity_new_lead, activity_change_score, activity_add_to_list, activity_interesting_moment]
    attributes_column: attributes
    key: marketoGUID
    latest: activityDate
    columns:
      - {name: marketoGUID, fivetran: id, as: marketo_activity_id, type: id, required: true}
      - {name: leadId, as: marketo_lead_id, type: id, required: true}
      - {name: activityDate, as: activity_at, type: timestamp, required: true}
      - {name: activityTypeId, as: activity_type_id, type: integer, required: true, min: 1}
      - {name: activityTypeName, as: activity_type_name, type: text}
      - {name: primaryAttributeValueId, as: primary_attribute_value_id, type: id}
      - {name: primaryAttributeValue, as: primary_attribute_value, type: text}
      - {name: campaignId, as: marketo_campaign_id, type: id}
      - {name: attributes, as: attributes, type: json, description: "The activity's other attributes as JSON (REST: an array of {name, value}; Fivetran: an object of the type table's columns)."}
      - {name: newStatus, fivetran: new_status, attribute: New Status, as: new_status, type: text, description: "Program status after a Change Status in Progression (type 104), e.g. Webinar > Attended."}
{% endmacro %}
