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


# --------------------------------------------------------------------------- early outcomes


def _timing_examples() -> pd.DataFrame:
    """Matured examples: at age 0 conversions spread evenly over days 1..90, at age 28 all
    within 10 days, at age 91 too few to have a curve of their own; non-converters too."""
    spread, fast = np.repeat(np.arange(1, 91), 2), np.repeat(np.arange(1, 11), 6)
    age0 = pd.DataFrame({"lead_age_days": 0, "days_to_conversion": spread})
    age28 = pd.DataFrame({"lead_age_days": 28, "days_to_conversion": fast})
    age91 = pd.DataFrame({"lead_age_days": 91, "days_to_conversion": [80.0, 85.0, 88.0]})
    never = pd.DataFrame({"lead_age_days": [0, 28, 91] * 50, "days_to_conversion": np.nan})
    late = pd.DataFrame({"lead_age_days": [0] * 7, "days_to_conversion": 120.0})  # past horizon
    return pd.concat([age0, age28, age91, never, late], ignore_index=True)


def test_conversion_timing_is_estimated_from_matured_examples_per_snapshot_age() -> None:
    timing = monitoring.conversion_timing(_timing_examples(), 90)
    assert timing.conversions == 180 + 60 + 3  # converters within the horizon only
    # a lead is timed by the snapshot age nearest its own age
    share = timing.share(45, [0, 3, 14, 27, 28, 59])
    assert share.tolist() == pytest.approx([0.5, 0.5, 0.5, 1.0, 1.0, 1.0])
    assert timing.share(5, [28]).tolist() == pytest.approx([0.5])
    # age 91 has 3 conversions (< 30): the pooled curve of all 243
    pooled = (np.repeat(np.arange(1, 91), 2) <= 45).sum() + 60
    assert timing.share(45, [91, 400]).tolist() == pytest.approx([pooled / 243] * 2)
    # G is 0 before any conversion and 1 once the horizon is over
    assert timing.share(0.5, [0]).tolist() == [0.0]
    assert timing.share(90, [0, 91]).tolist() == [1.0, 1.0]
    with pytest.raises(KeyError, match="days_to_conversion"):
        monitoring.conversion_timing(_timing_examples().drop(columns="days_to_conversion"), 90)


def test_early_run_is_the_newest_run_old_enough_and_not_yet_matured() -> None:
    as_of = pd.Timestamp("2026-06-01")
    history = pd.DataFrame(
        {
            "scoring_run_id": ["a", "b", "c", "d"],
            "as_of": [as_of - pd.Timedelta(days=d) for d in (100, 60, 35, 10)],
            "model_version": ["m1", "m1", "m2", "m2"],
        }
    )
    run = monitoring.early_run(history, as_of, 90, 28)
    assert run is not None and run["scoring_run_id"] == "c" and run["model_version"] == "m2"
    assert monitoring.early_run(history, as_of, 90, 61) is None  # only a matured run is older
    assert monitoring.early_run(history.iloc[:0], as_of, 90, 28) is None


RUN_AT = pd.Timestamp("2026-05-01")
JUDGED_AT = pd.Timestamp("2026-05-31")  # 30 days later


def _early_leads() -> pd.DataFrame:
    """1,000 leads scored p = 0.1 in the run at RUN_AT: 200 in retail (30 converted since), 800
    in software (40 converted since, 5 more after JUDGED_AT, 5 before the run)."""
    n_retail, n_software = 200, 800
    opp = [pd.NaT] * (n_retail + n_software)
    after = RUN_AT + pd.Timedelta(days=10)
    for i in range(30):
        opp[i] = after
    for i in range(n_retail, n_retail + 40):
        opp[i] = after
    for i in range(n_retail + 40, n_retail + 45):
        opp[i] = JUDGED_AT + pd.Timedelta(days=5)
    for i in range(n_retail + 45, n_retail + 50):
        opp[i] = RUN_AT - pd.Timedelta(days=1)
    return pd.DataFrame(
        {
            "lead_id": [f"l{i}" for i in range(n_retail + n_software)],
            "conversion_probability": 0.1,
            "lead_age_days": 0,
            "opportunity_at": pd.to_datetime(opp),
            "industry": ["retail"] * n_retail + ["software"] * n_software,
        }
    )


def _half_by_day_30() -> monitoring.ConversionTiming:
    days = np.concatenate([np.full(50, 10.0), np.full(50, 60.0)])  # G(30) = 0.5 at every age
    return monitoring.ConversionTiming(90, {0: days}, days)


def test_early_monitors_compare_conversions_so_far_with_p_times_g() -> None:
    judged = monitoring.early_expectations(_early_leads(), _half_by_day_30(), RUN_AT, JUDGED_AT)
    assert judged["expected"].tolist() == pytest.approx([0.05] * 1000)  # 0.1 x G(30) = 0.5
    assert judged["converted"].sum() == 70  # not the 5 after the clock nor the 5 before the run
    rows = monitoring.early_outcome_monitors(
        judged, ["industry"], run_as_of=RUN_AT, horizon_days=90, timing_conversions=100
    ).set_index("segment")
    # run: 70 conversions so far against 50 promised -> |70 / 50 - 1| = 0.4
    run = rows.loc["all"]
    assert run["monitor"] == "calibration_early"
    assert run["value"] == pytest.approx(0.4)
    assert run["compared_rows"] == 1000 and run["reference_rows"] == 100
    assert "50.0" in run["reference_population"] and "70" in run["compared_population"]
    # segments, rescaled by the run's ratio 1.4 (expected 0.07 per lead): retail 30 against
    # 14, software 40 against 56 -> |z| of their Poisson tails
    assert rows.loc["industry=retail", "monitor"] == "segment_win_rate_early"
    assert rows.loc["industry=retail", "value"] == pytest.approx(monitoring.poisson_tail_z(30, 14))
    assert rows.loc["industry=software", "value"] == pytest.approx(
        abs(monitoring.poisson_tail_z(40, 56))
    )
    assert rows.loc["industry=retail", "value"] > 3.5 > 2.5 > rows.loc["industry=software", "value"]
    assert rows.loc["industry=retail", "compared_rows"] == 200


def _half_converted_by_day_30_examples() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training examples (positives at age 0) half converted by day 30, matching
    _half_by_day_30, and their funnel rows (created at their opportunity)."""
    examples = pd.DataFrame(
        {
            "lead_id": [f"e{i}" for i in range(100)],
            "cutoff_at": pd.Timestamp("2025-06-01"),
            "lead_age_days": 0,
            "label": 1,
        }
    )
    opp = pd.Timestamp("2025-06-01") + pd.to_timedelta(np.repeat([10, 60], 50), unit="D")
    funnel = pd.DataFrame(
        {"lead_id": examples["lead_id"], "opportunity_at": opp, "created_at": opp}
    )
    return examples, funnel


def test_early_outcomes_frame_judges_the_newest_unmatured_run_with_g_from_examples() -> None:
    from leadscore import pipeline

    leads = _early_leads()
    older = leads.assign(as_of=RUN_AT - pd.Timedelta(days=100), scoring_run_id="old")
    newest = leads.assign(as_of=RUN_AT, scoring_run_id="new")
    history = pd.concat([older, newest]).assign(model_version="m1", score_status="scored")
    funnel = leads[["lead_id", "opportunity_at"]].assign(created_at=RUN_AT)
    positives, example_funnel = _half_converted_by_day_30_examples()
    funnel = pd.concat([funnel, example_funnel])
    policy = pd.DataFrame(
        {
            "monitor": ["calibration_early", "segment_win_rate_early"],
            "min_age_days": [28, 28],
            "effective_from": ["2020-01-01"] * 2,
            "effective_to": [None, None],
        }
    )
    out = pipeline.early_outcomes_frame(
        history[
            [
                "scoring_run_id",
                "as_of",
                "model_version",
                "lead_id",
                "score_status",
                "conversion_probability",
            ]
        ],
        leads[["lead_id", "industry"]],
        funnel,
        positives,
        90,
        policy,
        ["industry"],
        JUDGED_AT,
    ).set_index("segment")
    assert out.loc["all", "value"] == pytest.approx(0.4)
    assert out.loc["industry=retail", "value"] > 3.5
    assert (out["model_version"] == "m1").all() and (out["measured_at"] == JUDGED_AT).all()
    assert "2026-05-01" in out.loc["all", "reference_population"]
    # a segment the history kept as the run saw it wins over today's value where it is not
    # null: the retail leads were 'media' at their run, the others kept none (today's value)
    retail = set(leads.loc[leads["industry"] == "retail", "lead_id"])
    kept = history.assign(industry=np.where(history["lead_id"].isin(retail), "media", None))
    at_run = pipeline.early_outcomes_frame(
        kept, leads[["lead_id", "industry"]], funnel, positives, 90, policy, ["industry"], JUDGED_AT
    ).set_index("segment")
    assert set(at_run.index) == {"all", "industry=media", "industry=software"}
    assert at_run.loc["industry=media", "value"] == out.loc["industry=retail", "value"]
    assert at_run.loc["industry=software", "value"] == out.loc["industry=software", "value"]
    # 20 days after the run: too young for min_age_days 28 (the older run has matured)
    young = pipeline.early_outcomes_frame(
        history,
        leads[["lead_id", "industry"]],
        funnel,
        positives,
        90,
        policy,
        ["industry"],
        RUN_AT + pd.Timedelta(days=20),
    )
    assert young.empty and list(young.columns) == pipeline.EARLY_FRAME_COLUMNS


def test_an_early_breach_triggers_a_retrain() -> None:
    as_of, trained = pd.Timestamp("2026-03-08"), pd.Timestamp("2026-01-01")
    segment = _monitoring(
        monitor="segment_win_rate_early",
        subject="outcomes",
        segment="product_line=attribution",
        model_version="older",  # the judged run's model: outcome monitors fire regardless
        value=4.4,
        breach_at=3.5,
    )
    reason, detail = monitoring.monitor_trigger(segment, "champ", trained, as_of)
    assert reason == "segment_shift:product_line=attribution"
    assert "segment_win_rate_early" in detail and "4.400" in detail
    calibration = _monitoring(
        monitor="calibration_early", subject="outcomes", value=0.7, breach_at=0.5
    )
    assert monitoring.monitor_trigger(calibration, "champ", trained, as_of)[0] == (
        "drift:calibration_early"
    )
    # a warning does not retrain
    assert monitoring.monitor_trigger(segment.assign(status="warn"), "c", trained, as_of) is None


def test_a_replay_cadence_var_replaces_the_policy_cadence() -> None:
    from leadscore import pipeline
    from leadscore.ml.policy import ScoringPolicy

    policy = ScoringPolicy()
    assert pipeline.with_cadence(policy, "").retrain_cadence_days == 30
    assert pipeline.with_cadence(policy, None).retrain_cadence_days == 30
    assert pipeline.with_cadence(policy, "365").retrain_cadence_days == 365
    with pytest.raises(ValueError, match="positive"):
        pipeline.with_cadence(policy, 0)


# --------------------------------------------------------------- segment rule (issue 14)


def _policy_thresholds(monitor: str) -> tuple[float, float]:
    from pathlib import Path

    policy = pd.read_csv(Path(__file__).parents[2] / "seeds/policy/policy_monitoring.csv")
    row = policy[policy["monitor"] == monitor].iloc[-1]
    return float(row["warn_at"]), float(row["breach_at"])


def test_segment_thresholds_are_bonferroni_over_the_segments_as_described() -> None:
    assert monitoring.family_threshold(1, 0.05) == pytest.approx(1.96, abs=0.001)
    for monitor in ("segment_win_rate", "segment_win_rate_early"):
        warn, breach = _policy_thresholds(monitor)
        # 41 segments, family-wise 10% (warn) and 1% (breach) per run
        assert warn == pytest.approx(monitoring.family_threshold(41, 0.10), abs=0.005)
        assert breach == pytest.approx(monitoring.family_threshold(41, 0.01), abs=0.005)
    with pytest.raises(ValueError, match="alpha"):
        monitoring.family_threshold(41, 1.5)


def _run_with_a_planted_shift_and_an_old_lead_bias() -> pd.DataFrame:
    """One run's leads (p known, outcomes matured): young leads calibrated except
    industry=planted (500 leads at age 20 converting twice their 0.1); industry=old_bias
    calibrated at age 30, but its 1,500 leads aged 200 days (older than any training
    snapshot) convert four times their 0.02: a standing extrapolation error of the model."""
    cells = [
        (500, 100, 0.1, 20, "planted"),
        (1250, 125, 0.1, 20, "steady"),
        (1250, 125, 0.1, 40, "other"),
        (300, 30, 0.1, 30, "old_bias"),
        (1500, 120, 0.02, 200, "old_bias"),
        (2000, 40, 0.02, 200, "steady"),
    ]
    frames = [
        pd.DataFrame(
            {
                "conversion_probability": p,
                "expected": p,
                "converted": (np.arange(n) < conv).astype(int),
                "lead_age_days": age,
                "industry": industry,
                "elapsed_days": 90.0,
            }
        )
        for n, conv, p, age, industry in cells
    ]
    return pd.concat(frames, ignore_index=True)


def test_segment_rule_breaches_on_a_planted_shift_not_on_old_leads_bias() -> None:
    warn, breach = _policy_thresholds("segment_win_rate_early")
    leads = _run_with_a_planted_shift_and_an_old_lead_bias()

    def judge(max_age: float | None) -> pd.Series:
        rows = monitoring.early_outcome_monitors(
            leads,
            ["industry"],
            run_as_of=RUN_AT,
            horizon_days=90,
            timing_conversions=100,
            max_age_days=max_age,
        )
        return rows[rows["segment"] != "all"].set_index("segment")["value"]

    at_training_ages = judge(91 + 7)
    assert at_training_ages["industry=planted"] >= breach
    assert at_training_ages.drop("industry=planted").max() < warn
    # judged on every open lead, the old leads' standing error breaches (the false alarm
    # of the 30k no-shift replay) and the rescaling drags the calibrated segments along
    every_age = judge(None)
    assert every_age["industry=old_bias"] >= breach
    assert every_age["industry=steady"] >= warn


def test_segment_change_is_tested_against_the_models_holdout_ratio() -> None:
    # holdout: 300 leads of industry=biased, 3 snapshots each, converting 1.5x their 0.1;
    # 1,200 other leads calibrated; holdout ratio rescaled to the holdout as a whole
    biased = np.repeat(np.arange(300), 3)
    others = np.repeat(np.arange(300, 1500), 3)
    lead = np.concatenate([biased, others])
    converts = np.concatenate([biased < 45, others < 300 + 120])
    holdout = pd.DataFrame(
        {
            "lead_id": [f"l{i}" for i in lead],
            "label": converts.astype(int),
            "probability": 0.1,
            "industry": np.where(lead < 300, "biased", "calm"),
        }
    )
    ref = monitoring.segment_reference(holdout, ["industry"])
    overall = (3 * 45 + 3 * 120) / (3 * 1500 * 0.1)
    assert ref.loc["industry=biased", "ratio"] == pytest.approx(1.5 / overall)
    assert ref.loc["industry=biased", "leads"] == 300 and ref.loc["industry=biased", "rows"] == 900
    # clustered by lead: three snapshots of one outcome are one lead's evidence, not three
    # (counted as independent rows the variance would be a third of this)
    once = monitoring.segment_reference(holdout.drop_duplicates("lead_id"), ["industry"])
    assert ref.loc["industry=biased", "ratio_variance"] == pytest.approx(
        once.loc["industry=biased", "ratio_variance"]
    )
    # a run where the segment still converts as in the holdout: no change, while the plain
    # test against 1 sees the standing bias
    r = float(ref.loc["industry=biased", "ratio"])
    o, e = 1000 * 0.1 * r, 1000 * 0.1
    var = 1000 * 0.1 * 0.9
    kept = monitoring.segment_change_z(
        o, e, var, r, float(ref.loc["industry=biased", "ratio_variance"])
    )
    assert abs(kept) < 0.01
    assert monitoring.segment_change_z(o, e, var) > 3.0
    # the same segment doubling from its holdout ratio is a change
    moved = monitoring.segment_change_z(
        2 * o, e, var, r, float(ref.loc["industry=biased", "ratio_variance"])
    )
    assert moved > 3.67
    assert np.isnan(monitoring.segment_change_z(1, 0.0, 0.0))


def test_judged_runs_pool_the_models_unmatured_runs_each_lead_once() -> None:
    as_of = pd.Timestamp("2026-03-01")

    def run(run_id: str, days_before: int, leads: list[str], model: str = "m1") -> pd.DataFrame:
        return pd.DataFrame(
            {
                "scoring_run_id": run_id,
                "as_of": as_of - pd.Timedelta(days=days_before),
                "model_version": model,
                "lead_id": leads,
            }
        )

    history = pd.concat(
        [
            run("matured", 100, ["a", "b"]),
            run("older", 60, ["a", "b", "c"]),  # b converted before "newer": not in it
            run("other_model", 45, ["d"], model="m0"),
            run("newer", 30, ["a", "c", "e"]),
            run("too_young", 10, ["a", "f"]),
        ],
        ignore_index=True,
    )
    # each lead at the oldest judged run that scored it: membership there was decided
    # before the outcomes counted (b, which converted, and a, which did not, alike)
    pooled = monitoring.judged_runs(history, as_of, 90, 28).set_index("lead_id")
    assert pooled["scoring_run_id"].to_dict() == {
        "a": "older",
        "b": "older",
        "c": "older",
        "e": "newer",
    }
    single = monitoring.judged_runs(history, as_of, 90, 28, pool=False)
    assert sorted(single["lead_id"]) == ["a", "c", "e"]
    assert monitoring.judged_runs(history, as_of, 90, 95).empty


def test_an_early_breach_is_not_answered_by_a_model_that_could_not_see_it() -> None:
    measured = pd.Timestamp("2026-04-01")
    early = _monitoring(
        measured_at=measured,
        monitor="segment_win_rate_early",
        subject="outcomes",
        segment="product_line=attribution",
        model_version="dec",
        value=5.6,
        breach_at=3.67,
    )
    as_of = pd.Timestamp("2026-05-01")
    # a model trained in the same build on matured labels only: its newest cutoff is one
    # horizon before, older than every run the early monitor judged -> still fires
    blind = measured - pd.Timedelta(days=91)
    reason, _ = monitoring.monitor_trigger(
        early, "apr", measured, as_of, newest_data_end=blind, horizon_days=90
    )
    assert reason == "segment_shift:product_line=attribution"
    assert monitoring.monitor_trigger(early, "apr", measured, as_of) is not None  # unknown
    # a model whose training reached the judged runs (e.g. partly matured labels) answers it
    saw = measured - pd.Timedelta(days=30)
    assert (
        monitoring.monitor_trigger(
            early, "apr", measured, as_of, newest_data_end=saw, horizon_days=90
        )
        is None
    )
    # a matured or drift breach is answered by any model trained at or after it
    matured = early.assign(monitor="segment_win_rate")
    assert (
        monitoring.monitor_trigger(
            matured, "apr", measured, as_of, newest_data_end=blind, horizon_days=90
        )
        is None
    )


def test_early_outcomes_frame_judges_segments_at_training_ages_only() -> None:
    from leadscore import pipeline

    leads = _early_leads()
    # the first 100 software leads were created 200 days before the run: older than the
    # oldest training snapshot (91) plus the tolerance (7)
    created = pd.Series(RUN_AT, index=leads.index)
    old = leads.index[200:300]
    created[old] = RUN_AT - pd.Timedelta(days=200)
    history = leads.assign(
        as_of=RUN_AT, scoring_run_id="new", model_version="m1", score_status="scored"
    )
    funnel = leads[["lead_id", "opportunity_at"]].assign(created_at=created)
    examples, example_funnel = _half_converted_by_day_30_examples()
    funnel = pd.concat([funnel, example_funnel])
    policy = pd.DataFrame(
        {
            "monitor": ["calibration_early", "segment_win_rate_early"],
            "min_age_days": [28, 28],
            "age_tolerance_days": [None, 7],
            "effective_from": ["2020-01-01"] * 2,
            "effective_to": [None, None],
        }
    )
    offsets = pd.DataFrame(
        {
            "days_after_created": [0, 28, 91],
            "effective_from": ["2020-01-01"] * 3,
            "effective_to": [None] * 3,
        }
    )
    columns = ["scoring_run_id", "as_of", "model_version", "lead_id", "score_status"]
    out = pipeline.early_outcomes_frame(
        history[[*columns, "conversion_probability"]],
        leads[["lead_id", "industry"]],
        funnel,
        examples,
        90,
        policy,
        ["industry"],
        JUDGED_AT,
        offsets=offsets,
    ).set_index("segment")
    assert out.loc["all", "compared_rows"] == 1000  # calibration judges every lead
    assert out.loc["industry=software", "compared_rows"] == 700  # not the 100 old ones
    assert out.loc["industry=retail", "compared_rows"] == 200
    assert "at most 98 days old at their run" in out.loc["industry=retail", "compared_population"]


def test_segment_z_is_the_exact_poisson_tail_not_the_normal_approximation() -> None:
    """A segment's |z| is the z of the exact Poisson tail of its conversions: a surplus of a
    few conversions (young leads) is not overstated the way (O - E) / sqrt(E) overstates it,
    and large counts keep their z."""
    from scipy.stats import norm, poisson

    for observed, expected in [(16, 6.53), (30, 14), (8, 20), (100, 70), (40, 56), (5, 1.5)]:
        if observed > expected:
            exact = norm.isf(poisson.sf(observed - 1, expected))
        else:
            exact = -norm.isf(poisson.cdf(observed, expected))
        assert monitoring.poisson_tail_z(observed, expected) == pytest.approx(exact, abs=0.03)
    # 16 conversions against 6.5 expected: 3.7 by the normal approximation, a breach at 3.67;
    # its exact tail is that of 3.0, below the warning (3.03)
    assert (16 - 6.53) / np.sqrt(6.53) > 3.67 > 3.03 > monitoring.poisson_tail_z(16, 6.53)
    assert monitoring.segment_change_z(16, 6.53, 6.53 * 0.99) == pytest.approx(
        monitoring.poisson_tail_z(16, 6.53)
    )
