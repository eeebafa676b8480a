"""Outbound gate: a Great Expectations suite on `lead_scores` before publish or sync.

What is checked, and where:
- GX (pandas datasource, on the columns read with `duckdb.connect(db, read_only=True)`):
  row count >= policy minimum; `lead_id` not null and unique (one row per lead);
  `score_status`, `model_version`, `scored_at` not null; `score_status` in the allowed set.
  On rows whose status is not `insufficient_data`: `conversion_probability`, `score`, `grade`
  not null; probability in [0, 1]; score, fit_score, engagement_score, percentile in [0, 100];
  grade in the policy's set (letters x digits, A-D x 1-4 by default); score standard deviation
  >= policy minimum and at least N distinct scores (the distribution has not collapsed).
- numpy: PSI of the score distribution (10 fixed bins over 0-100) against the previous
  *published* copy's `lead_scores`, when one exists; PSI above the policy limit fails.
Every failure becomes one plain-language reason in `GateResult.reasons`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from leadscore.alerts import Alert, latest_alerts
from leadscore.quality._duck import WarehouseError, columns_of, connect, find_table
from leadscore.quality._gx import Expectation, ExpectationOutcome, _jsonable, run_suite

GATE_COLUMNS = (
    "lead_id",
    "conversion_probability",
    "score",
    "percentile",
    "fit_score",
    "engagement_score",
    "grade",
    "score_status",
    "model_version",
    "scored_at",
)


@dataclass(frozen=True)
class OutboundPolicy:
    """Gate thresholds. Defaults mirror the scoring policy; override per deployment."""

    grade_letters: str = "ABCD"
    grade_digits: str = "1234"
    score_statuses: tuple[str, ...] = ("scored", "rules_fallback", "insufficient_data")
    min_rows: int = 1
    min_score_std: float = 2.0
    min_distinct_scores: int = 5
    max_psi: float = 0.25
    psi_bins: int = 10

    @property
    def grades(self) -> list[str]:
        return [a + d for a in self.grade_letters for d in self.grade_digits]


@dataclass
class GateResult:
    passed: bool
    rows: int
    reasons: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    psi: float | None = None
    reference: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        if self.passed:
            psi = "n/a (no previous published copy)" if self.psi is None else f"{self.psi:.3f}"
            text = f"outbound gate passed: {self.rows} rows, PSI vs published {psi}"
            if self.warnings:
                text += "\n  model monitoring:\n  - " + "\n  - ".join(self.warnings)
            return text
        return "outbound gate FAILED:\n  - " + "\n  - ".join(self.reasons)


def psi(reference: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """Population stability index of two 0-100 score samples over fixed equal-width bins."""
    edges = np.linspace(0, 100, bins + 1)
    edges[-1] = 100.0001
    ref = np.histogram(np.clip(reference, 0, 100), edges)[0].astype(float)
    cur = np.histogram(np.clip(current, 0, 100), edges)[0].astype(float)
    eps = 1e-4
    ref = np.maximum(ref / max(ref.sum(), 1), eps)
    cur = np.maximum(cur / max(cur.sum(), 1), eps)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def _reason(outcome: ExpectationOutcome) -> str:
    col = f" `{outcome.column}`" if outcome.column else ""
    name = outcome.expectation.removeprefix("expect_").replace("_", " ")
    if outcome.error:
        return f"lead_scores{col}: {name} could not run ({outcome.error[:200]})"
    if outcome.unexpected_count:
        ex = ", ".join(repr(x) for x in outcome.examples[:3])
        return f"lead_scores{col}: {name} failed for {outcome.unexpected_count} rows (e.g. {ex})"
    return f"lead_scores{col}: {name} failed (observed {_jsonable(outcome.observed)!r})"


def check_frame(
    frame: pd.DataFrame,
    previous_scores: np.ndarray | None = None,
    policy: OutboundPolicy | None = None,
    reference: str | None = None,
) -> GateResult:
    """Run the gate on an in-memory `lead_scores` frame (see module docstring)."""
    policy = policy or OutboundPolicy()
    missing = [c for c in GATE_COLUMNS if c not in frame.columns]
    result = GateResult(passed=True, rows=len(frame), reference=reference)
    if missing:
        result.passed = False
        result.reasons.append(f"lead_scores lacks contract column(s): {', '.join(missing)}")
        return result
    whole = [
        Expectation("ExpectTableRowCountToBeBetween", {"min_value": policy.min_rows}),
        Expectation("ExpectColumnValuesToNotBeNull", {"column": "lead_id"}),
        Expectation("ExpectColumnValuesToBeUnique", {"column": "lead_id"}),
        *(
            Expectation("ExpectColumnValuesToNotBeNull", {"column": c})
            for c in ("score_status", "model_version", "scored_at")
        ),
        Expectation(
            "ExpectColumnValuesToBeInSet",
            {"column": "score_status", "value_set": list(policy.score_statuses)},
        ),
    ]
    scored_frame = frame[frame["score_status"] != "insufficient_data"].copy()
    for col in ("conversion_probability", "score", "percentile", "fit_score", "engagement_score"):
        scored_frame[col] = pd.to_numeric(scored_frame[col], errors="coerce").astype("float64")
    scored = [
        *(
            Expectation("ExpectColumnValuesToNotBeNull", {"column": c})
            for c in ("conversion_probability", "score", "grade")
        ),
        Expectation(
            "ExpectColumnValuesToBeBetween",
            {"column": "conversion_probability", "min_value": 0, "max_value": 1},
        ),
        *(
            Expectation(
                "ExpectColumnValuesToBeBetween", {"column": c, "min_value": 0, "max_value": 100}
            )
            for c in ("score", "percentile", "fit_score", "engagement_score")
        ),
        Expectation("ExpectColumnValuesToBeInSet", {"column": "grade", "value_set": policy.grades}),
    ]
    if len(scored_frame) > 1:
        scored += [
            Expectation(
                "ExpectColumnStdevToBeBetween",
                {"column": "score", "min_value": policy.min_score_std},
            ),
            Expectation(
                "ExpectColumnUniqueValueCountToBeBetween",
                {"column": "score", "min_value": policy.min_distinct_scores},
            ),
        ]
    outcomes = run_suite("lead_scores_all_rows", frame, whole)
    if len(scored_frame):
        outcomes += run_suite("lead_scores_scored_rows", scored_frame, scored)
    for outcome in outcomes:
        result.checks.append(outcome.as_dict())
        if not outcome.success:
            result.passed = False
            result.reasons.append(_reason(outcome))
    if previous_scores is not None and len(previous_scores) and len(scored_frame):
        current = scored_frame["score"].dropna().to_numpy(dtype=float)
        result.psi = psi(previous_scores, current, policy.psi_bins)
        ok = result.psi <= policy.max_psi
        result.checks.append(
            {
                "expectation": "score_psi_vs_previous_published",
                "column": "score",
                "success": ok,
                "observed": round(result.psi, 4),
                "threshold": policy.max_psi,
                "reference": reference,
            }
        )
        if not ok:
            result.passed = False
            result.reasons.append(
                f"lead_scores `score` distribution shifted: PSI {result.psi:.3f} vs the previous "
                f"published copy exceeds the policy limit {policy.max_psi}"
            )
    return result


def previous_published_scores(published_db: Path | None) -> np.ndarray | None:
    """Scores of the currently published copy (None if there is none or it has no scores)."""
    if published_db is None or not published_db.exists():
        return None
    try:
        with duckdb.connect(str(published_db), read_only=True) as con:
            rel = find_table(con, "lead_scores")
            if rel is None:
                return None
            rows = con.sql(
                f"select score from {rel} where score is not null "
                "and coalesce(score_status, '') <> 'insufficient_data'"
            ).fetchnumpy()
            return np.asarray(rows["score"], dtype=float)
    except duckdb.Error:
        return None


def run_outbound_gate(
    db_path: Path, published_db: Path | None = None, policy: OutboundPolicy | None = None
) -> GateResult:
    """Read `lead_scores` read-only from the working DB and run the gate."""
    con = connect(db_path, read_only=True)
    try:
        rel = find_table(con, "lead_scores")
        if rel is None:
            raise WarehouseError(
                f"No lead_scores table in {db_path}. Run `leadscore run` first.", exit_code=2
            )
        present = [c for c in GATE_COLUMNS if c in set(columns_of(con, rel))]
        frame = con.sql(f"select {', '.join(present)} from {rel}").df()
        alerts = latest_alerts(con)
    finally:
        con.close()
    result = check_frame(
        frame,
        previous_published_scores(published_db),
        policy,
        reference=str(published_db) if published_db and published_db.exists() else None,
    )
    apply_monitoring(result, alerts)
    return result


def apply_monitoring(result: GateResult, alerts: list[Alert]) -> None:
    """Model monitors in the gate, by policy_monitoring.publish_action: a breach whose
    action is `stop` fails the gate; other breaches and warnings are recorded as warnings."""
    for alert in alerts:
        stops = alert.status == "breach" and alert.publish_action == "stop"
        result.checks.append(
            {
                "expectation": f"model_monitoring:{alert.monitor}",
                "column": alert.subject,
                "segment": alert.segment,
                "success": not stops,
                "observed": round(alert.value, 4),
                "threshold": alert.breach_at,
                "status": alert.status,
                "publish_action": alert.publish_action,
            }
        )
        if stops:
            result.passed = False
            result.reasons.append(
                f"model monitoring {alert.describe()}; policy_monitoring.publish_action = stop"
            )
        elif alert.publish_action != "none" or alert.status == "warn":
            result.warnings.append(alert.describe())
