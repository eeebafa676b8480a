"""Monitoring on small data: outcome backtest, like-for-like drift, segment shift, trigger."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.ml import monitoring
from leadscore.ml.metrics import population_stability_index

SNAPSHOTS = (0, 7, 14, 28, 42, 63, 91)


def _outcomes(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.01, 0.4, n)
    y = (rng.uniform(size=n) < p).astype(int)
    return pd.DataFrame(
        {
            "scoring_run_id": "r1",
            "as_of": pd.Timestamp("2026-01-01"),
            "model_version": "m1",
            "conversion_probability": p,
            "converted": y,
            "grade": np.where(p > 0.2, "A1", "D4"),
            "industry": rng.choice(["software", "retail"], n),
        }
    )


def _metric(frame: pd.DataFrame, metric: str, bucket: str | None = None) -> float:
    rows = frame[frame["metric"] == metric]
    rows = rows[rows["bucket"].isna()] if bucket is None else rows[rows["bucket"] == bucket]
    assert len(rows) == 1, (metric, bucket)
    return float(rows["value"].iloc[0])


def test_backtest_measures_ranking_calibration_and_grades_per_run() -> None:
    good = _outcomes()
    # a second run whose scores are noise and twice too high: ranking and calibration fail
    bad = _outcomes(seed=1).assign(scoring_run_id="r2", as_of=pd.Timestamp("2026-02-01"))
    bad["conversion_probability"] = np.random.default_rng(2).uniform(0.2, 0.6, len(bad))
    frame = monitoring.backtest(pd.concat([good, bad]))
    r1, r2 = frame[frame["scoring_run_id"] == "r1"], frame[frame["scoring_run_id"] == "r2"]
    assert _metric(r1, "realised_roc_auc") > 0.65
    assert abs(_metric(r2, "realised_roc_auc") - 0.5) < 0.05
    assert abs(_metric(r1, "calibration_in_the_large")) < 0.02
    assert _metric(r2, "calibration_in_the_large") < -0.15
    assert _metric(r1, "lift_top_decile") > 1.5
    a1 = good[good["grade"] == "A1"]["converted"].mean()
    assert _metric(r1, "grade_conversion_rate", "A1") == pytest.approx(a1)
    assert _metric(r1, "n_rows") == len(good)


def test_backtest_needs_its_columns() -> None:
    with pytest.raises(KeyError, match="converted"):
        monitoring.backtest(_outcomes().drop(columns=["converted"]))


def test_weighted_psi_is_zero_for_the_same_population_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, 5000)
    assert monitoring.weighted_psi(ref, rng.normal(0, 1, 3000)) < 0.02
    assert monitoring.weighted_psi(ref, rng.normal(1, 1, 3000)) > 0.25
    # unweighted numeric PSI agrees with the existing one
    cur = rng.normal(0.3, 1, 3000)
    assert monitoring.weighted_psi(ref, cur) == pytest.approx(
        population_stability_index(ref, cur), rel=0.05
    )
    cats = pd.Series(rng.choice(["a", "b", "c"], 4000))
    assert monitoring.weighted_psi(cats, cats.sample(1000, random_state=1), kind="cat") < 0.02
    assert monitoring.weighted_psi(cats, pd.Series(["a"] * 1000), kind="cat") > 0.25


def _population(n: int, ages: np.ndarray, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Engagement falls with age; `shift` moves it at every age (real drift)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "lead_age_days": ages,
            "eng_events_30d": rng.poisson(np.maximum(0.2, 6.0 - ages / 20.0 + shift)),
            "industry": rng.choice(["software", "retail"], n),
        }
    )


def test_drift_like_for_like_ignores_the_age_mix_and_sees_a_real_shift() -> None:
    rng = np.random.default_rng(3)
    ref = _population(7000, rng.choice(SNAPSHOTS, 7000), seed=4)
    # open leads: mostly young (age mix unlike the training snapshots), plus old ones
    young = rng.choice([0, 1, 2, 6, 7, 8], 2000)
    old = rng.integers(120, 500, 3000)
    same = _population(5000, np.concatenate([young, old]), seed=5)
    kinds = {"eng_events_30d": "numeric", "industry": "categorical", "lead_age_days": "numeric"}
    like = monitoring.feature_drift(ref, same, kinds, SNAPSHOTS, 3)
    naive = monitoring.weighted_psi(ref["eng_events_30d"], same["eng_events_30d"])
    psi = like.set_index("subject")["value"]
    assert naive > 0.25  # whole populations: the age mix alone looks like drift
    assert psi["eng_events_30d"] < 0.05  # like for like: no drift
    assert "lead_age_days" not in psi.index
    assert like["compared_rows"].iloc[0] == 2000  # the old leads are not compared
    assert "2,000 of 5,000 open leads" in like["compared_population"].iloc[0]
    moved = _population(5000, np.concatenate([young, old]), seed=5, shift=3.0)
    assert (
        monitoring.feature_drift(ref, moved, kinds, SNAPSHOTS, 3).set_index("subject")["value"][
            "eng_events_30d"
        ]
        > 0.25
    )


def test_comparable_populations_weights_reference_to_the_compared_age_mix() -> None:
    comp = monitoring.comparable_populations(
        [0, 0, 0, 7, 91], [1, 1, 6, 200], SNAPSHOTS, tolerance_days=3
    )
    assert comp.compared_mask.tolist() == [True, True, True, False]
    # compared: 2/3 at age 0, 1/3 at age 7; reference: 3/4 at 0, 1/4 at 7 (91 unused)
    assert comp.reference_mask.tolist() == [True, True, True, True, False]
    w = comp.reference_weights
    assert w[:3].sum() / w[:4].sum() == pytest.approx(2 / 3)


def _monitoring(**overrides: object) -> pd.DataFrame:
    row = {
        "measured_at": pd.Timestamp("2026-03-01"),
        "model_version": "champ",
        "monitor": "score_psi",
        "subject": "score",
        "segment": "all",
        "value": 0.4,
        "breach_at": 0.25,
        "status": "breach",
        "on_breach": "retrain",
    }
    row.update(overrides)
    return pd.DataFrame([row])


def test_trigger_fires_on_a_breach_of_the_champion_once() -> None:
    as_of = pd.Timestamp("2026-03-08")
    trained = pd.Timestamp("2026-02-01")
    reason, detail = monitoring.monitor_trigger(_monitoring(), "champ", trained, as_of)
    assert reason == "drift:score_psi"
    assert "0.400" in detail and "0.25" in detail
    # a model trained at or after the measurement answered it
    assert monitoring.monitor_trigger(_monitoring(), "champ", as_of, as_of) is None
    # a measurement after this build's clock does not count
    assert monitoring.monitor_trigger(_monitoring(), "champ", trained, trained) is None
    # drift of another model, a warning, or a breach the policy does not retrain on: nothing
    assert monitoring.monitor_trigger(_monitoring(), "other", trained, as_of) is None
    assert monitoring.monitor_trigger(_monitoring(status="warn"), "champ", trained, as_of) is None
    assert monitoring.monitor_trigger(_monitoring(on_breach="none"), "c", trained, as_of) is None


def test_trigger_names_a_segment_shift_and_prefers_outcome_monitors() -> None:
    frame = pd.concat(
        [
            _monitoring(),
            _monitoring(
                monitor="segment_win_rate",
                subject="outcomes",
                segment="size_tier=enterprise",
                model_version="older",
                value=5.0,
                breach_at=3.5,
            ),
        ]
    )
    reason, detail = monitoring.monitor_trigger(
        frame, "champ", pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-08")
    )
    assert reason == "segment_shift:size_tier=enterprise"
    assert "1 more breach" in detail


def test_retrain_decision_puts_a_monitor_breach_before_the_cadence() -> None:
    from leadscore.ml.registry import retrain_decision

    now = pd.Timestamp("2026-03-08")
    breach = ("drift:feature_psi", "feature_psi industry ...")
    old = retrain_decision(now - pd.Timedelta(days=90), now, 30, monitor_breach=breach)
    assert (old.retrain, old.reason) == (True, "drift:feature_psi")
    fresh = retrain_decision(now - pd.Timedelta(days=2), now, 30, monitor_breach=None)
    assert not fresh.retrain
    forced = retrain_decision(now, now, 30, force=True, monitor_breach=breach)
    assert forced.reason == "forced"


def test_same_rows_comparison_uses_only_outcomes_the_champion_never_saw() -> None:
    rng = np.random.default_rng(0)
    n = 1200
    cutoffs = pd.Timestamp("2025-06-01") + pd.to_timedelta(rng.integers(0, 240, n), unit="D")
    x = rng.normal(size=n)
    label = (rng.uniform(size=n) < 1 / (1 + np.exp(-(2 * x - 2)))).astype(int)
    examples = pd.DataFrame(
        {"lead_id": [f"l{i}" for i in range(n)], "cutoff_at": cutoffs, "x": x, "label": label}
    )
    holdout = examples[["lead_id", "cutoff_at", "label"]].assign(probability=1 / (1 + np.exp(-x)))
    trained = pd.Timestamp("2025-12-01")
    seen: list[int] = []

    def champion(rows: pd.DataFrame) -> np.ndarray:  # a champion that ranks backwards
        seen.append(len(rows))
        return 1 / (1 + np.exp(rows["x"].to_numpy()))

    out = monitoring.same_rows_comparison(holdout, examples, champion, trained, 90, 100)
    assert out is not None
    challenger, champ, rows = out
    fresh = int(((cutoffs + pd.Timedelta(days=90)) > trained).sum())
    assert rows == fresh == seen[0] < n
    assert challenger["roc_auc"] > 0.75 > 0.25 > champ["roc_auc"]
    assert monitoring.same_rows_comparison(holdout, examples, champion, trained, 90, n) is None


def _alert(status: str, action: str) -> object:
    from leadscore.alerts import Alert

    return Alert(
        measured_at="2026-03-01 00:00:00",
        model_version="champ",
        monitor="feature_psi",
        subject="industry",
        segment="all",
        value=0.31,
        status=status,
        warn_at=0.1,
        breach_at=0.25,
        publish_action=action,
        on_breach="retrain",
        compared_population="open leads at the scoring clock within 7 days of a snapshot age",
    )


def test_publish_gate_stops_or_warns_by_policy() -> None:
    from leadscore.quality.outbound import GateResult, apply_monitoring

    warned = GateResult(passed=True, rows=10)
    apply_monitoring(warned, [_alert("breach", "warn")])
    assert warned.passed
    assert "feature_psi industry = 0.310" in warned.warnings[0]
    assert "the next build trains a challenger" in warned.summary()
    stopped = GateResult(passed=True, rows=10)
    apply_monitoring(stopped, [_alert("breach", "stop"), _alert("warn", "stop")])
    assert not stopped.passed
    assert len(stopped.reasons) == 1 and "publish_action = stop" in stopped.reasons[0]
    assert len(stopped.warnings) == 1  # a warning never stops


def test_report_shows_monitoring_over_time_and_the_newest_alerts(tmp_path) -> None:
    from leadscore.report import render_report
    from leadscore.report.inputs import ReportInputs

    runs = pd.concat(
        [
            _outcomes(seed=s).assign(
                scoring_run_id=f"r{s}", as_of=pd.Timestamp("2026-01-01") + pd.Timedelta(days=30 * s)
            )
            for s in range(3)
        ]
    )
    backtest = monitoring.backtest(runs)
    monitors = pd.concat(
        [
            _monitoring(measured_at=pd.Timestamp("2026-02-01"), value=0.05, status="ok"),
            _monitoring(measured_at=pd.Timestamp("2026-03-01")),
            _monitoring(
                measured_at=pd.Timestamp("2026-03-01"),
                monitor="feature_psi",
                subject="industry",
                value=0.12,
                status="warn",
            ),
        ]
    ).assign(compared_population="open leads")
    inputs = ReportInputs(
        holdout=pd.DataFrame({"label": [0, 1, 0, 1], "probability": [0.1, 0.8, 0.3, 0.6]}),
        scores=pd.DataFrame({"score": [10, 80], "grade": ["D4", "A1"]}),
        feature_importance=pd.DataFrame({"feature": ["x"], "importance": [1.0]}),
        backtest=backtest,
        monitoring=monitors,
    )
    page = render_report(inputs, tmp_path).read_text(encoding="utf-8")
    assert 'id="chart-monitoring"' in page and (tmp_path / "monitoring.png").exists()
    assert "<li>breach: score_psi score = 0.400</li>" in page
    assert "<li>warn: feature_psi industry = 0.120</li>" in page
