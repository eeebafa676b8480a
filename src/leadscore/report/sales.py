"""The sales page: each owner's call list, for a sales manager and the reps, not an analyst.

One self-contained HTML file (inline CSS, no script, no image, no external URL): it opens from
disk, prints (one owner per page) and survives being mailed. At the top, how to read a grade
(what the letter and the digit mean, from `grade_legend`, and how each grade converted on the
holdout); then an overview of the owners with links; then per owner the top leads in the order
to call them (priority_rank), each with its grade, chance of an opportunity, expected value,
the three reasons in words (raises / lowers), the account and the lead's last own activity.

`render_sales_page(inputs, out_dir)` works from plain DataFrames (`SalesInputs`);
`leadscore.report.sales_loader.load_sales_inputs` reads them from the warehouse.
"""

from __future__ import annotations

import html
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from leadscore.report.charts import grade_sort_key

QUEUE_COLUMNS: tuple[str, ...] = (
    "lead_id",
    "owner_id",
    "owner_name",
    "priority_rank",
    "grade",
    "score",
    "conversion_probability",
    "expected_value",
    "is_mql",
    "company_name",
    "sf_lead_id",
    "hubspot_record_id",
    "first_name",
    "last_name",
    "job_title",
    "reason_1",
    "reason_2",
    "reason_3",
    "reason_1_direction",
    "reason_2_direction",
    "reason_3_direction",
    "score_status",
    "last_activity_at",
    "last_activity",
)
REQUIRED: tuple[str, ...] = ("owner_id", "priority_rank", "grade")
UNASSIGNED = "unassigned"
ACTIVITY_NOTES: dict[str | None, str] = {
    "own": "Last activity is the lead's own latest action (a visit, click, form or event), "
    "not an email sent to it.",
    "any": "Last activity is the latest activity recorded for the lead.",
    None: "No activity table in this warehouse: last activity is not shown.",
}
_PREFIX = re.compile(r"^\s*(raises|lowers|[+-])\s*:?\s+", re.IGNORECASE)

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f3f4f6;color:#111827;
 font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:20px 24px 32px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:0 0 6px}
h3{font-size:15px;margin:12px 0 6px}
a{color:#1d4ed8}
.sub{color:#4b5563;margin:0 0 16px}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:16px 18px;
 margin-bottom:16px}
.cols{display:grid;grid-template-columns:minmax(0,1.1fr) minmax(0,1fr);gap:20px;
 align-items:start}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;vertical-align:top}
thead th{font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:#6b7280;
 border-bottom:2px solid #e5e7eb;font-weight:600}
tbody tr{border-bottom:1px solid #f3f4f6}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;min-width:2.4em;text-align:center;border-radius:6px;
 padding:2px 6px;font-weight:700;color:#fff;font-size:14px}
.fit-0{background:#15803d}.fit-1{background:#0e7490}.fit-2{background:#b45309}
.fit-3{background:#6b7280}.fit-x{background:#9ca3af}
table.legend th,table.legend td{text-align:center;border:1px solid #e5e7eb;padding:6px}
table.legend th.row{text-align:left;font-size:13px;text-transform:none;letter-spacing:0;
 color:#111827}
table.legend thead th{font-size:12px;text-transform:none;letter-spacing:0;color:#374151}
table.legend td .rate{display:block;font-weight:700;font-size:15px;color:#111827}
table.legend td .n{display:block;font-size:11px;color:#4b5563}
dl.meanings{display:grid;grid-template-columns:max-content 1fr;gap:3px 10px;margin:0;
 font-size:13.5px}
dl.meanings dt{font-weight:700}dl.meanings dd{margin:0;color:#374151}
.keynote{background:#eff6ff;border:1px solid #bfdbfe;border-radius:6px;padding:10px 12px;
 margin:0 0 12px}
.owner h2{display:flex;justify-content:space-between;align-items:baseline;gap:12px;
 flex-wrap:wrap}
.owner h2 .facts{font-size:13px;font-weight:400;color:#4b5563}
.lead .company{font-weight:700}
.lead .ids,.muted{color:#6b7280;font-size:12.5px}
.pill{display:inline-block;border-radius:999px;padding:0 7px;font-size:11.5px;font-weight:700;
 background:#dcfce7;color:#166534;margin-left:4px;vertical-align:1px}
.chance{font-weight:700;font-size:16px}
.bar{height:6px;background:#e5e7eb;border-radius:3px;margin-top:4px;width:90px}
.bar span{display:block;height:6px;background:#2563eb;border-radius:3px}
ul.why{list-style:none;margin:0;padding:0}
ul.why li{padding-left:1.3em;text-indent:-1.3em;margin:1px 0}
table.calls{table-layout:fixed}
table.calls col.rank{width:40px}table.calls col.grade{width:66px}
table.calls col.lead{width:22%}table.calls col.chance{width:14%}
table.calls col.ev{width:9%}table.calls col.activity{width:15%}
ul.examples{list-style:none;margin:0 0 12px;padding:0}ul.examples li{margin:4px 0}
nav.owners table{max-width:820px}
.up{color:#15803d;font-weight:700}.down{color:#b91c1c;font-weight:700}
.none{color:#9ca3af}
.foot{color:#6b7280;font-size:12px;margin-top:14px}
@media print{body{background:#fff}main{max-width:none;padding:0}
 .card{border:none;padding:0}section.owner{break-before:page}nav.owners a{color:inherit}}
"""


@dataclass
class SalesInputs:
    """Inputs of the sales page.

    - ``queue``: the leads to show, one row each (columns of ``QUEUE_COLUMNS``; only
      owner_id, priority_rank and grade are required, the others may be absent or null).
    - ``owners``: per owner_id the whole queue's figures: queue_leads, mqls,
      queue_expected_value, owner_name and scored_leads (open scored leads of the owner, queued
      or not: a queue may be capped) (all optional). Owners missing here get their figures
      from ``queue``.
    - ``legend``: the ``grade_legend`` mart (may be empty).
    - ``meta``: scored_at, horizon_days, model_version, with_names, warehouse.
    - ``top``: how many leads per owner ``queue`` holds at most.
    """

    queue: pd.DataFrame
    owners: pd.DataFrame = field(default_factory=pd.DataFrame)
    legend: pd.DataFrame = field(default_factory=pd.DataFrame)
    meta: dict[str, Any] = field(default_factory=dict)
    top: int = 25

    def __post_init__(self) -> None:
        missing = [c for c in REQUIRED if c not in self.queue.columns]
        if missing:
            raise ValueError(f"SalesInputs.queue lacks column(s) {missing}")
        queue = self.queue.copy()
        for column in QUEUE_COLUMNS:
            if column not in queue.columns:
                queue[column] = None
        self.queue = queue


# --------------------------------------------------------------------------- small helpers
def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value))
    except TypeError:
        return False


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _e(value: Any) -> str:
    return html.escape(_text(value))


def is_unassigned(owner_id: Any) -> bool:
    return _missing(owner_id) or str(owner_id).strip().lower() in ("", UNASSIGNED)


def owner_label(owner_id: Any, owner_name: Any = None) -> str:
    """The owner's name when known, else the CRM owner id; one word for nobody."""
    if is_unassigned(owner_id) and _missing(owner_name):
        return "Unassigned"
    name = _text(owner_name).strip()
    return name or str(owner_id)


def reason_parts(text: Any, direction: Any = None) -> tuple[str, str] | None:
    """(direction, phrase) of a reason: 'raises' / 'lowers' / '' and the words without the
    "Raises: " prefix. The structured direction column wins over the prefix in the text."""
    if _missing(text) or not str(text).strip():
        return None
    phrase = str(text).strip()
    found = _PREFIX.match(phrase)
    parsed = ""
    if found:
        token = found.group(1).lower()
        parsed = "raises" if token in ("raises", "+") else "lowers"
        phrase = phrase[found.end() :].strip()
    given = _text(direction).strip().lower()
    return (given if given in ("raises", "lowers") else parsed), phrase


def chance_text(probability: Any) -> str:
    if _missing(probability):
        return "n/a"
    p = float(probability)
    if p < 0.001:
        return "<0.1%"
    return f"{p:.0%}" if p >= 0.095 else f"{p:.1%}"


def rate_text(rate: float) -> str:
    """34% / 3.2% / 0%: whole percents from 10%, one decimal below."""
    if rate <= 0:
        return "0%"
    return f"{rate:.0%}" if rate >= 0.095 else f"{rate:.1%}"


def _amount(value: Any) -> str:
    if _missing(value):
        return "n/a"
    v = float(value)
    return f"{v:,.0f}" if abs(v) < 1e6 else f"{v / 1e6:,.1f}M"


def _as_date(value: Any) -> date | None:
    if _missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


def fit_class(grade: Any, letters: list[str]) -> str:
    """CSS class for a grade badge: by the fit letter's position (best first)."""
    g = _text(grade)
    if not g or g[0] not in letters:
        return "fit-x"
    return f"fit-{min(letters.index(g[0]), 3)}"


def _short(meaning: Any) -> str:
    """'Best fit: top quarter ...' -> 'Best fit'."""
    text = _text(meaning).strip()
    return text.split(":", 1)[0].strip() if ":" in text else text


# --------------------------------------------------------------------------- sections
@dataclass(frozen=True)
class _Legend:
    letters: list[str]
    digits: list[str]
    rows: dict[str, dict[str, Any]]  # grade -> legend row
    base_rate: float | None


def _legend(frame: pd.DataFrame) -> _Legend:
    if frame.empty or "grade" not in frame.columns:
        return _Legend([], [], {}, None)
    rows = {str(r["grade"]): r for r in frame.to_dict("records")}
    letters = sorted({_text(r.get("fit_letter")) or g[:1] for g, r in rows.items()})
    digits = sorted({_text(r.get("engagement_digit")) or g[1:] for g, r in rows.items()})
    base_rate = None
    if {"holdout_rows", "holdout_conversions"} <= set(frame.columns):
        n = pd.to_numeric(frame["holdout_rows"], errors="coerce").sum()
        k = pd.to_numeric(frame["holdout_conversions"], errors="coerce").sum()
        base_rate = float(k / n) if n else None
    return _Legend(letters, digits, rows, base_rate)


def _rate(row: dict[str, Any] | None) -> float | None:
    if row is None:
        return None
    value = row.get("holdout_conversion_rate")
    return None if _missing(value) else float(value)


def _grade_sentence(grade: str, legend: _Legend, horizon: str) -> str:
    row = legend.rows.get(grade)
    if row is None:
        return ""
    rate = _rate(row)
    converted = (
        f"{rate_text(rate)} of such leads got an opportunity {horizon} on the holdout"
        if rate is not None
        else "no holdout leads with this grade yet"
    )
    return (
        f'<li><span class="badge {fit_class(grade, legend.letters)}">{_e(grade)}</span> '
        f"<b>{_e(_short(row.get('fit_meaning')))}, "
        f"{_e(_short(row.get('engagement_meaning')).lower())}</b>: {_e(converted)}.</li>"
    )


def _legend_html(legend: _Legend, horizon: str) -> str:
    if not legend.rows:
        return (
            '<section class="card" id="grade-legend"><h2>How to read a grade</h2>'
            '<p class="none">This warehouse has no grade_legend table yet (rebuild with '
            "<code>leadscore run</code>): the letter is fit (A best), the digit engagement "
            "(1 most engaged).</p></section>"
        )
    rates = [r for r in (_rate(row) for row in legend.rows.values()) if r is not None]
    top_rate = max(rates) if rates else 0.0
    head = "".join(
        f"<th>{_e(d)}<br><span class='muted'>"
        f"{_e(_short(_first(legend, 'engagement_digit', d, 'engagement_meaning')))}</span></th>"
        for d in legend.digits
    )
    body = []
    for letter in legend.letters:
        cells = []
        for digit in legend.digits:
            grade = f"{letter}{digit}"
            row = legend.rows.get(grade)
            rate = _rate(row)
            if row is None:
                cells.append("<td></td>")
                continue
            shade = 0.06 + 0.5 * (rate / top_rate) if rate is not None and top_rate else 0.0
            style = f' style="background:rgba(37,99,235,{shade:.2f})"' if shade else ""
            n = row.get("holdout_rows")
            n_text = "" if _missing(n) else f"{int(n):,} holdout leads"
            cells.append(
                f'<td data-grade="{_e(grade)}"{style}><span class="rate">'
                f"{'-' if rate is None else rate_text(rate)}</span>"
                f'<span class="n">{_e(grade)} · {n_text}</span></td>'
            )
        fit = _short(_first(legend, "fit_letter", letter, "fit_meaning"))
        body.append(
            f'<tr><th class="row" scope="row"><span class="badge fit-'
            f'{min(legend.letters.index(letter), 3)}">{_e(letter)}</span> {_e(fit)}</th>'
            f"{''.join(cells)}</tr>"
        )
    meanings = "".join(
        f"<dt>{_e(key)}</dt><dd>{_e(text)}</dd>"
        for key, text in [
            *((x, _first(legend, "fit_letter", x, "fit_meaning")) for x in legend.letters),
            *(
                (x, _first(legend, "engagement_digit", x, "engagement_meaning"))
                for x in legend.digits
            ),
        ]
        if text
    )
    grades = sorted(legend.rows, key=grade_sort_key)
    examples = "".join(_grade_sentence(g, legend, horizon) for g in (grades[0], grades[-1]))
    base = (
        f" On average {rate_text(legend.base_rate)} of holdout leads did."
        if legend.base_rate is not None
        else ""
    )
    return (
        '<section class="card" id="grade-legend"><h2>How to read a grade</h2>'
        '<p class="keynote">A grade is two things: the <b>letter</b> is <b>fit</b>, who the lead '
        "is (company, role, channel), and the <b>digit</b> is <b>engagement</b>, what the lead "
        f"has done lately. The percentages are how often leads of that grade got an opportunity "
        f"{_e(horizon)}, measured on past leads the model had not seen (the holdout).{_e(base)}"
        "</p>"
        f'<ul class="examples">{examples}</ul>'
        '<div class="cols">'
        f'<table class="legend" id="grade-table"><thead><tr><th>fit \\ engagement</th>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<dl class="meanings">{meanings}</dl>'
        "</div></section>"
    )


def _first(legend: _Legend, key: str, value: str, column: str) -> str:
    for grade, row in sorted(legend.rows.items()):
        own = _text(row.get(key)) or (grade[:1] if key == "fit_letter" else grade[1:])
        if own == value and not _missing(row.get(column)):
            return _text(row.get(column))
    return ""


def _owner_table(queue: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    """One row per owner: owner_id, label, queue_leads, mqls, queue_expected_value; named
    owners alphabetically, the unassigned queue last."""
    shown = queue.groupby("owner_id", dropna=False).agg(
        owner_name=("owner_name", "first"),
        shown_leads=("owner_id", "size"),
        queue_leads_q=("owner_id", "size"),
        mqls_q=("is_mql", lambda s: int(pd.Series(s).fillna(False).astype(bool).sum())),
        ev_q=("expected_value", lambda s: pd.to_numeric(s, errors="coerce").sum()),
    )
    shown = shown.reset_index()
    if not totals.empty and "owner_id" in totals.columns:
        keep = [
            c
            for c in (
                "owner_id",
                "queue_leads",
                "scored_leads",
                "mqls",
                "queue_expected_value",
                "owner_name",
            )
            if c in totals.columns
        ]
        merged = shown.merge(
            totals[keep].rename(columns={"owner_name": "owner_name_t"}), on="owner_id", how="left"
        )
    else:
        merged = shown
    for column, fallback in (
        ("queue_leads", "queue_leads_q"),
        ("mqls", "mqls_q"),
        ("queue_expected_value", "ev_q"),
    ):
        if column not in merged.columns:
            merged[column] = merged[fallback]
        merged[column] = merged[column].where(merged[column].notna(), merged[fallback])
    if "owner_name_t" in merged.columns:
        merged["owner_name"] = merged["owner_name"].where(
            merged["owner_name"].notna(), merged["owner_name_t"]
        )
    merged["label"] = [
        owner_label(o, n) for o, n in zip(merged["owner_id"], merged["owner_name"], strict=True)
    ]
    merged["unassigned"] = [is_unassigned(o) for o in merged["owner_id"]]
    merged["sort"] = [str(label).lower() for label in merged["label"]]
    return merged.sort_values(["unassigned", "sort"]).reset_index(drop=True)


def _owner_id_note(owner: pd.Series) -> str:
    """The CRM owner id in grey beside a name, when the label is a name (not for nobody)."""
    if is_unassigned(owner["owner_id"]) or str(owner["label"]) == str(owner["owner_id"]):
        return ""
    return f' <span class="muted">{_e(owner["owner_id"])}</span>'


def _queue_facts(owner: pd.Series, shown: int) -> str:
    """'50 leads in the queue (of 156 scored) · 7 MQLs · top 25 shown'."""
    total = int(owner["queue_leads"])
    scored = owner.get("scored_leads")
    of = f" (of {int(scored):,} scored)" if not _missing(scored) and int(scored) > total else ""
    facts = f"{total:,} leads in the queue{of} · {int(owner['mqls']):,} MQLs · "
    return facts + (f"top {shown:,} shown" if shown < total else "all shown")


def _overview_html(owners: pd.DataFrame) -> str:
    rows = []
    for i, o in owners.iterrows():
        rows.append(
            f'<tr><td><a href="#owner-{i}">{_e(o["label"])}</a>{_owner_id_note(o)}</td>'
            f'<td class="num">{int(o["queue_leads"]):,}</td>'
            f'<td class="num">{int(o["mqls"]):,}</td>'
            f'<td class="num">{_amount(o["queue_expected_value"])}</td></tr>'
        )
    return (
        '<section class="card" id="owners"><h2>Owners</h2><nav class="owners"><table>'
        '<thead><tr><th>Owner</th><th class="num">Leads in queue</th><th class="num">MQLs</th>'
        '<th class="num">Expected value of the queue</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></nav></section>"
    )


def _lead_cell(row: dict[str, Any], with_names: bool) -> str:
    company = _text(row.get("company_name")).strip()
    parts = [
        f'<div class="company">{_e(company)}</div>'
        if company
        else '<div class="company none">No company on record</div>'
    ]
    if with_names:
        name = " ".join(
            p for p in (_text(row.get("first_name")), _text(row.get("last_name"))) if p
        ).strip()
        title = _text(row.get("job_title")).strip()
        who = ", ".join(p for p in (name, title) if p)
        if who:
            parts.append(f"<div>{_e(who)}</div>")
    ids = []
    if _text(row.get("sf_lead_id")):
        ids.append(f"Salesforce {_e(row.get('sf_lead_id'))}")
    if _text(row.get("hubspot_record_id")):
        ids.append(f"HubSpot {_e(row.get('hubspot_record_id'))}")
    mql = '<span class="pill">MQL</span>' if row.get("is_mql") is True else ""
    if ids or mql:
        parts.append(f'<div class="ids">{" · ".join(ids)}{mql}</div>')
    return f'<td class="lead">{"".join(parts)}</td>'


def _reasons_cell(row: dict[str, Any]) -> str:
    items = []
    for k in (1, 2, 3):
        parts = reason_parts(row.get(f"reason_{k}"), row.get(f"reason_{k}_direction"))
        if parts is None:
            continue
        direction, phrase = parts
        mark = {
            "raises": '<span class="up" title="raises the chance">▲</span>',
            "lowers": '<span class="down" title="lowers the chance">▼</span>',
        }.get(direction, '<span class="none">•</span>')
        items.append(f"<li>{mark} {_e(phrase)}</li>")
    note = _override_note(row)
    if not items:
        return f'<td>{note}<span class="none">no reasons recorded</span></td>'
    return f'<td>{note}<ul class="why">{"".join(items)}</ul></td>'


def _activity_cell(row: dict[str, Any], scored: date | None) -> str:
    day = _as_date(row.get("last_activity_at"))
    if day is None:
        return '<td class="none">none recorded</td>'
    what = _text(row.get("last_activity"))
    ago = ""
    if scored is not None:
        days = (scored - day).days
        ago = "same day" if days == 0 else f"{days:,} days before scoring" if days > 0 else ""
    extra = " · ".join(p for p in (_e(what), _e(ago)) if p)
    return f'<td>{day.isoformat()}<div class="muted">{extra}</div></td>'


def _override_note(row: dict[str, Any]) -> str:
    """Above an overridden lead's reasons (the wide column): who set the grade shown, why,
    and the model's own grade."""
    model = row.get("model_grade")
    if not row.get("is_overridden") or _missing(model):
        return ""
    who = _text(row.get("override_set_by")) or "a rep"
    why = _text(row.get("override_reason"))
    return (
        f'<div class="muted override">Grade {_e(row.get("grade"))} set by {_e(who)}'
        f"{': ' + _e(why) if why else ''}; model: {_e(model)}</div>"
    )


def _owner_html(
    index: int, owner: pd.Series, leads: pd.DataFrame, legend: _Legend, meta: dict[str, Any]
) -> str:
    scored = _as_date(meta.get("scored_at"))
    with_names = bool(meta.get("with_names"))
    rows = []
    for row in leads.to_dict("records"):
        p = row.get("conversion_probability")
        width = 0 if _missing(p) else max(1, min(100, round(float(p) * 100)))
        score = row.get("score")
        rank = row.get("priority_rank")
        rows.append(
            "<tr>"
            f'<td class="num">{"" if _missing(rank) else int(rank)}</td>'
            f'<td><span class="badge {fit_class(row.get("grade"), legend.letters)}">'
            f"{_e(row.get('grade')) or '-'}</span></td>"
            f"{_lead_cell(row, with_names)}"
            f'<td><span class="chance">{chance_text(p)}</span>'
            f'<div class="bar"><span style="width:{width}%"></span></div>'
            f'<div class="muted">score {"-" if _missing(score) else int(score)}</div></td>'
            f'<td class="num">{_amount(row.get("expected_value"))}</td>'
            f"{_reasons_cell(row)}"
            f"{_activity_cell(row, scored)}"
            "</tr>"
        )
    facts = _queue_facts(owner, len(leads))
    ident = _owner_id_note(owner)
    horizon = _horizon(meta)
    return (
        f'<section class="card owner" id="owner-{index}" data-owner="{_e(owner["owner_id"])}">'
        f'<h2><span>{_e(owner["label"])}{ident}</span><span class="facts">{facts}</span></h2>'
        '<table class="calls"><colgroup><col class="rank"><col class="grade"><col class="lead">'
        '<col class="chance"><col class="ev"><col class="why"><col class="activity"></colgroup>'
        '<thead><tr><th class="num">#</th><th>Grade</th>'
        "<th>Account and lead</th>"
        f"<th>Chance of an opportunity {_e(horizon)}</th>"
        '<th class="num">Expected value</th><th>Why (▲ raises, ▼ lowers)</th>'
        "<th>Last activity</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _horizon(meta: dict[str, Any]) -> str:
    days = meta.get("horizon_days")
    return f"within {int(days)} days" if not _missing(days) else "within the label horizon"


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def render_sales_page(inputs: SalesInputs, out_dir: Path) -> Path:
    """Write ``out_dir/index.html`` (self-contained) and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = inputs.meta
    legend = _legend(inputs.legend)
    horizon = _horizon(meta)
    queue = inputs.queue.copy()
    queue["owner_id"] = [
        UNASSIGNED if is_unassigned(o) else str(o) for o in queue["owner_id"].tolist()
    ]
    totals = inputs.owners
    if not totals.empty and "owner_id" in totals.columns:
        totals = totals.assign(
            owner_id=[UNASSIGNED if is_unassigned(o) else str(o) for o in totals["owner_id"]]
        )
    owners = _owner_table(queue, totals)
    sections = []
    for i, owner in owners.iterrows():
        leads = queue[queue["owner_id"] == owner["owner_id"]].sort_values(
            ["priority_rank", "expected_value"], ascending=[True, False], na_position="last"
        )
        sections.append(_owner_html(int(i), owner, leads, legend, meta))
    scored = _as_date(meta.get("scored_at"))
    when = f"Scores as of {scored.isoformat()}. " if scored else ""
    privacy = (
        "This page names people (names and job titles): share it like any other CRM export."
        if meta.get("with_names")
        else "No person's name or title is on this page: open the lead in the CRM by its id."
    )
    empty = (
        '<p class="card none" id="no-leads">No open, scored leads in any queue.</p>'
        if queue.empty
        else ""
    )
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Call lists by owner</title>"
        f"<style>{CSS}</style></head><body><main>"
        "<h1>Call lists by owner</h1>"
        f'<p class="sub">{_e(when)}Each owner\'s open leads in the order to call them: the '
        "highest expected value first (the chance of an opportunity times the typical won deal "
        f"of the account's segment). Up to {inputs.top:,} leads per owner.</p>"
        f"{_legend_html(legend, horizon)}"
        f"{_overview_html(owners) if not owners.empty else ''}"
        f"{empty}{''.join(sections)}"
        f'<p class="foot">Generated by <code>leadscore report --sales</code>'
        f"{' from model ' + _e(meta['model_version']) if meta.get('model_version') else ''}. "
        f"{_e(privacy)} {_e(ACTIVITY_NOTES.get(meta.get('activity_scope'), ''))}</p>"
        "</main></body></html>\n"
    )
    index = out_dir / "index.html"
    _write(index, page)
    return index
