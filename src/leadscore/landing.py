"""The landing-file contract in code: every export file, its columns, key and parse rules.

One place for the shape of raw exports (docs/exports.md is the prose version). The demo
generator writes exactly these columns; `leadscore validate` checks landed files against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

FileFormat = Literal["csv", "parquet"]
TimeFormat = Literal["sf_datetime", "date", "hubspot_local", "iso_z", "iso_offset", "us_date"]


@dataclass(frozen=True)
class ExportFile:
    """One export table as a source system writes it."""

    system: str
    name: str  # file name relative to <raw>/<system>/ (a glob for split files)
    columns: tuple[str, ...]
    primary_key: str
    required: tuple[str, ...] = ()  # must be present and non-empty on every row
    times: dict[str, TimeFormat] = field(default_factory=dict)
    numerics: tuple[str, ...] = ()
    fmt: FileFormat = "csv"

    @property
    def relpath(self) -> str:
        return f"{self.system}/{self.name}"

    def path(self, raw_dir: Path) -> Path:
        return raw_dir / self.system / self.name


_SF_AUDIT = ("CreatedDate", "LastModifiedDate")

EXPORTS: tuple[ExportFile, ...] = (
    ExportFile(
        "salesforce",
        "Lead.csv",
        (
            "Id",
            "IsDeleted",
            "FirstName",
            "LastName",
            "Email",
            "Company",
            "Title",
            "Industry",
            "NumberOfEmployees",
            "AnnualRevenue",
            "Country",
            "State",
            "City",
            "Website",
            "LeadSource",
            "Status",
            "Rating",
            "OwnerId",
            "IsConverted",
            "ConvertedDate",
            "ConvertedAccountId",
            "ConvertedContactId",
            "ConvertedOpportunityId",
            "HasOptedOutOfEmail",
            *_SF_AUDIT,
        ),
        "Id",
        required=("Id", "CreatedDate"),
        times={
            "CreatedDate": "sf_datetime",
            "LastModifiedDate": "sf_datetime",
            "ConvertedDate": "date",
        },
        numerics=("NumberOfEmployees", "AnnualRevenue"),
    ),
    ExportFile(
        "salesforce",
        "Account.csv",
        (
            "Id",
            "IsDeleted",
            "Name",
            "Website",
            "Industry",
            "NumberOfEmployees",
            "AnnualRevenue",
            "BillingCountry",
            "BillingState",
            "Type",
            "OwnerId",
            *_SF_AUDIT,
        ),
        "Id",
        required=("Id", "CreatedDate"),
        times={"CreatedDate": "sf_datetime", "LastModifiedDate": "sf_datetime"},
        numerics=("NumberOfEmployees", "AnnualRevenue"),
    ),
    ExportFile(
        "salesforce",
        "Contact.csv",
        (
            "Id",
            "IsDeleted",
            "AccountId",
            "FirstName",
            "LastName",
            "Email",
            "Title",
            "LeadSource",
            "OwnerId",
            *_SF_AUDIT,
        ),
        "Id",
        required=("Id", "CreatedDate"),
        times={"CreatedDate": "sf_datetime", "LastModifiedDate": "sf_datetime"},
    ),
    ExportFile(
        "salesforce",
        "Opportunity.csv",
        (
            "Id",
            "IsDeleted",
            "AccountId",
            "Name",
            "StageName",
            "Amount",
            "CloseDate",
            "IsClosed",
            "IsWon",
            "LeadSource",
            "Type",
            "OwnerId",
            *_SF_AUDIT,
        ),
        "Id",
        required=("Id", "CreatedDate"),
        times={
            "CreatedDate": "sf_datetime",
            "LastModifiedDate": "sf_datetime",
            "CloseDate": "date",
        },
        numerics=("Amount",),
    ),
    ExportFile(
        "salesforce",
        "Campaign.csv",
        ("Id", "IsDeleted", "Name", "Type", "Status", "StartDate", "EndDate", "CreatedDate"),
        "Id",
        required=("Id", "CreatedDate"),
        times={"CreatedDate": "sf_datetime", "StartDate": "date", "EndDate": "date"},
    ),
    ExportFile(
        "salesforce",
        "CampaignMember.csv",
        (
            "Id",
            "IsDeleted",
            "CampaignId",
            "LeadId",
            "ContactId",
            "Status",
            "HasResponded",
            "FirstRespondedDate",
            "CreatedDate",
        ),
        "Id",
        required=("Id", "CampaignId", "CreatedDate"),
        times={"CreatedDate": "sf_datetime", "FirstRespondedDate": "date"},
    ),
    ExportFile(
        "salesforce",
        "LeadHistory.csv",
        ("Id", "IsDeleted", "LeadId", "Field", "OldValue", "NewValue", "CreatedDate"),
        "Id",
        required=("Id", "LeadId", "CreatedDate"),
        times={"CreatedDate": "sf_datetime"},
    ),
    ExportFile(
        "hubspot",
        "contacts.csv",
        (
            "Record ID",
            "First Name",
            "Last Name",
            "Email",
            "Job Title",
            "Phone Number",
            "Company Name",
            "Associated Company ID",
            "Country/Region",
            "Lifecycle Stage",
            "Lead Status",
            "Original Source",
            "Original Source Drill-Down 1",
            "Contact owner",
            "Marketing emails opened",
            "Marketing emails clicked",
            "Number of Pageviews",
            "Create Date",
            "Last Modified Date",
            "Became a Marketing Qualified Lead Date",
            "Became a Sales Qualified Lead Date",
            "Became an Opportunity Date",
            "Became a Customer Date",
        ),
        "Record ID",
        required=("Record ID", "Create Date"),
        times={
            "Create Date": "hubspot_local",
            "Last Modified Date": "hubspot_local",
            "Became a Marketing Qualified Lead Date": "hubspot_local",
            "Became a Sales Qualified Lead Date": "hubspot_local",
            "Became an Opportunity Date": "hubspot_local",
            "Became a Customer Date": "hubspot_local",
        },
        numerics=("Marketing emails opened", "Marketing emails clicked", "Number of Pageviews"),
    ),
    ExportFile(
        "hubspot",
        "companies.csv",
        (
            "Record ID",
            "Company name",
            "Company Domain Name",
            "Industry",
            "Number of Employees",
            "Annual Revenue",
            "Country/Region",
            "Create Date",
            "Last Modified Date",
        ),
        "Record ID",
        required=("Record ID", "Create Date"),
        times={"Create Date": "hubspot_local", "Last Modified Date": "hubspot_local"},
        numerics=("Annual Revenue",),
    ),
    ExportFile(
        "marketo",
        "leads.csv",
        (
            "id",
            "email",
            "firstName",
            "lastName",
            "company",
            "title",
            "industry",
            "numberOfEmployees",
            "country",
            "leadSource",
            "leadStatus",
            "sfdcLeadId",
            "sfdcContactId",
            "sfdcAccountId",
            "unsubscribed",
            "createdAt",
            "updatedAt",
        ),
        "id",
        required=("id", "createdAt"),
        times={"createdAt": "iso_z", "updatedAt": "iso_z"},
        numerics=("numberOfEmployees",),
    ),
    ExportFile(
        "marketo",
        "activities.csv",
        (
            "marketoGUID",
            "leadId",
            "activityDate",
            "activityTypeId",
            "activityTypeName",
            "primaryAttributeValueId",
            "primaryAttributeValue",
            "campaignId",
            "attributes",
        ),
        "marketoGUID",
        required=("marketoGUID", "leadId", "activityDate", "activityTypeId"),
        times={"activityDate": "iso_z"},
        numerics=("activityTypeId",),
    ),
    ExportFile(
        "web",
        "events*.parquet",
        (
            "messageId",
            "type",
            "event",
            "anonymousId",
            "userId",
            "traits_email",
            "context_page_path",
            "context_page_url",
            "properties",
            "timestamp",
        ),
        "messageId",
        required=("messageId", "type", "anonymousId", "timestamp"),
        times={"timestamp": "iso_offset"},
        fmt="parquet",
    ),
    ExportFile(
        "intent",
        "topic_surges.csv",
        (
            "Domain",
            "Company Name",
            "Topic Name",
            "Topic Category",
            "Composite Score",
            "Week Start Date",
        ),
        "",  # composite key: Domain + Topic Name + Week Start Date
        required=("Domain", "Topic Name", "Composite Score", "Week Start Date"),
        times={"Week Start Date": "us_date"},
        numerics=("Composite Score",),
    ),
)

EXPORTS_BY_PATH: dict[str, ExportFile] = {e.relpath: e for e in EXPORTS}
INTENT_KEY: tuple[str, ...] = ("Domain", "Topic Name", "Week Start Date")
SYSTEMS: tuple[str, ...] = ("salesforce", "hubspot", "marketo", "web", "intent")
