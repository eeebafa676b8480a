"""Tests of the demo-export generator (`leadscore generate`): determinism, the landing-file
contract, realism rates, truth/export agreement, the latent outcome process and the CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.generate import GenerateOptions, generate
from leadscore.generate import vocab as v
from leadscore.generate.core import GENERATED
from leadscore.generate.population import make_accounts, make_persons
from leadscore.landing import EXPORTS_BY_PATH, ExportFile

EXPORTS = tuple(EXPORTS_BY_PATH[rel] for rel in GENERATED)


def _times(spec: ExportFile) -> dict[str, str]:
    """Each dated column of a generated export and the format the generator writes it in."""
    out = {}
    for c in spec.table.columns:
        if c.type == "timestamp":
            out[c.export_header] = "hubspot_local" if spec.system == "hubspot" else "iso"
        elif c.type == "date":
            out[c.export_header] = "us_date" if "us_date" in c.formats else "date"
    return out


LEADS = 2000
SEED = 7
FREE_MAIL = {d for d, _ in v.FREE_MAIL_DOMAINS}


def _opts(root: Path, seed: int = SEED, leads: int = LEADS) -> GenerateOptions:
    # small chunks so that the multi-chunk path (appends, row groups, id counters) is tested
    return GenerateOptions(
        leads=leads, seed=seed, out=root / "raw", truth_out=root / "truth", chunk_persons=600
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> GenerateOptions:
    opts = _opts(tmp_path_factory.mktemp("gen_a"))
    generate(opts)
    return opts


def _read(opts: GenerateOptions, relpath: str) -> pd.DataFrame:
    spec = EXPORTS_BY_PATH[relpath]
    if spec.fmt == "parquet":
        return pd.concat(
            [pq.read_table(f).to_pandas() for f in sorted(opts.out.glob(relpath))],
            ignore_index=True,
        )
    return pd.read_csv(
        opts.out / relpath, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"
    )


def _norm(s: pd.Series) -> pd.Series:
    return s.str.strip().str.lower()


def _truth(opts: GenerateOptions, name: str = "persons.csv") -> pd.DataFrame:
    return pd.read_csv(opts.truth_out / name, dtype=str, keep_default_na=False, na_values=[""])


def _split_ids(col: pd.Series) -> set[str]:
    return {x for cell in col.dropna() for x in cell.split("|")}


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(f.relative_to(root)): f.read_bytes() for f in sorted(root.rglob("*")) if f.is_file()
    }


# --- determinism ------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_exports_and_truth(
    run: GenerateOptions, tmp_path: Path
) -> None:
    again = _opts(tmp_path)
    generate(again)
    for a, b in ((run.out, again.out), (run.truth_out, again.truth_out)):
        first, second = _files(a), _files(b)
        assert sorted(first) == sorted(second)
        for name in first:  # includes web/events.parquet
            assert first[name] == second[name], f"{name} differs between identical runs"


def test_other_seed_gives_other_data(run: GenerateOptions, tmp_path: Path) -> None:
    other = _opts(tmp_path, seed=SEED + 1, leads=300)
    generate(other)
    assert (other.out / "salesforce/Lead.csv").read_bytes() != (
        run.out / "salesforce/Lead.csv"
    ).read_bytes()


# --- contract -------------------------------------------------------------------------------


def test_every_export_has_exactly_the_contract_columns(run: GenerateOptions) -> None:
    for spec in EXPORTS:
        files = sorted(run.out.glob(spec.relpath))
        assert files, f"missing export {spec.relpath}"
        for f in files:
            if spec.fmt == "parquet":
                cols = tuple(pq.read_schema(f).names)
            else:
                with f.open(newline="", encoding="utf-8") as fh:
                    cols = tuple(next(csv.reader(fh)))
                raw = f.read_bytes()
                assert b"\r\n" not in raw, "CSV line ends must be \\n"
            # declared columns only, in the contract's order, every required one present
            assert cols == tuple(c for c in spec.columns if c in cols), f"{f}: {cols}"
            assert set(spec.required) <= set(cols), f"{f}: {cols}"
    truth_files = {p.name for p in run.truth_out.iterdir()}
    assert truth_files == {"persons.csv", "accounts.csv", "manifest.json"}
    assert not any(p.name.startswith(("persons", "manifest")) for p in run.out.rglob("*"))


def test_required_columns_are_filled(run: GenerateOptions) -> None:
    for spec in EXPORTS:
        df = _read(run, spec.relpath)
        assert len(df) > 0, spec.relpath
        for col in spec.required:
            assert df[col].notna().all(), f"{spec.relpath}.{col} has nulls"
        if len(spec.primary_key) == 1:
            assert df[spec.primary_key[0]].is_unique, f"{spec.relpath} key not unique"


def _sf_checksum_ok(sf_id: str) -> bool:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    suffix = ""
    for b in range(3):
        chunk = sf_id[5 * b : 5 * b + 5]
        suffix += alphabet[sum(1 << i for i, ch in enumerate(chunk) if ch.isupper())]
    return sf_id[15:] == suffix


def test_salesforce_ids_have_prefixes_and_valid_checksums(run: GenerateOptions) -> None:
    prefixes = {
        "Lead.csv": "00Q",
        "Account.csv": "001",
        "Contact.csv": "003",
        "Opportunity.csv": "006",
        "Campaign.csv": "701",
        "CampaignMember.csv": "00v",
        "LeadHistory.csv": "017",
    }
    for name, prefix in prefixes.items():
        ids = _read(run, f"salesforce/{name}")["Id"]
        assert ids.str.len().eq(18).all() and ids.str.startswith(prefix).all(), name
        assert all(_sf_checksum_ok(x) for x in ids.head(300)), name
    assert _read(run, "salesforce/Lead.csv")["OwnerId"].str.startswith("005").all()
    created = _read(run, "salesforce/Lead.csv")["CreatedDate"]
    assert created.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z").all()


def _instants(df: pd.DataFrame, col: str, fmt: str) -> pd.Series:
    s = df[col].dropna()
    if fmt == "hubspot_local":
        # portal-local wall time: the repeated hour at the end of DST is ambiguous
        local = pd.to_datetime(s, format="%Y-%m-%d %H:%M")
        return local.dt.tz_localize("America/New_York", ambiguous=np.ones(len(s), bool))
    if fmt == "us_date":
        return pd.to_datetime(s, format="%m/%d/%Y").dt.tz_localize("UTC")
    if fmt == "date":
        return pd.to_datetime(s, format="%Y-%m-%d").dt.tz_localize("UTC")
    return pd.to_datetime(s, utc=True, format="ISO8601")


def test_nothing_is_dated_after_the_export_date(run: GenerateOptions) -> None:
    export_at = pd.Timestamp(str(run.export_at), tz="UTC")
    for spec in EXPORTS:
        df = _read(run, spec.relpath)
        if spec.relpath == "salesforce/Opportunity.csv":
            # CloseDate of an open opportunity is the rep's forecast (documented exception)
            closed = df[df["IsClosed"] == "true"]
            assert (_instants(closed, "CloseDate", "date") <= export_at).all()
            df = df.drop(columns="CloseDate")
        for col, fmt in _times(spec).items():
            if col in df:
                t = _instants(df, col, fmt)
                assert len(t) == df[col].notna().sum(), f"{spec.relpath}.{col} unparseable"
                assert (t <= export_at).all(), f"{spec.relpath}.{col}: {t.max()} > {export_at}"


# --- realism ----------------------------------------------------------------------------------


def _unambiguous(table: dict[str, tuple[tuple[str, float], ...]]) -> dict[str, str]:
    seen: dict[str, str] = {}
    for key, spellings in table.items():
        for raw, _ in spellings:
            norm = raw.strip().lower()
            assert seen.get(norm, key) == key, f"{raw!r} maps to {seen[norm]} and {key}"
            seen[norm] = key
    return seen


def test_vocabularies_differ_by_system_with_variants_and_typos(run: GenerateOptions) -> None:
    sf = _read(run, "salesforce/Lead.csv")["Industry"]
    hs = _read(run, "hubspot/companies.csv")["Industry"]
    mk = _read(run, "marketo/leads.csv")["industry"]
    for values, table, at_least in (
        (sf, v.SF_INDUSTRY, 25),
        (hs, v.HUBSPOT_INDUSTRY, 18),
        (mk, v.MARKETO_INDUSTRY, 20),
    ):
        mapping = _unambiguous(table)
        distinct = set(values.dropna())
        assert len(distinct) >= at_least
        assert {x.strip().lower() for x in distinct} <= set(mapping)  # all raw values known
    assert {"Information Technology", "IT Services", "Tech"} <= set(sf)
    assert any(x != x.strip() for x in sf.dropna())  # padded variants such as "tech "
    assert hs.dropna().str.fullmatch(r"[A-Z_]+").all()  # HubSpot enum style
    assert set(sf.dropna()).isdisjoint(set(hs.dropna()))
    bands = _read(run, "hubspot/companies.csv")["Number of Employees"].dropna()
    assert set(bands) <= {label for _, label, _ in v.EMPLOYEE_BANDS}
    countries = _read(run, "salesforce/Lead.csv")["Country"].dropna()
    assert {"United States", "USA", "US"} <= set(countries)


@pytest.mark.parametrize(
    ("relpath", "column", "low", "high"),
    [
        ("salesforce/Lead.csv", "Industry", 0.05, 0.20),
        ("salesforce/Lead.csv", "NumberOfEmployees", 0.10, 0.30),
        ("salesforce/Lead.csv", "Title", 0.10, 0.25),
        ("marketo/leads.csv", "industry", 0.05, 0.20),
        ("marketo/leads.csv", "numberOfEmployees", 0.10, 0.30),
        ("marketo/leads.csv", "title", 0.10, 0.25),
        ("hubspot/contacts.csv", "Job Title", 0.10, 0.25),
    ],
)
def test_missing_value_rates(
    run: GenerateOptions, relpath: str, column: str, low: float, high: float
) -> None:
    rate = _read(run, relpath)[column].isna().mean()
    assert low <= rate <= high, f"{relpath}.{column} missing {rate:.3f}"


@pytest.mark.parametrize(
    ("relpath", "column"),
    [
        ("salesforce/Lead.csv", "Email"),
        ("hubspot/contacts.csv", "Email"),
        ("marketo/leads.csv", "email"),
    ],
)
def test_duplicate_rates_within_a_system(run: GenerateOptions, relpath: str, column: str) -> None:
    emails = _norm(_read(run, relpath)[column].dropna())
    dup_rate = 1 - emails.nunique() / len(emails)
    assert 0.01 <= dup_rate <= 0.03, f"{relpath}: {dup_rate:.3f}"


def test_emails_vary_in_case_and_padding_across_systems(run: GenerateOptions) -> None:
    emails = _read(run, "salesforce/Lead.csv")["Email"].dropna()
    assert 0.05 < (emails != emails.str.strip()).mean() < 0.25
    assert 0.05 < (emails.str.strip() != emails.str.strip().str.lower()).mean() < 0.3
    truth = _truth(run)
    assert truth["email"].eq(_norm(truth["email"])).all() and truth["email"].is_unique


def test_free_mail_share_and_never_an_account(run: GenerateOptions) -> None:
    truth = _truth(run)
    share = truth["email"].str.split("@").str[1].isin(FREE_MAIL).mean()
    assert 0.15 <= share <= 0.25
    companies = _read(run, "hubspot/companies.csv")["Company Domain Name"]
    assert not companies.str.replace("www.", "", regex=False).isin(FREE_MAIL).any()
    assert not _truth(run, "accounts.csv")["domain"].isin(FREE_MAIL).any()


def test_soft_deletes_and_open_leads(run: GenerateOptions) -> None:
    lead = _read(run, "salesforce/Lead.csv")
    deleted = (lead["IsDeleted"] == "true").mean()
    assert 0.005 <= deleted <= 0.02
    assert (lead["IsConverted"] == "false").mean() > 0.7  # many still open at the export
    assert set(lead["Status"]) <= set(v.SF_STATUS.values())
    assert set(lead["Rating"].dropna()) == {"Hot", "Warm", "Cold"}


def test_funnel_is_consistent(run: GenerateOptions) -> None:
    lead = _read(run, "salesforce/Lead.csv")
    opp = _read(run, "salesforce/Opportunity.csv")
    conv = lead[lead["IsConverted"] == "true"]
    assert set(conv["ConvertedOpportunityId"]) == set(opp["Id"])
    assert (conv["Status"] == "Closed - Converted").all()
    assert lead.loc[lead["IsConverted"] == "false", "ConvertedOpportunityId"].isna().all()
    closed = opp[opp["IsClosed"] == "true"]
    won_share = (closed["StageName"] == "Closed Won").mean()
    assert 0.2 <= won_share <= 0.45
    hist = _read(run, "salesforce/LeadHistory.csv")
    status = hist[hist["Field"] == "Status"]
    assert set(status["LeadId"]) <= set(lead["Id"])
    assert (hist["Field"] == "created").sum() == len(lead)
    converted_in_history = set(status.loc[status["NewValue"] == "Closed - Converted", "LeadId"])
    assert converted_in_history == set(conv["Id"])
    hs = _read(run, "hubspot/contacts.csv")
    for a, b in (
        ("Became a Marketing Qualified Lead Date", "Became an Opportunity Date"),
        ("Became a Sales Qualified Lead Date", "Became an Opportunity Date"),
        ("Create Date", "Became a Marketing Qualified Lead Date"),
    ):
        both = hs[[a, b]].dropna()
        assert (both[a] <= both[b]).all(), f"{a} after {b}"


# --- truth vs exports -------------------------------------------------------------------------


def test_truth_and_exports_agree_on_every_source_id(run: GenerateOptions) -> None:
    truth = _truth(run)
    lead = _read(run, "salesforce/Lead.csv")
    assert _split_ids(truth["sf_lead_ids"]) == set(lead["Id"])
    assert set(truth["sf_contact_id"].dropna()) == set(_read(run, "salesforce/Contact.csv")["Id"])
    hs = _read(run, "hubspot/contacts.csv")
    assert _split_ids(truth["hubspot_record_ids"]) == set(hs["Record ID"])
    mk = _read(run, "marketo/leads.csv")
    assert _split_ids(truth["marketo_ids"]) == set(mk["id"])
    events = _read(run, "web/events*.parquet")
    identified = set(events.loc[events["type"] == "identify", "anonymousId"])
    assert _split_ids(truth["web_anonymous_ids"]) == identified
    # each person's exported emails normalize to their canonical email
    by_id = {
        i: e
        for ids, e in zip(truth["sf_lead_ids"], truth["email"], strict=True)
        if isinstance(ids, str)
        for i in ids.split("|")
    }
    got = lead.dropna(subset=["Email"])
    assert (_norm(got["Email"]) == got["Id"].map(by_id)).all()
    # cross references point at existing records
    assert set(mk["sfdcLeadId"].dropna()) <= set(lead["Id"])
    assert set(mk["sfdcContactId"].dropna()) <= set(truth["sf_contact_id"].dropna())
    companies = _read(run, "hubspot/companies.csv")
    assert set(hs["Associated Company ID"].dropna()) <= set(companies["Record ID"])
    acts = _read(run, "marketo/activities.csv")
    assert set(acts["leadId"]) <= set(mk["id"])
    members = _read(run, "salesforce/CampaignMember.csv")
    assert set(members["CampaignId"]) <= set(_read(run, "salesforce/Campaign.csv")["Id"])
    assert set(members["LeadId"]) <= set(lead["Id"])
    accounts = _truth(run, "accounts.csv")
    assert set(truth["account_domain"]) <= set(accounts["domain"])
    manifest = json.loads((run.truth_out / "manifest.json").read_text())
    for rel, rows in manifest["rows"].items():
        assert len(_read(run, rel if "events" not in rel else "web/events*.parquet")) == rows


def test_activity_volumes_per_lead(run: GenerateOptions) -> None:
    acts = len(_read(run, "marketo/activities.csv")) / LEADS
    web = len(_read(run, "web/events*.parquet")) / LEADS
    assert 8 <= acts <= 12, acts
    assert 5 <= web <= 10, web
    attrs = _read(run, "marketo/activities.csv")["attributes"].dropna()
    parsed = json.loads(attrs.iloc[0])
    assert isinstance(parsed, list) and {"name", "value"} <= set(parsed[0])
    acts_df = _read(run, "marketo/activities.csv")
    pairs = set(zip(acts_df["activityTypeId"], acts_df["activityTypeName"], strict=True))
    known = {(str(i), n) for i, n, _, _ in v.MARKETO_ACTIVITY_TYPES} | {("12", "New Lead")}
    assert pairs <= known


# --- latent process -------------------------------------------------------------------------


def test_truth_auc_and_base_rate_at_20k(tmp_path: Path) -> None:
    opts = _opts(tmp_path, leads=20_000)
    persons = make_persons(opts, make_accounts(opts))
    auc = roc_auc_score(persons.label90, persons.p)
    base = persons.label90.mean()
    assert 0.80 <= auc <= 0.90, auc
    assert 0.08 <= base <= 0.15, base


def test_early_engagement_is_informative(run: GenerateOptions) -> None:
    """Marketo activity counted in the first 30 days after creation predicts the label."""
    truth = _truth(run)
    mk_ids = truth[["person_key", "marketo_ids", "created_at", "has_opportunity_90d"]].dropna()
    mk_ids = mk_ids.assign(mk=mk_ids["marketo_ids"].str.split("|")).explode("mk")
    acts = _read(run, "marketo/activities.csv")
    acts = acts.merge(mk_ids, left_on="leadId", right_on="mk")
    t = pd.to_datetime(acts["activityDate"], utc=True)
    created = pd.to_datetime(acts["created_at"], utc=True)
    early = acts[(t <= created + pd.Timedelta(days=30)) & (acts["activityTypeId"] != "12")]
    counts = early.groupby("person_key").size()
    people = mk_ids.drop_duplicates("person_key").set_index("person_key")
    x = counts.reindex(people.index, fill_value=0)
    y = people["has_opportunity_90d"] == "true"
    assert roc_auc_score(y, x) > 0.65


# --- CLI --------------------------------------------------------------------------------------


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["generate", *args])
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    # rich wraps messages in a box: drop the frame and line breaks before matching
    return result.exit_code, " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--leads", "0"], "--leads"),
        (["--leads", "-5"], "--leads"),
        (["--start", "2025-13-45"], "YYYY-MM-DD"),
        (["--start", "yesterday"], "YYYY-MM-DD"),
        (["--months", "0"], "--months"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(
    tmp_path: Path, args: list[str], message: str
) -> None:
    code, text = _cli([*args, "--out", str(tmp_path / "raw")])
    assert code == 2, text
    assert message in text
    assert not (tmp_path / "raw").exists()


def test_out_that_is_a_file_or_truth_inside_out_exits_2(tmp_path: Path) -> None:
    a_file = tmp_path / "raw.txt"
    a_file.write_text("not a folder")
    code, text = _cli(["--leads", "10", "--out", str(a_file)])
    assert code == 2 and "is a file" in text
    code, text = _cli(
        ["--leads", "10", "--out", str(tmp_path / "raw"), "--truth-out", str(tmp_path / "raw/t")]
    )
    assert code == 2 and "must not be inside" in text


def test_cli_generates_with_default_truth_beside_out(tmp_path: Path) -> None:
    code, text = _cli(["--leads", "60", "--seed", "3", "--out", str(tmp_path / "raw")])
    assert code == 0, text
    assert (tmp_path / "raw/salesforce/Lead.csv").exists()
    assert (tmp_path / "truth/persons.csv").exists()
    manifest = json.loads((tmp_path / "truth/manifest.json").read_text())
    assert manifest["leads"] == 60 and manifest["seed"] == 3


def test_export_date_is_start_plus_months() -> None:
    opts = GenerateOptions(leads=1, seed=1, out=Path("a"), truth_out=Path("b"), months=18)
    assert str(opts.export_at) == "2026-06-30T23:59:59"
    assert np.datetime64("2026-07-01") > opts.export_at
