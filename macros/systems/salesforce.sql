{#-
    The Salesforce landing contract: every table staging reads, its columns, types, key and
    time semantics, and how each layout (hand export, Fivetran, Airbyte) spells them. The one
    declaration that staging, rejected rows, reconciliation, field_quality, `leadscore
    validate` and docs/contract.md are derived from (macros/contract.sql reads it in dbt,
    src/leadscore/contract.py in Python). Column names are the Salesforce API names; other
    spellings (Fivetran's `created_date`, Airbyte's `CreatedDate`) match by the spelling rule
    in docs/contract.md. Sources: Salesforce object reference, Fivetran dbt_salesforce_source
    column macros, Airbyte source-salesforce.
-#}
{% macro system__salesforce() %}{{ return(fromyaml(leadscore.system__salesforce__yaml())) }}{% endmacro %}

{% macro system__salesforce__yaml() %}
name: salesforce
label: Salesforce
description: Salesforce Sales Cloud (leads, contacts, accounts, opportunities, campaigns).
layouts:
  export:
    description: Data Loader or Data Export CSV files, API field names as headers.
    time_zone: UTC
  fivetran:
    description: Fivetran Salesforce connector tables (snake_case API names, is_deleted soft deletes).
    time_zone: UTC
    deleted: [_fivetran_deleted]
    active: _fivetran_active
    synced: _fivetran_synced
  airbyte:
    description: Airbyte source-salesforce streams (API names as columns).
    time_zone: UTC
    synced: _airbyte_extracted_at
tables:
  - name: lead
    entity: Lead
    model: leads
    description: Lead object, one row per lead record.
    files: {export: Lead.csv}
    key: Id
    latest: LastModifiedDate
    deleted: IsDeleted
    columns:
      - {name: Id, as: sf_lead_id, type: id, required: true, description: 18-character Salesforce record id.}
      - {name: IsDeleted, as: is_deleted, type: boolean, description: In the recycle bin (soft-deleted).}
      - {name: FirstName, as: first_name, type: text, pii: true}
      - {name: LastName, as: last_name, type: text, pii: true}
      - {name: Email, as: email, type: email, pii: true, description: "Email address, normalized (lower case, trimmed)."}
      - {name: Company, as: company_name, type: text}
      - {name: Title, as: job_title, type: text, pii: true, description: Job title (free text); classified by taxonomy_job_titles.}
      - {name: Industry, as: industry, type: text, description: Industry picklist value; mapped by taxonomy_industries.}
      - {name: NumberOfEmployees, as: number_of_employees, type: integer, min: 0}
      - {name: AnnualRevenue, as: annual_revenue, type: number, min: 0}
      - {name: Country, as: country, type: text}
      - {name: State, as: state, type: text}
      - {name: City, as: city, type: text}
      - {name: Website, as: website, type: text}
      - {name: LeadSource, as: lead_source, type: text, description: Lead source picklist; mapped to a channel by taxonomy_lead_sources.}
      - {name: Status, as: lead_status, type: text, description: Lead status picklist; mapped to a funnel stage.}
      - {name: Rating, as: rating, type: text, description: Hot/Warm/Cold set by sales after contact (never a feature).}
      - {name: OwnerId, as: owner_id, type: id, description: User id of the record owner.}
      - {name: IsConverted, as: is_converted, type: boolean, default: false}
      - {name: ConvertedDate, as: converted_date, type: date}
      - {name: ConvertedAccountId, as: converted_account_id, type: id}
      - {name: ConvertedContactId, as: converted_contact_id, type: id}
      - {name: ConvertedOpportunityId, as: converted_opportunity_id, type: id}
      - {name: HasOptedOutOfEmail, as: has_opted_out_of_email, type: boolean}
      - {name: CreatedDate, as: created_at, type: timestamp, required: true}
      - {name: LastModifiedDate, as: last_modified_at, type: timestamp}
  - name: account
    entity: Account
    model: accounts
    description: Account object (firmographics).
    files: {export: Account.csv}
    key: Id
    latest: LastModifiedDate
    deleted: IsDeleted
    columns:
      - {name: Id, as: sf_account_id, type: id, required: true}
      - {name: IsDeleted, as: is_deleted, type: boolean}
      - {name: Name, as: account_name, type: text}
      - {name: Website, as: website, type: text}
      - {name: Industry, as: industry, type: text}
      - {name: NumberOfEmployees, as: number_of_employees, type: integer, min: 0}
      - {name: AnnualRevenue, as: annual_revenue, type: number, min: 0}
      - {name: BillingCountry, as: billing_country, type: text}
      - {name: BillingState, as: billing_state, type: text}
      - {name: Type, as: account_type, type: text}
      - {name: OwnerId, as: owner_id, type: id}
      - {name: CreatedDate, as: created_at, type: timestamp, required: true}
      - {name: LastModifiedDate, as: last_modified_at, type: timestamp}
  - name: contact
    entity: Contact
    model: contacts
    description: Contact object (people at accounts, including converted leads).
    files: {export: Contact.csv}
    key: Id
    latest: LastModifiedDate
    deleted: IsDeleted
    columns:
      - {name: Id, as: sf_contact_id, type: id, required: true}
      - {name: IsDeleted, as: is_deleted, type: boolean}
      - {name: AccountId, as: sf_account_id, type: id}
      - {name: FirstName, as: first_name, type: text, pii: true}
      - {name: LastName, as: last_name, type: text, pii: true}
      - {name: Email, as: email, type: email, pii: true}
      - {name: Title, as: job_title, type: text, pii: true}
      - {name: LeadSource, as: lead_source, type: text}
      - {name: OwnerId, as: owner_id, type: id}
      - {name: CreatedDate, as: created_at, type: timestamp, required: true}
      - {name: LastModifiedDate, as: last_modified_at, type: timestamp}
  - name: opportunity
    entity: Opportunity
    model: opportunities
    description: Opportunity object (the outcome label comes from here).
    files: {export: Opportunity.csv}
    key: Id
    latest: LastModifiedDate
    deleted: IsDeleted
    columns:
      - {name: Id, as: sf_opportunity_id, type: id, required: true}
      - {name: IsDeleted, as: is_deleted, type: boolean}
      - {name: AccountId, as: sf_account_id, type: id}
      - {name: Name, as: opportunity_name, type: text}
      - {name: StageName, as: stage_name, type: text}
      - {name: Amount, as: amount, type: number, min: 0}
      - {name: CloseDate, as: close_date, type: date, future_ok: true, description: "Expected close date while open (a forecast, may be in the future), actual once closed."}
      - {name: IsClosed, as: is_closed, type: boolean, default: false}
      - {name: IsWon, as: is_won, type: boolean, default: false}
      - {name: LeadSource, as: lead_source, type: text}
      - {name: Type, as: opportunity_type, type: text}
      - {name: OwnerId, as: owner_id, type: id}
      - {name: CreatedDate, as: created_at, type: timestamp, required: true}
      - {name: LastModifiedDate, as: last_modified_at, type: timestamp}
  - name: campaign
    entity: Campaign
    model: campaigns
    description: Campaign object.
    files: {export: Campaign.csv}
    key: Id
    latest: CreatedDate
    deleted: IsDeleted
    optional: true
    columns:
      - {name: Id, as: sf_campaign_id, type: id, required: true}
      - {name: IsDeleted, as: is_deleted, type: boolean}
      - {name: Name, as: campaign_name, type: text}
      - {name: Type, as: campaign_type, type: text}
      - {name: Status, as: campaign_status, type: text}
      - {name: StartDate, as: start_date, type: date, future_ok: true}
      - {name: EndDate, as: end_date, type: date, future_ok: true}
      - {name: CreatedDate, as: created_at, type: timestamp, required: true}
  - name: campaign_member
    entity: CampaignMember
    model: campaign_members
    description: CampaignMember object (a lead or contact in a campaign, with its response).
    files: {export: CampaignMember.csv}
    key: Id
    latest: CreatedDate
    deleted: IsDeleted
    optional: true
    columns:
      - {name: Id, as: sf_campaign_member_id, type: id, required: true}
      - {name: IsDeleted, as: is_deleted, type: boolean}
      - {name: CampaignId, as: sf_campaign_id, type: id, required: true}
      - {name: LeadId, as: sf_lead_id, type: id}
      - {name: ContactId, as: sf_contact_id, type: id}
      - {name: Status, as: member_status, type: text}
      - {name: HasResponded, as: has_responded, type: boolean, default: false}
      - {name: FirstRespondedDate, as: first_responded_date, type: date}
      - {name: CreatedDate, as: created_at, type: timestamp, required: true}
  - name: lead_history
    entity: LeadHistory
    model: lead_histories
    description: LeadHistory object (field history of leads; status changes date the funnel).
    files: {export: LeadHistory.csv}
    key: Id
    latest: CreatedDate
    deleted: IsDeleted
    optional: true
    columns:
      - {name: Id, as: sf_lead_history_id, type: id, required: true}
      - {name: IsDeleted, as: is_deleted, type: boolean}
      - {name: LeadId, as: sf_lead_id, type: id, required: true}
      - {name: Field, as: field_name, type: text}
      - {name: OldValue, as: old_value, type: text}
      - {name: NewValue, as: new_value, type: text}
      - {name: CreatedDate, as: created_at, type: timestamp, required: true}
  - name: user
    entity: User
    model: users
    description: User object (record owners), for owner names.
    files: {export: User.csv}
    identifiers: {airbyte: user}
    key: Id
    latest: LastModifiedDate
    optional: true
    columns:
      - {name: Id, as: sf_user_id, type: id, required: true}
      - {name: Name, as: user_name, type: text, description: Full name as Salesforce shows it.}
      - {name: FirstName, as: first_name, type: text, pii: true}
      - {name: LastName, as: last_name, type: text, pii: true}
      - {name: Email, as: email, type: email, pii: true}
      - {name: IsActive, as: is_active, type: boolean}
      - {name: CreatedDate, as: created_at, type: timestamp}
      - {name: LastModifiedDate, as: last_modified_at, type: timestamp}
{% endmacro %}
