"""How often reps override scores, and how the overridden leads converted.

Reads the marts `score_overrides` (every override with its status on the scoring clock),
`lead_scores` (open leads, `is_overridden`), `rejected_rows` and
`fct_score_override_outcomes` (per override and lead: what changed, and the outcome within
the label horizon once matured). `leadscore status` prints `summary_lines`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

#: The changes a rep can make, as (column, value, words) of fct_score_override_outcomes.
CHANGES: tuple[tuple[str, str, str], ...] = (
    ("grade_change", "raised", "raised the grade"),
    ("grade_change", "lowered", "lowered the grade"),
    ("grade_change", "same", "kept the grade"),
    ("mql_change", "qualified", "made MQL"),
    ("mql_change", "disqualified", "took MQL away"),
)


@dataclass(frozen=True)
class ChangeOutcome:
    words: str
    leads: int
    matured: int
    converted: int
    model_rate: float | None  # mean holdout conversion of the model's grades, matured leads

    @property
    def rate(self) -> float | None:
        return self.converted / self.matured if self.matured else None


@dataclass(frozen=True)
class OverrideSummary:
    open_leads: int
    overridden_open_leads: int
    active: int
    people: int
    by_status: dict[str, int]
    rejected_rows: int
    outcomes: list[ChangeOutcome] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.overridden_open_leads / self.open_leads if self.open_leads else 0.0


def override_summary(con: duckdb.DuckDBPyConnection) -> OverrideSummary | None:
    """The summary, or None for a warehouse built before overrides existed."""
    try:
        open_leads, overridden = con.execute(
            "select count(*), count(*) filter (where is_overridden) from lead_scores"
        ).fetchall()[0]
        statuses = dict(
            con.sql("select override_status, count(*) from score_overrides group by 1").fetchall()
        )
        people = con.execute(
            "select count(distinct set_by) from score_overrides where override_status = 'active'"
        ).fetchall()[0][0]
        rejected = con.execute(
            "select count(*) from rejected_rows where source_system = 'overrides'"
        ).fetchall()[0][0]
        outcomes = []
        for column, value, words in CHANGES:
            leads, matured, converted, model_rate = con.execute(
                "select count(*), count(*) filter (where is_horizon_matured), "
                "count(*) filter (where is_horizon_matured and has_opportunity_within_horizon), "
                "avg(model_grade_conversion_rate) filter (where is_horizon_matured) "
                f"from fct_score_override_outcomes where {column} = ?",
                [value],
            ).fetchall()[0]
            if leads:
                outcomes.append(ChangeOutcome(words, leads, matured, converted, model_rate))
    except duckdb.Error:
        return None
    return OverrideSummary(
        open_leads=open_leads,
        overridden_open_leads=overridden,
        active=statuses.get("active", 0),
        people=people,
        by_status=statuses,
        rejected_rows=rejected,
        outcomes=outcomes,
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def summary_lines(summary: OverrideSummary) -> list[str]:
    """The summary in words, one line per fact."""
    if not summary.by_status and not summary.rejected_rows:
        return ["Overrides: none (docs/overrides.md says how sales sets one)."]
    others = [
        f"{n:,} {status.replace('_', ' ')}"
        for status, n in sorted(summary.by_status.items())
        if status != "active"
    ]
    lines = [
        f"Overrides: {summary.active:,} active, set by {summary.people:,} "
        f"{'person' if summary.people == 1 else 'people'}, on {summary.overridden_open_leads:,} "
        f"of {summary.open_leads:,} open leads ({summary.share:.1%})"
        + (f"; {', '.join(others)}" if others else "")
        + (
            f"; {summary.rejected_rows:,} rows rejected (see rejected_rows)"
            if summary.rejected_rows
            else ""
        )
        + "."
    ]
    for o in summary.outcomes:
        lines.append(
            f"  {o.words}: {o.leads:,} lead{'' if o.leads == 1 else 's'}, "
            f"{o.matured:,} with the horizon matured, "
            f"{o.converted:,} converted ({_pct(o.rate)}; the model's grades converted "
            f"{_pct(o.model_rate)} on the holdout)"
        )
    return lines
