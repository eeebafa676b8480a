"""The end of `make demo` on a real build: publish and status print a `leadscore query` command
that works when pasted, and the sales page shows every owner's call list from the real marts.

One workspace, built once from the session's canonical build (2,000 leads) plus the scoring
layer, then driven through the CLI with the same environment variables `make` exports.
"""

from __future__ import annotations

import re
import shlex
import shutil
from html import unescape
from pathlib import Path

import duckdb
import pytest
from conftest import Workspace, make_workspace
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.report.browser import find_chromium, screenshot_page
from leadscore.report.sales import rate_text

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo_flow")]

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(built_workspace: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("demo_flow")
    ws = make_workspace(root / "ws", built_workspace.raw_dir, built_workspace.truth_dir)
    shutil.copy2(built_workspace.db_path, ws.db_path)
    ws.build(["int_scoring_clock+"])
    return ws


@pytest.fixture
def env(demo: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    s = demo.settings
    for var, value in (
        ("LEADSCORE_DB", s.db_path),
        ("LEADSCORE_RAW_DIR", s.raw_dir),
        ("LEADSCORE_PUBLISHED_DIR", s.published_dir),
        ("LEADSCORE_OUTBOX_DIR", s.outbox_dir),
        ("LEADSCORE_REPORTS_DIR", s.reports_dir),
    ):
        monkeypatch.setenv(var, str(value))
    return demo


def _rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).fetchall()


def _paste(output: str) -> list[str]:
    lines = [line for line in output.splitlines() if re.search(r"leadscore query ", line)]
    assert len(lines) == 1, output
    words = shlex.split(lines[0].strip())
    assert words[0].endswith("leadscore") and words[1] == "query"
    return words[1:]


def test_publish_and_status_print_queries_that_work_when_pasted(env: Workspace) -> None:
    published = env.settings.published_dir / "leadscore.duckdb"
    result = runner.invoke(app, ["publish"])
    assert result.exit_code == 0, result.output
    pasted = runner.invoke(app, _paste(result.output))
    assert pasted.exit_code == 0, pasted.output
    for grade, leads in _rows(published, "select grade, count(*) from lead_scores group by 1"):
        assert re.search(rf"│ {grade}\s+│\s+{leads} │", pasted.stdout), (grade, pasted.stdout)

    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0, status.output
    assert str(published) in status.output and "versions/" not in status.output
    args = _paste(status.output)
    pasted = runner.invoke(app, [*args, "--csv"])
    assert pasted.exit_code == 0, pasted.output
    expected = _rows(published, args[1])
    assert len(pasted.stdout.strip().splitlines()) == len(expected) + 1 > 1


def test_sales_page_from_the_built_marts(env: Workspace, tmp_path: Path) -> None:
    db = env.db_path
    result = runner.invoke(app, ["report", "--sales", "--top", "5"])
    assert result.exit_code == 0, result.output
    index = Path(result.stdout.strip().splitlines()[-1])
    assert index == env.settings.reports_dir / "sales" / "index.html"
    html = index.read_text(encoding="utf-8")
    # One section per person (owner_key) named by the person's CRM ids; a lead without an owner
    # has owner_key null and is in the 'unassigned' section.
    person = (
        "sales_priority_queue q left join (select owner_key, "
        "string_agg(distinct owner_id, ' / ' order by owner_id) as owner_ids "
        "from sales_priority_queue where owner_key is not null group by owner_key) ids "
        "on q.owner_key = ids.owner_key"
    )
    section_of = "coalesce(ids.owner_ids, 'unassigned')"
    owners = {o for (o,) in _rows(db, f"select distinct {section_of} from {person}")}
    assert set(re.findall(r'data-owner="([^"]+)"', unescape(html))) == owners
    # The legend's rates are grade_legend's.
    for grade, rate in _rows(db, "select grade, holdout_conversion_rate from grade_legend"):
        cell = re.search(rf'<td data-grade="{grade}"[^>]*><span class="rate">([^<]+)<', html)
        assert cell and cell.group(1) == ("-" if rate is None else rate_text(rate)), grade
    # Each owner's first lead, with its own last activity (not an email sent to it).
    firsts = _rows(
        db,
        f"select {section_of}, q.company_name, q.effective_grade, "
        "(select max(a.activity_at) from fct_lead_activities a "
        " where a.lead_id = q.lead_id and a.is_engagement) "
        f"from {person} where q.priority_rank = 1",
    )
    sections = {
        unescape(m.group(1)): m.group(0)
        for m in re.finditer(
            r'<section class="card owner"[^>]*data-owner="([^"]+)".*?</section>', html, re.S
        )
    }
    for owner, company, grade, last in firsts:
        row = sections[owner].split("<tbody>", 1)[1].split("</tr>", 1)[0]
        assert '<td class="num">1</td>' in row and f">{grade}</span>" in row
        if company:
            assert unescape(company) in unescape(row)
        if last is not None:
            assert last.date().isoformat() in row
        else:
            assert "none recorded" in row
    # The working copy has names; the page leaves them out unless asked.
    first, last_name = _rows(db, "select first_name, last_name from sales_priority_queue limit 1")[
        0
    ]
    assert f"{first} {last_name}" not in unescape(html)

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium not installed: apt-get install chromium (the CI script installs it)")
    run = screenshot_page(index, tmp_path / "sales.png", chromium=chromium)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.console == [], run.console
