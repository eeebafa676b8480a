"""The sales page (`leadscore report --sales`): each owner's call list with grades, what the
grades mean, reasons in words, account and last activity; read from a warehouse; in Chromium."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.config import PROJECT_DIR
from leadscore.report.browser import find_chromium, screenshot_page
from leadscore.report.loader import ReportDataError
from leadscore.report.sales import (
    SalesInputs,
    chance_text,
    owner_label,
    rate_text,
    reason_parts,
    render_sales_page,
)
from leadscore.report.sales_loader import load_sales_inputs

SKIP_NO_CHROMIUM = "Chromium not installed: apt-get install chromium (the CI script installs it)"
SCREENSHOT_COPY = PROJECT_DIR / "reports" / "test-screenshots" / "sales.png"
SCORED_AT = pd.Timestamp("2026-06-30 12:00:00")
LETTERS = {
    "A": "Best fit: top quarter on who they are.",
    "B": "Good fit: second quarter.",
    "C": "Partial fit: third quarter.",
    "D": "Poor fit: bottom quarter.",
}
DIGITS = {
    "1": "Very engaged: top quarter on what they do.",
    "2": "Engaged: second quarter.",
    "3": "Some engagement: third quarter.",
    "4": "Little or no engagement: bottom quarter.",
}
OWNERS = ["0055g00030000BIAAY", "Sofia Rossi", "Alex Morgan", "unassigned"]
PHRASES = [
    "Requested a demo in the last 90 days",
    "VP-level job title",
    "Company has 201-500 employees",
    "Works in financial services",
    "No web visits in the last 90 days",
    "Lead created 400 days ago",
]


def legend_frame(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i, (letter, fit) in enumerate(LETTERS.items()):
        for j, (digit, eng) in enumerate(DIGITS.items()):
            n = int(rng.integers(150, 400))
            rate = max(0.0, 0.36 - 0.07 * i - 0.06 * j)
            conversions = round(n * rate)
            rows.append(
                {
                    "grade": letter + digit,
                    "fit_letter": letter,
                    "engagement_digit": digit,
                    "fit_meaning": fit,
                    "engagement_meaning": eng,
                    "holdout_rows": n,
                    "holdout_conversions": conversions,
                    "holdout_conversion_rate": conversions / n,
                    "open_leads": int(rng.integers(10, 300)),
                }
            )
    return pd.DataFrame(rows)


def queue_frame(per_owner: int = 8, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for o, owner in enumerate(OWNERS):
        probs = np.sort(rng.uniform(0.005, 0.4, per_owner))[::-1]
        for rank, p in enumerate(probs, start=1):
            grade = "ABCD"[min(3, int((1 - p / 0.4) * 4))] + str(1 + int(rng.integers(0, 4)))
            picks = rng.choice(len(PHRASES), 3, replace=False)
            reasons = [
                f"{'Raises' if k < 3 else 'Lowers'}: {PHRASES[k]}"
                for k in sorted(int(x) for x in picks)
            ]
            rows.append(
                {
                    "lead_id": f"lead-{o}-{rank:03d}",
                    "owner_id": owner,
                    "priority_rank": rank,
                    "grade": grade,
                    "score": round(float(p) * 240),
                    "conversion_probability": float(p),
                    "expected_value": float(p * 30000),
                    "is_mql": bool(p > 0.2),
                    "company_name": f"Company {o}-{rank} Holdings International"
                    if rank != 3
                    else None,
                    "sf_lead_id": f"00Q5g0000{o}{rank:09d}",
                    "hubspot_record_id": str(30000 + 100 * o + rank) if rank % 2 else None,
                    "first_name": f"Firstname{o}{rank}",
                    "last_name": "Lastname",
                    "job_title": "VP Operations",
                    "reason_1": reasons[0],
                    "reason_2": reasons[1],
                    "reason_3": reasons[2] if rank != 4 else None,
                    "last_activity_at": (
                        None if rank == 5 else SCORED_AT - pd.Timedelta(days=int(rank * 9))
                    ),
                    "last_activity": None if rank == 5 else "Web page viewed",
                }
            )
    return pd.DataFrame(rows)


def synthetic_sales(with_names: bool = False, per_owner: int = 8) -> SalesInputs:
    queue = queue_frame(per_owner)
    owners = pd.DataFrame(
        {
            "owner_id": OWNERS,
            "owner_name": [None] * len(OWNERS),
            "queue_leads": [156, 14, 9, 229],
            "mqls": [21, 0, 2, 10],
            "queue_expected_value": [156363.0, 6648.0, 3100.0, 157899.0],
        }
    )
    return SalesInputs(
        queue=queue,
        owners=owners,
        legend=legend_frame(),
        meta={
            "scored_at": SCORED_AT,
            "horizon_days": 90,
            "model_version": "20260630T000000-his-abc",
            "with_names": with_names,
            "activity_scope": "own",
        },
        top=per_owner,
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_sales_page(synthetic_sales(), tmp_path_factory.mktemp("sales"))


def _sections(html: str) -> list[str]:
    return re.findall(r'<section class="card owner".*?</section>', html, flags=re.S)


# --------------------------------------------------------------------------- small pieces
def test_reason_parts_read_the_direction_from_the_column_then_the_text() -> None:
    assert reason_parts("Raises: VP-level job title") == ("raises", "VP-level job title")
    assert reason_parts("Lowers: Works in retail", "lowers") == ("lowers", "Works in retail")
    # The structured direction wins over the words; a bare phrase has none of its own.
    assert reason_parts("VP-level job title", "raises") == ("raises", "VP-level job title")
    assert reason_parts("+ Visited pricing page 2x") == ("raises", "Visited pricing page 2x")
    assert reason_parts("- Free-mail address") == ("lowers", "Free-mail address")
    assert reason_parts("Based in Spain") == ("", "Based in Spain")
    assert reason_parts(None) is None and reason_parts("  ") is None


def test_owner_label_prefers_the_name_and_has_one_word_for_nobody() -> None:
    assert owner_label("0055g00030000BIAAY") == "0055g00030000BIAAY"
    assert owner_label("0055g00030000BIAAY", "Dana Diaz") == "Dana Diaz"
    assert owner_label("Sofia Rossi", None) == "Sofia Rossi"
    for nobody in (None, "", "unassigned", "Unassigned"):
        assert owner_label(nobody) == "Unassigned"


def test_percent_texts() -> None:
    assert rate_text(0.3407) == "34%" and rate_text(0.0652) == "6.5%" and rate_text(0) == "0%"
    assert chance_text(0.2619) == "26%" and chance_text(0.054) == "5.4%"
    assert chance_text(0.0004) == "<0.1%" and chance_text(None) == "n/a"


# --------------------------------------------------------------------------- the page
def test_page_is_self_contained_and_has_every_owner_in_order(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert not re.search(r"(?:src|href)=\"(?!#)", html), "only in-page links"
    assert "http://" not in html and "https://" not in html
    owners = re.findall(r'data-owner="([^"]+)"', html)
    # Named owners alphabetically (ids sort as text), the unassigned queue last.
    assert owners == ["0055g00030000BIAAY", "Alex Morgan", "Sofia Rossi", "unassigned"]
    assert ">Unassigned<" in html
    # The overview links to each section.
    for i in range(len(owners)):
        assert f'href="#owner-{i}"' in html and f'id="owner-{i}"' in html


def test_each_owner_lists_its_leads_in_call_order(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    queue = queue_frame()
    sections = {re.search(r'data-owner="([^"]+)"', s).group(1): s for s in _sections(html)}
    for owner, leads in queue.groupby("owner_id"):
        section = sections[owner]
        ranks = [int(r) for r in re.findall(r'<tr><td class="num">(\d+)</td>', section)]
        assert ranks == sorted(leads["priority_rank"].tolist())
        companies = [
            c for c in leads.sort_values("priority_rank")["company_name"] if isinstance(c, str)
        ]
        positions = [section.index(c) for c in companies]
        assert positions == sorted(positions), "companies out of call order"
        assert "No company on record" in section  # rank 3 has none
        assert "none recorded" in section  # rank 5 has no activity
        # Whole-queue figures come from the owners frame, not from the shown rows.
    assert "156 leads in the queue · 21 MQLs · top 8 shown" in sections["0055g00030000BIAAY"]
    assert "9 leads in the queue · 2 MQLs · top 8 shown" in sections["Alex Morgan"]


def test_lead_rows_show_grade_chance_reasons_and_last_activity(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    lead = queue_frame().iloc[0]
    section = _sections(html)[0]
    first_row = section[section.index("<tbody>") : section.index("</tr>", section.index("<tbody>"))]
    assert f">{lead['grade']}</span>" in first_row
    assert chance_text(lead["conversion_probability"]) in first_row
    assert f"score {lead['score']}" in first_row
    assert f"{lead['expected_value']:,.0f}" in first_row
    for k in (1, 2, 3):
        direction, phrase = reason_parts(lead[f"reason_{k}"])
        mark = "up" if direction == "raises" else "down"
        assert re.search(
            rf'<li><span class="{mark}"[^>]*>[▲▼]</span> {re.escape(phrase)}</li>', first_row
        )
        assert "Raises:" not in first_row and "Lowers:" not in first_row
    last = (SCORED_AT - pd.Timedelta(days=9)).date().isoformat()
    assert last in first_row and "9 days before scoring" in first_row
    assert "Web page viewed" in first_row
    assert lead["sf_lead_id"] in first_row


def test_grade_legend_explains_the_grades_with_holdout_rates(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    legend = legend_frame()
    table = html[
        html.index('id="grade-table"') : html.index("</table>", html.index('id="grade-table"'))
    ]
    for row in legend.itertuples():
        cell = re.search(rf'<td data-grade="{row.grade}"[^>]*>(.*?)</td>', table, flags=re.S)
        assert cell, row.grade
        assert rate_text(row.holdout_conversion_rate) in cell.group(1)
        assert f"{row.holdout_rows:,} holdout leads" in cell.group(1)
    # What the best and the worst grade mean, in words and with their rate.
    a1 = legend.set_index("grade").loc["A1"]
    d4 = legend.set_index("grade").loc["D4"]
    assert f"Best fit, very engaged</b>: {rate_text(a1['holdout_conversion_rate'])}" in html
    assert (
        f"Poor fit, little or no engagement</b>: {rate_text(d4['holdout_conversion_rate'])}" in html
    )
    assert "within 90 days" in html
    base = legend["holdout_conversions"].sum() / legend["holdout_rows"].sum()
    assert f"On average {rate_text(base)} of holdout leads did." in html
    for text in (*LETTERS.values(), *DIGITS.values()):
        assert text in html


def test_names_only_when_asked(tmp_path: Path) -> None:
    without = unescape(render_sales_page(synthetic_sales(), tmp_path / "a").read_text("utf-8"))
    assert "Firstname" not in without and "VP Operations" not in without
    assert "No person's name or title is on this page" in without
    named = render_sales_page(synthetic_sales(with_names=True), tmp_path / "b")
    text = named.read_text(encoding="utf-8")
    assert "Firstname01 Lastname, VP Operations" in text
    assert "This page names people" in text


def test_page_survives_missing_optional_data(tmp_path: Path) -> None:
    queue = queue_frame(3)[["owner_id", "priority_rank", "grade"]]
    inputs = SalesInputs(queue=queue)  # no legend, no totals, no reasons, no activity
    html = render_sales_page(inputs, tmp_path).read_text(encoding="utf-8")
    assert "no grade_legend table" in html
    assert html.count('class="card owner"') == len(OWNERS)
    assert "3 leads in the queue · 0 MQLs · all shown" in html
    assert "no reasons recorded" in html and "none recorded" in html
    empty = SalesInputs(queue=queue.head(0))
    assert 'id="no-leads"' in render_sales_page(empty, tmp_path / "e").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="grade"):
        SalesInputs(queue=queue.drop(columns="grade"))


# --------------------------------------------------------------------------- warehouse + CLI
def write_warehouse(
    db: Path, *, owner_names: bool = False, optional: bool = True, cap: int | None = None
) -> None:
    """A warehouse shaped like the build's: the queue from lead_scores + dim_leads, reasons as
    words in the queue and as data in lead_scores, activities with is_engagement. With
    ``owner_names`` as the owners dimension has it (a name, 'Unassigned' for a null owner_id);
    with ``cap`` each owner's queue holds its first ``cap`` leads (the rest stay scored)."""
    queue = queue_frame(per_owner=30)
    queue["owner_id"] = queue["owner_id"].replace({"unassigned": None})
    con = duckdb.connect(str(db))
    try:
        con.register("q", queue)
        con.execute(
            "create table lead_scores as select lead_id, owner_id, priority_rank, grade, score, "
            "conversion_probability, expected_value, is_mql, reason_1, reason_2, reason_3, "
            "'raises' as reason_1_direction, 'lowers' as reason_2_direction, "
            "case when reason_3 is null then null else 'lowers' end as reason_3_direction, "
            "sf_lead_id, hubspot_record_id, 'scored' as score_status, "
            f"timestamp '{SCORED_AT}' as scored_at, 'v-test' as model_version from q"
        )
        if owner_names:
            owner = "owner_id, coalesce(upper(owner_id), 'Unassigned') as owner_name"
        else:
            owner = "coalesce(owner_id, 'unassigned') as owner_id"
        # As in the build: reason words keep their prefix, names stay in the working copy.
        con.execute(
            f"create table sales_priority_queue as select lead_id, {owner}, priority_rank, "
            "first_name, last_name, company_name, job_title, grade, score, "
            "conversion_probability, expected_value, is_mql, "
            "regexp_replace(reason_1, '^Raises: ', '') as reason_1, reason_2, reason_3, "
            "'scored' as score_status, sf_lead_id, hubspot_record_id from q "
            f"where priority_rank <= {cap or 10**9}"
        )
        if not optional:
            return
        con.execute(
            "create table fct_lead_activities as "
            "select lead_id, last_activity_at as activity_at, 'page_view' as activity_type, "
            "last_activity as activity_name, true as is_engagement from q "
            "where last_activity_at is not null union all "
            # An email sent to the lead later is not the lead's own activity.
            "select lead_id, last_activity_at + interval 2 day, 'email_sent', 'Email sent', "
            "false from q where last_activity_at is not null union all "
            "select lead_id, last_activity_at - interval 30 day, 'form_filled', 'Form filled', "
            "true from q where last_activity_at is not null"
        )
        con.register("legend", legend_frame())
        con.execute("create table grade_legend as select * from legend")
        con.execute(
            "create table policy_label as select * from (values "
            "('opportunity_90d', '1', date '2020-01-01', null::date, 90), "
            "('opportunity_60d', '2', date '2030-01-01', null::date, 60)) "
            "t(label_name, version, effective_from, effective_to, horizon_days)"
        )
    finally:
        con.close()


def test_loader_reads_the_top_of_each_queue_with_activity_and_reasons(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    write_warehouse(db)
    inputs = load_sales_inputs(db, top=10)
    queue = inputs.queue
    assert sorted(queue["owner_id"].unique()) == sorted(OWNERS)
    assert queue.groupby("owner_id").size().eq(10).all()
    assert queue.groupby("owner_id")["priority_rank"].max().eq(10).all()
    totals = inputs.owners.set_index("owner_id")
    assert totals["queue_leads"].eq(30).all()
    source = queue_frame(per_owner=30)
    expected_mqls = source.groupby("owner_id")["is_mql"].sum()
    assert totals["mqls"].to_dict() == expected_mqls.to_dict()
    row = queue.set_index("lead_id").loc["lead-1-002"]
    truth = source.set_index("lead_id").loc["lead-1-002"]
    # Last activity: the lead's own newest one, not the later email sent to it.
    assert pd.Timestamp(row["last_activity_at"]) == truth["last_activity_at"]
    assert row["last_activity"] == "Web page viewed"
    # The queue's reason_1 lost its prefix; the direction comes from lead_scores.
    assert row["reason_1_direction"] == "raises"
    assert reason_parts(row["reason_1"], row["reason_1_direction"])[0] == "raises"
    assert "first_name" not in queue.columns or queue["first_name"].isna().all()
    assert inputs.meta["horizon_days"] == 90  # the 60-day label is not in force yet
    assert pd.Timestamp(inputs.meta["scored_at"]) == SCORED_AT
    assert inputs.meta["activity_scope"] == "own"
    assert len(inputs.legend) == 16


def test_loader_prefers_owner_names_and_filters_owners(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    write_warehouse(db, owner_names=True)
    inputs = load_sales_inputs(db, top=5, owners=["SOFIA ROSSI", "unassigned"])
    assert sorted(inputs.queue["owner_id"].unique()) == ["Sofia Rossi", "unassigned"]
    html = render_sales_page(inputs, tmp_path / "out").read_text(encoding="utf-8")
    assert ">SOFIA ROSSI<" in html and ">Unassigned<" in html
    assert '<span class="muted">unassigned</span>' not in html  # nobody has no id to show
    assert '<span class="muted">Sofia Rossi</span>' in html  # a named owner's CRM id
    with pytest.raises(ReportDataError, match="no queued leads for owner"):
        load_sales_inputs(db, owners=["nobody"])


def test_a_capped_queue_says_how_many_leads_stay_scored(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    write_warehouse(db, owner_names=True, cap=12)
    inputs = load_sales_inputs(db, top=5)
    totals = inputs.owners.set_index("owner_id")
    assert totals["queue_leads"].eq(12).all() and totals["scored_leads"].eq(30).all()
    html = render_sales_page(inputs, tmp_path / "out").read_text(encoding="utf-8")
    assert html.count("12 leads in the queue (of 30 scored)") == len(OWNERS)
    # The unassigned queue (owner_id null in the build) is one section, last.
    assert re.findall(r'data-owner="([^"]+)"', html)[-1] == "unassigned"


def test_loader_without_optional_tables(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    write_warehouse(db, optional=False)
    inputs = load_sales_inputs(db, top=3, with_names=True)
    assert inputs.queue["last_activity_at"].isna().all()
    assert inputs.meta["activity_scope"] is None and inputs.meta["horizon_days"] is None
    assert inputs.queue["first_name"].notna().all()
    html = render_sales_page(inputs, tmp_path / "out").read_text(encoding="utf-8")
    assert "within the label horizon" in html and "no grade_legend table" in html


def test_cli_report_sales(tmp_path: Path) -> None:
    runner = CliRunner()
    help_text = runner.invoke(app, ["report", "--help"]).output
    assert "--sales" in help_text and "--with-names" in help_text

    missing = runner.invoke(app, ["report", "--sales", "--db", str(tmp_path / "absent.duckdb")])
    assert missing.exit_code == 2 and "no warehouse at" in missing.output
    no_queue = tmp_path / "empty.duckdb"
    duckdb.connect(str(no_queue)).close()
    result = runner.invoke(app, ["report", "--sales", "--db", str(no_queue)])
    assert result.exit_code == 2 and "sales_priority_queue" in result.output
    stray = runner.invoke(app, ["report", "--with-names", "--db", str(no_queue)])
    assert stray.exit_code == 2 and "--sales" in stray.output

    db = tmp_path / "w.duckdb"
    write_warehouse(db)
    out = tmp_path / "sales"
    ok = runner.invoke(app, ["report", "--sales", "--db", str(db), "--out", str(out), "--top", "4"])
    assert ok.exit_code == 0, ok.output
    index = Path(ok.stdout.strip().splitlines()[-1])
    assert index == out / "index.html"
    html = index.read_text(encoding="utf-8")
    assert html.count('class="card owner"') == len(OWNERS)
    assert len(re.findall(r'<tr><td class="num">\d+</td>', html)) == 4 * len(OWNERS)
    assert "Firstname" not in html
    named = runner.invoke(
        app,
        [
            "report",
            "--sales",
            "--db",
            str(db),
            "--out",
            str(out),
            "--with-names",
            "--owner",
            "Alex Morgan",
        ],
    )
    assert named.exit_code == 0, named.output
    html = index.read_text(encoding="utf-8")
    assert re.findall(r'data-owner="([^"]+)"', html) == ["Alex Morgan"]
    assert "Firstname21 Lastname" in html


# --------------------------------------------------------------------------- Chromium
@pytest.fixture(scope="module")
def chromium() -> Path:
    exe = find_chromium()
    if exe is None:
        pytest.skip(SKIP_NO_CHROMIUM)
    return exe


def test_sales_page_renders_in_chromium(chromium: Path, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "sales.png"
    run = screenshot_page(page, shot, chromium=chromium, window_size=(1280, 2400))
    assert run.returncode == 0, run.stderr[-3000:]
    SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT_COPY)
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (2400, 1280)
    assert float(pixels.std()) > 0.05, "screenshot is (nearly) blank"
    assert run.console == [], f"page printed console messages: {run.console}"
    # Nothing overflows the page: the right margin is the plain background (#f3f4f6).
    margin = pixels[:, -14:, :]
    assert np.allclose(margin, np.array([0xF3, 0xF4, 0xF6]) / 255, atol=0.02), (
        "something is drawn in the right margin (a table wider than the page?)"
    )
    # The coloured grade badges and the legend's shaded cells are really drawn.
    green = (pixels[..., 1] > pixels[..., 0] + 0.2) & (pixels[..., 1] > pixels[..., 2] + 0.1)
    assert green.sum() > 2000, "no grade badges / raising arrows visible"


def test_one_list_per_person_and_overridden_grades_say_so(tmp_path: Path) -> None:
    """owner_key joins a rep's two CRM ids into one list; an override shows the grade sales
    set, who set it and why, and the model's own grade."""
    db = tmp_path / "w.duckdb"
    write_warehouse(db, owner_names=True)
    with duckdb.connect(str(db)) as con:
        person = "case when owner_id in ('0055g00030000BIAAY', 'Sofia Rossi') then 'k-sofia' "
        for table in ("lead_scores", "sales_priority_queue"):
            con.execute(
                f"create or replace table {table} as select *, {person}"
                "when owner_id is null then null else 'k-' || owner_id end as owner_key "
                f"from {table}"
            )
        con.execute(
            "create or replace table sales_priority_queue as select * exclude (priority_rank), "
            "row_number() over (partition by owner_key order by expected_value desc) "
            "as priority_rank, "
            "case when lead_id = 'lead-2-001' then 'D4' else grade end as effective_grade, "
            "case when lead_id = 'lead-2-001' then 'Maria Lopez' end as override_set_by, "
            "case when lead_id = 'lead-2-001' then 'Left the company' end as override_reason "
            "from sales_priority_queue"
        )
        con.execute(
            "create or replace table lead_scores as select *, lead_id = 'lead-2-001' "
            "as is_overridden from lead_scores"
        )
        model_grade = con.sql(
            "select grade from sales_priority_queue where lead_id = 'lead-2-001'"
        ).fetchall()[0][0]
    inputs = load_sales_inputs(db, top=100)
    owners = sorted(inputs.queue["owner_id"].unique())
    assert owners == ["0055g00030000BIAAY / Sofia Rossi", "Alex Morgan", "unassigned"], owners
    both = inputs.queue[inputs.queue["owner_id"] == "0055g00030000BIAAY / Sofia Rossi"]
    assert sorted(both["priority_rank"]) == list(range(1, 61))
    row = inputs.queue.set_index("lead_id").loc["lead-2-001"]
    assert row["grade"] == "D4" and row["model_grade"] == model_grade
    html = render_sales_page(inputs, tmp_path / "out").read_text(encoding="utf-8")
    assert f"set by Maria Lopez: Left the company; model: {model_grade}" in html
    assert html.count("; model: ") == 1
