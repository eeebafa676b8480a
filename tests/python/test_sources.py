"""Connect the data people really have (issue 10): connector layouts, any subset of systems,
tolerant time, and one contract for staging and validation.

Connector fixtures (tests/connectors) are written from Fivetran's and Airbyte's public
schemas, not from the generator. The layout-equivalence test rewrites the generator's export
as Fivetran lands it (`leadscore generate --layout fivetran --into-db`) and asserts the
canonical marts are identical to the session's export-layout build.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from conftest import TEST_LEADS, TEST_SEED, Workspace, make_workspace

from leadscore import contract
from leadscore.dbt import DbtError
from leadscore.generate.layouts import convert, snake_case

pytestmark = [pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[1] / "connectors"
CANONICAL_MARTS = ("dim_leads", "fct_lead_activities", "fct_lead_funnel", "fct_opportunities")
#: columns that hold when and how a row was loaded, not what it says
LOAD_METADATA = {"synced_at"}
#: ids one layout does not carry: a HubSpot UI export names a contact's owner without the
#: owner id (`hubspot:<name>`), a connector has the numeric id. owner_name and owner_key (the
#: person) are compared and must agree.
LAYOUT_IDS = {"owner_id"}


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


def only(systems: dict[str, str]) -> dict[str, object]:
    """dbt vars: the given systems in their layouts, every other system switched off."""
    out: dict[str, object] = {}
    for spec in contract.systems():
        if spec.name in systems:
            out[f"{spec.name}_layout"] = systems[spec.name]
        else:
            out[f"{spec.name}_enabled"] = False
    return out


def fixture_workspace(tmp_path: Path, layout: str) -> Workspace:
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURES / layout, raw)
    ws = make_workspace(tmp_path / "ws", raw, tmp_path / "truth")
    return ws


def build(ws: Workspace, dbt_vars: dict[str, object], *select: str) -> None:
    """One dbt invocation (a parse costs seconds): the seeds and the selection, with the tests
    whose parents are all selected (a seed is a parent of every policy gate)."""
    ws.dbt(
        [
            "build",
            "--select",
            "path:seeds",
            *select,
            "--indirect-selection",
            "cautious",
            "--vars",
            json.dumps(dbt_vars),
        ]
    )


# --- the contract rules -------------------------------------------------------------------


def test_snake_case_follows_fivetran_naming() -> None:
    assert snake_case("ConvertedDate") == "converted_date"
    assert snake_case("NumberOfEmployees") == "number_of_employees"
    assert snake_case("marketoGUID") == "marketo_guid"
    assert snake_case("Company Name") == "company_name"
    assert snake_case("Campaign Run ID") == "campaign_run_id"


def test_every_spelling_of_a_declared_column_matches() -> None:
    sf = contract.system("salesforce")
    created = sf.table("lead").column("CreatedDate")
    for spelling in ("CreatedDate", "created_date", "CREATED_DATE", "Created Date"):
        assert sf.matching_columns(created, "export", [spelling, "Other"]) == [spelling]
    hs = contract.system("hubspot")
    create = hs.table("contacts").column("createdate")
    assert hs.matching_columns(create, "fivetran", ["id", "property_createdate"]) == [
        "property_createdate"
    ]
    assert hs.matching_columns(create, "airbyte", ["properties_createdate"]) == [
        "properties_createdate"
    ]
    assert hs.matching_columns(create, "export", ["Create Date"]) == ["Create Date"]


def test_contract_docs_are_current() -> None:
    """docs/contract.md is generated from the contracts (`leadscore contract --write`)."""
    doc = contract.PROJECT_DIR / "docs" / "contract.md"
    assert doc.read_text(encoding="utf-8") == contract.render_markdown(), (
        "docs/contract.md is stale: run `leadscore contract --write`"
    )


def test_contract_files_use_only_known_keys() -> None:
    """A typo in a contract (`requried: true`) would silently do nothing: refuse it."""
    for spec in contract.systems():
        assert contract.unknown_keys(spec.path) == [], spec.path


def test_sources_yml_declares_exactly_the_contract_tables() -> None:
    import yaml

    for spec in contract.systems():
        path = contract.PROJECT_DIR / "models" / "staging" / spec.name
        doc = yaml.safe_load((path / f"_{spec.name}__sources.yml").read_text())
        (source,) = doc["sources"]
        assert source["name"] == spec.name
        assert [t["name"] for t in source["tables"]] == [t.name for t in spec.tables]
        for table in spec.tables:
            assert (path / "base" / f"{table.base_model}.sql").exists(), table.base_model
            assert (path / f"{table.staged_model}.sql").exists(), table.staged_model


# --- connector fixtures from the public schemas ---------------------------------------------


@pytest.mark.xdist_group("dbt_sources")
def test_fivetran_tables_stage_dates_times_and_deletes(tmp_path: Path) -> None:
    ws = fixture_workspace(tmp_path, "fivetran")
    dbt_vars = only({"salesforce": "fivetran", "hubspot": "fivetran", "marketo": "fivetran"})
    build(ws, dbt_vars, "path:models/staging")
    db = ws.db_path
    # a date field landed as a midnight timestamp keeps its date
    rows = dict(query(db, "select sf_lead_id, converted_date from stg_salesforce__leads"))
    assert rows["00Q1G00000nDnM5UAK"] == date(2019, 11, 11)
    assert query(db, "select close_date from stg_salesforce__opportunities") == [
        (date(2019, 12, 19),)
    ]
    # the same instant written five ways: plain, ISO Z, epoch ms, an offset
    created = query(
        db,
        "select distinct created_at from stg_salesforce__leads "
        "where sf_lead_id < '00Q1G00000nDnM9'",
    )
    assert created == [(datetime(2019, 11, 11, 17, 23, 34),)]
    # an unparseable optional date is staged as null and named, never silently
    issue = query(
        db,
        "select row_status, converted_date, parse_issues from base_salesforce__leads "
        "where sf_lead_id = '00Q1G00000nDnM7UAK'",
    )
    assert issue == [("staged", None, "converted_date")]
    # soft deletes: Salesforce's is_deleted and HubSpot's _fivetran_deleted
    statuses = dict(query(db, "select sf_lead_id, row_status from base_salesforce__leads"))
    assert statuses["00Q1G00000nDnM9UAK"] == "deleted"
    hs = dict(query(db, "select hubspot_contact_id, row_status from base_hubspot__contacts"))
    assert hs == {"78971951": "staged", "76340251": "staged", "76340252": "deleted"}
    # HubSpot ids typed DOUBLE by the connector still join: 2182162682.0 is 2182162682
    assert query(
        db,
        "select hubspot_company_id from stg_hubspot__contacts "
        "where hubspot_contact_id = '78971951'",
    ) == [("2182162682",)]
    owners = dict(query(db, "select hubspot_owner_id, owner_name from stg_hubspot__owners"))
    assert owners == {"44023296": "Sofia Rossi", "37392430": "Li Wei"}
    # Marketo: per-type activity tables unioned into one log, ` +0000` offsets read as UTC
    acts = query(
        db,
        "select marketo_activity_id, activity_type_id, activity_at, new_status "
        "from stg_marketo__activities order by activity_at",
    )
    assert acts == [
        ("88500001", 104, datetime(2020, 4, 23, 17, 0), "Attended"),
        ("58851192", 11, datetime(2020, 4, 30, 8, 5, 11), None),
        ("58851198", 11, datetime(2020, 4, 30, 8, 6, 38), None),
    ]
    # every landed row is accounted for
    ws.dbt(
        ["run", "--select", "staging_reconciliation", "--vars", __import__("json").dumps(dbt_vars)]
    )
    assert query(
        db, "select bool_and(is_reconciled), sum(landed_rows) from staging_reconciliation"
    )[0] == (True, 18)


@pytest.mark.xdist_group("dbt_sources")
def test_hubspot_instants_agree_across_export_connector_and_airbyte(tmp_path: Path) -> None:
    """Portal-local UI export, Fivetran's UTC tables and Airbyte's nested properties."""
    results = {}
    for layout in ("export", "fivetran", "airbyte"):
        ws = fixture_workspace(tmp_path / layout, layout)
        if layout == "fivetran":
            for extra in ("salesforce", "marketo"):
                shutil.rmtree(ws.raw_dir / extra)
        build(ws, only({"hubspot": layout}), "path:models/staging")
        results[layout] = query(
            ws.db_path,
            "select hubspot_contact_id, created_at, became_mql_at, hubspot_company_id, email "
            "from stg_hubspot__contacts order by 1",
        )
    assert results["export"] == results["fivetran"] == results["airbyte"], results
    assert results["export"][1][1] == datetime(2021, 4, 1, 17, 32)  # 13:32 in New York (EDT)


@pytest.mark.xdist_group("dbt_sources")
def test_custom_fields_pass_through_to_dim_leads(tmp_path: Path) -> None:
    """Fivetran lands Salesforce's `UTM_Source__c` as `utm_source_c`; the pass-through var
    names it either way and it reaches dim_leads.custom_fields."""
    ws = fixture_workspace(tmp_path, "fivetran")
    dbt_vars = only({"salesforce": "fivetran", "hubspot": "fivetran", "marketo": "fivetran"})
    dbt_vars["salesforce__lead_pass_through_columns"] = ["UTM_Source__c"]
    # models only: this fixture's unparseable ConvertedDate would stop the gate (tested below)
    models_only = ["--exclude", "resource_type:test", "--vars", json.dumps(dbt_vars)]
    ws.dbt(["build", "--select", "path:seeds", "+dim_leads", *models_only])
    rows = dict(
        query(
            ws.db_path,
            "select sf_lead_id, json_extract_string(custom_fields, '$.utm_source_c') "
            "from dim_leads where sf_lead_id is not null",
        )
    )
    assert rows["00Q1G00000nDnM5UAK"] == "google"
    assert rows["00Q1G00000nDnM6UAK"] == "partner"


@pytest.mark.xdist_group("dbt_sources")
def test_unparseable_values_are_counted_and_gated(tmp_path: Path) -> None:
    """1 of 4 staged leads has an unparseable ConvertedDate: staged as null, counted in
    field_quality, and above the policy's error share the gate stops the build."""
    ws = fixture_workspace(tmp_path, "fivetran")
    dbt_vars = json.dumps(
        only({"salesforce": "fivetran", "hubspot": "fivetran", "marketo": "fivetran"})
    )
    models_only = ["--exclude", "resource_type:test", "--vars", dbt_vars]
    ws.dbt(["build", "--select", "path:seeds", "+field_quality", *models_only])
    gate = "assert_unparseable_share_below_error_threshold"
    with pytest.raises(DbtError) as err:
        ws.dbt(["test", "--select", gate, "--vars", dbt_vars])
    message = str(err.value)
    assert gate in message
    assert "salesforce Lead.converted_date (date): 1 of 4 staged rows did not parse" in message
    rows = query(
        ws.db_path,
        "select unparseable_rows, total_rows from field_quality "
        "where source_entity = 'Lead' and column_name = 'converted_date'",
    )
    assert rows == [(1, 4)]


# --- the generator's data in every layout ------------------------------------------------------


@pytest.mark.xdist_group("dbt_canonical_schema")
def test_fivetran_tables_build_the_same_canonical_marts(
    tmp_path: Path, built_workspace: Workspace
) -> None:
    """The session's export files, landed as Fivetran tables in the warehouse: same marts."""
    ws = make_workspace(tmp_path / "ws", tmp_path / "raw", built_workspace.truth_dir)
    ws.raw_dir.mkdir()
    done = convert(built_workspace.raw_dir, "fivetran", into_db=ws.db_path)
    assert {c.table for c in done} >= {"lead", "contact", "activity_open_email", "owner"}
    dbt_vars: dict[str, object] = {}
    for spec in contract.systems():
        dbt_vars[f"{spec.name}_layout"] = "fivetran"
        dbt_vars[f"{spec.name}_schema"] = spec.name
    build(ws, dbt_vars, "path:models/staging", "path:models/intermediate", "path:models/marts/core")
    with duckdb.connect(str(ws.db_path), read_only=True) as con:
        con.sql(f"attach '{built_workspace.db_path}' as files (read_only)")
        for mart in CANONICAL_MARTS:
            cols = [
                r[0]
                for r in con.sql(
                    "select column_name from information_schema.columns where table_catalog = "
                    f"'files' and table_name = '{mart}' order by ordinal_position"
                ).fetchall()
                if r[0] not in LOAD_METADATA | LAYOUT_IDS
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            for a, b in (("files.main", "main"), ("main", "files.main")):
                diff = con.sql(
                    f"select count(*) from (select {select} from {a}.{mart} except all "
                    f"select {select} from {b}.{mart})"
                ).fetchall()[0][0]
                assert diff == 0, (mart, a, b, diff)
        converted = con.sql(
            "select count(*), count(converted_date) from stg_salesforce__leads where is_converted"
        ).fetchall()[0]
        closed = con.sql(
            "select count(*), count(close_date) from stg_salesforce__opportunities where is_closed"
        ).fetchall()[0]
    print(
        f"{TEST_LEADS} leads (seed {TEST_SEED}): converted leads / with date {converted}, "
        f"closed opportunities / with close date {closed}"
    )
    assert converted[0] > 0 and converted[0] == converted[1]
    assert closed[0] > 0 and closed[0] == closed[1]


@pytest.mark.xdist_group("dbt_sources")
@pytest.mark.parametrize("system", ["salesforce", "hubspot"])
def test_one_crm_alone_scores_leads(tmp_path: Path, system: str) -> None:
    """A company with only Salesforce (or only HubSpot) builds to lead_scores."""
    from conftest import generate_exports

    from leadscore.generate.layouts import keep_systems

    ws = make_workspace(tmp_path / "ws")
    generate_exports(ws.raw_dir, ws.truth_dir, 1500, TEST_SEED)
    keep_systems(ws.raw_dir, [system])
    build(ws, only({system: "export"}), "+lead_scores")
    rows = query(ws.db_path, "select count(*), count(conversion_probability) from lead_scores")
    assert rows[0][0] > 100 and rows[0][0] == rows[0][1], rows
