{#-
    The HubSpot landing contract (see macros/systems/salesforce.sql for what a contract is).
    Column names are HubSpot's internal property names; `header` is the column header of a CRM
    export from the HubSpot UI (`labels`: other headers seen in exports). Fivetran lands each property as `property_<name>`
    (dbt_hubspot_source column macros), Airbyte's source-hubspot as `properties_<name>` or
    inside a `properties` JSON object. Exports from the UI carry the portal's local time with
    no offset (var `hubspot_portal_timezone`); connectors write UTC.
-#}
{% macro system__hubspot() %}{{ return(fromyaml(leadscore.system__hubspot__yaml())) }}{% endmacro %}

{% macro system__hubspot__yaml() %}
name: hubspot
label: HubSpot
description: HubSpot CRM contacts and companies.
layouts:
  export:
    description: CSV export from the HubSpot UI (column labels as headers, portal-local times).
    time_zone_var: hubspot_portal_timezone
    time_zone: America/New_York
  fivetran:
    description: Fivetran HubSpot connector tables (contact, company; property_<name> columns, UTC).
    time_zone: UTC
    column_prefix: property_
    deleted: [_fivetran_deleted, is_deleted]
    active: _fivetran_active
    synced: _fivetran_synced
  airbyte:
    description: Airbyte source-hubspot streams (contacts, companies; properties_<name> columns or a properties object, UTC).
    time_zone: UTC
    column_prefix: properties_
    json_column: properties
    deleted: [archived]
    synced: _airbyte_extracted_at
tables:
  - name: contacts
    entity: contacts
    model: contacts
    description: Contacts (people), one row per contact record.
    files: {export: contacts.csv}
    identifiers: {fivetran: contact, airbyte: contacts}
    key: id
    latest: lastmodifieddate
    columns:
      - {name: id, header: Record ID, labels: [hs_object_id], prefixed: false, as: hubspot_contact_id, type: id, required: true, description: HubSpot record id of the contact.}
      - {name: firstname, header: First Name, as: first_name, type: text, pii: true}
      - {name: lastname, header: Last Name, as: last_name, type: text, pii: true}
      - {name: email, header: Email, as: email, type: email, pii: true}
      - {name: jobtitle, header: Job Title, as: job_title, type: text, pii: true}
      - {name: phone, header: Phone Number, as: phone_number, type: text, pii: true}
      - {name: company, header: Company Name, as: company_name, type: text}
      - {name: associatedcompanyid, header: Associated Company ID, labels: [Primary Associated Company ID, Associated Company IDs], as: hubspot_company_id, type: id, first_of_list: true, description: Primary associated company (the first id when a list is exported).}
      - {name: country, header: Country/Region, labels: [Country], as: country, type: text}
      - {name: lifecyclestage, header: Lifecycle Stage, as: lifecycle_stage, type: text}
      - {name: hs_lead_status, header: Lead Status, as: lead_status, type: text}
      - {name: hs_analytics_source, header: Original Source, as: original_source, type: text}
      - {name: hs_analytics_source_data_1, header: Original Source Drill-Down 1, as: original_source_drill_down_1, type: text}
      - {name: hubspot_owner_id, header: Contact owner ID, as: hubspot_owner_id, type: id, description: Owner id (connectors); names come from the owners table.}
      - {name: contact_owner_name, header: Contact owner, prefixed: false, export_only: true, as: owner_name, type: text, description: Owner name as the UI export writes it.}
      - {name: hs_email_open, header: Marketing emails opened, as: lifetime_emails_opened, type: integer, min: 0, description: "Lifetime counter as of the export (post-contact, never a feature)."}
      - {name: hs_email_click, header: Marketing emails clicked, as: lifetime_emails_clicked, type: integer, min: 0}
      - {name: hs_analytics_num_page_views, header: Number of Pageviews, as: lifetime_pageviews, type: integer, min: 0}
      - {name: createdate, header: Create Date, as: created_at, type: timestamp, required: true}
      - {name: lastmodifieddate, header: Last Modified Date, as: last_modified_at, type: timestamp}
      - {name: hs_lifecyclestage_marketingqualifiedlead_date, header: Became a Marketing Qualified Lead Date, as: became_mql_at, type: timestamp}
      - {name: hs_lifecyclestage_salesqualifiedlead_date, header: Became a Sales Qualified Lead Date, as: became_sql_at, type: timestamp}
      - {name: hs_lifecyclestage_opportunity_date, header: Became an Opportunity Date, as: became_opportunity_at, type: timestamp}
      - {name: hs_lifecyclestage_customer_date, header: Became a Customer Date, as: became_customer_at, type: timestamp}
  - name: companies
    entity: companies
    model: companies
    description: Companies, one row per company record.
    files: {export: companies.csv}
    identifiers: {fivetran: company, airbyte: companies}
    key: id
    latest: hs_lastmodifieddate
    columns:
      - {name: id, header: Record ID, labels: [hs_object_id], prefixed: false, as: hubspot_company_id, type: id, required: true}
      - {name: name, header: Company name, as: company_name, type: text}
      - {name: domain, header: Company Domain Name, as: company_domain_raw, type: text}
      - {name: industry, header: Industry, as: industry, type: text}
      - {name: numberofemployees, header: Number of Employees, as: employees_range, type: text, description: Employee count or range label as entered.}
      - {name: annualrevenue, header: Annual Revenue, as: annual_revenue, type: number, min: 0}
      - {name: country, header: Country/Region, labels: [Country], as: country, type: text}
      - {name: createdate, header: Create Date, as: created_at, type: timestamp, required: true}
      - {name: hs_lastmodifieddate, header: Last Modified Date, as: last_modified_at, type: timestamp}
  - name: owners
    entity: owners
    model: owners
    description: Owners (users who own records); gives owner names to ids.
    files: {export: owners.csv}
    identifiers: {fivetran: owner, airbyte: owners}
    key: owner_id
    latest: updated_at
    optional: true
    columns:
      - {name: owner_id, header: id, labels: [Owner ID], prefixed: false, as: hubspot_owner_id, type: id, required: true}
      - {name: first_name, header: firstName, labels: [First Name], prefixed: false, as: first_name, type: text, pii: true}
      - {name: last_name, header: lastName, labels: [Last Name], prefixed: false, as: last_name, type: text, pii: true}
      - {name: email, header: Email, prefixed: false, as: email, type: email, pii: true}
      - {name: updated_at, header: updatedAt, prefixed: false, as: updated_at, type: timestamp}
{% endmacro %}
