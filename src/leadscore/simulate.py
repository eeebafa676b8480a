"""`leadscore simulate`: advance the scoring clock month by month on one warehouse and show
what the monitors and the retraining did, and how well the champion ranked the next month's
new leads against the truth (and against a model frozen at the regime shift).

Each month is one build of the scoring layer at a pinned clock (`--vars '{"as_of": ...}'`,
the replay mechanism of `leadscore run`): the registry retrains or not, the monitors judge
the build, the scores go to lead_score_history. After the build of month m+1, the leads
created during month m and open at the clock of m+1 are scored by three models from their
features at that clock: month m's champion, the frozen model and the truth
(`truth/persons.csv` true_probability), each judged by ROC-AUC against the truth's 90-day
outcome. So a row's figures are out of time: the champion never saw those leads' outcomes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import duckdb
import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from leadscore.config import Settings

console = Console(stderr=True)
out = Console(width=160)

SCORING_SELECT = "int_scoring_clock+"
Progress = Callable[[str], None]


@dataclass
class MonthResult:
    """One monthly build of the simulation and the evaluation of its champion."""

    as_of: pd.Timestamp
    champion: str | None = None
    warned: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)
    retrained: str | None = None  # retrain_reason of a model trained in this build
    promoted: bool = False
    decision: str = ""
    eval_leads: int = 0  # next month's new leads the three models are compared on
    eval_conversions: int = 0
    champion_auc: float = float("nan")
    truth_auc: float = float("nan")
    frozen_auc: float = float("nan")
    frozen_version: str | None = None
    build_seconds: float = 0.0
    eval_frame: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def ratio(self) -> float:
        return self.champion_auc / self.truth_auc if self.truth_auc else float("nan")


def month_clocks(start: date, months: int) -> list[pd.Timestamp]:
    """`months` clocks one calendar month apart, from `start` (midnight UTC, naive)."""
    first = pd.Timestamp(start)
    return [first + pd.DateOffset(months=k) for k in range(months)]


def default_start(truth_dir: Path, months: int) -> date:
    """The first of the month `months` months before the export date in the truth manifest,
    so the last clock is the newest month of data."""
    manifest = json.loads((truth_dir / "manifest.json").read_text())
    export = pd.Timestamp(str(manifest["export_at"])).tz_localize(None)
    first = (export + pd.Timedelta(seconds=1)).normalize().replace(day=1)
    return (first - pd.DateOffset(months=months)).date()


def shift_of(truth_dir: Path) -> tuple[str, pd.Timestamp] | None:
    """(kind, first day) of the regime shift recorded by the generator, if any."""
    manifest = json.loads((truth_dir / "manifest.json").read_text())
    shift = manifest.get("shift")
    if not shift:
        return None
    return str(shift["kind"]), pd.Timestamp(shift["at"])


def _query(db_path: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def registry(db_path: Path) -> pd.DataFrame:
    try:
        return _query(db_path, "select * from ml_model_registry")
    except duckdb.Error:
        return pd.DataFrame(columns=["model_version", "status", "retrain_reason"])


def champion_version(reg: pd.DataFrame) -> str | None:
    rows = reg[reg["status"] == "champion"]
    return None if rows.empty else str(rows["model_version"].iloc[0])


def champion_at(reg: pd.DataFrame, moment: pd.Timestamp) -> str | None:
    """The model that was champion at `moment`: the newest one trained before it that was
    ever promoted (status champion, or retired after being replaced)."""
    ever = reg[reg["status"].isin(["champion", "retired"])]
    ever = ever[pd.to_datetime(ever["trained_at"]) < moment]
    if ever.empty:
        return None
    return str(ever.sort_values("trained_at")["model_version"].iloc[-1])


def load_model(reg: pd.DataFrame, version: str) -> Any:
    from leadscore.ml.registry import model_from_registry_row

    row = reg[reg["model_version"] == version].iloc[0]
    return model_from_registry_row(row.to_dict())


def alerts_at(db_path: Path, as_of: pd.Timestamp) -> tuple[list[str], list[str]]:
    """(warned, breached) monitors of the build at `as_of`, as 'monitor[:subject|segment]'."""
    mon = _query(
        db_path,
        f"""
        select monitor, subject, segment, status, value
        from model_monitoring
        where measured_at = '{as_of}' and status in ('warn', 'breach')
        order by monitor, value desc
        """,
    )

    def name(r: pd.Series) -> str:
        if r["segment"] != "all":
            return f"{r['monitor']}:{r['segment']}"
        if r["monitor"] == "feature_psi":
            return f"{r['monitor']}:{r['subject']}"
        return str(r["monitor"])

    warned = [name(r) for _, r in mon[mon["status"] == "warn"].iterrows()]
    breached = [name(r) for _, r in mon[mon["status"] == "breach"].iterrows()]
    return warned, breached


def new_leads_at_clock(db_path: Path, since: pd.Timestamp, until: pd.Timestamp) -> pd.DataFrame:
    """Features (at the current build's clock) of the open leads created in (since, until]."""
    return _query(
        db_path,
        f"""
        select f.*
        from int_scoring_features as f
        inner join dim_leads as d on f.lead_id = d.lead_id
        where d.created_at > '{since}' and d.created_at <= '{until}'
        """,
    )


def truth_outcomes(db_path: Path, truth_dir: Path) -> pd.DataFrame:
    """lead_id -> the true person's true_probability and 90-day outcome."""
    from leadscore.evaluate.scoring import lead_to_person

    person = lead_to_person(db_path, truth_dir)
    truth = pd.read_csv(
        truth_dir / "persons.csv",
        usecols=["person_key", "true_probability", "has_opportunity_90d"],
    )
    leads = pd.DataFrame({"lead_id": list(person), "person_key": list(person.values())})
    return leads.merge(truth, on="person_key", how="inner").drop(columns="person_key")


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    ok = ~np.isnan(p)
    y, p = y[ok], p[ok]
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, p))


def predictions(
    features: pd.DataFrame, truth: pd.DataFrame, models: dict[str, Any]
) -> pd.DataFrame:
    """Per lead: the truth's 90-day outcome `y`, its `truth` probability and each model's."""
    rows = features.merge(truth, on="lead_id", how="inner")
    frame = pd.DataFrame(
        {
            "y": rows["has_opportunity_90d"].astype(str).str.lower().isin(["true", "1"]),
            "truth": rows["true_probability"].to_numpy(dtype=float),
        }
    )
    for label, model in models.items():
        frame[label] = np.asarray(model.predict_proba(rows), dtype=float) if len(rows) else []
    return frame


def evaluate(frame: pd.DataFrame) -> dict[str, float]:
    """ROC-AUC of the truth and of each model column on the same leads."""
    y = frame["y"].to_numpy(dtype=bool)
    result: dict[str, float] = {"leads": float(len(frame)), "conversions": float(y.sum())}
    for col in frame.columns.drop("y"):
        result[col] = _auc(y, frame[col].to_numpy(dtype=float))
    return result


def pooled(
    results: Sequence[MonthResult], shift: tuple[str, pd.Timestamp] | None
) -> dict[str, float] | None:
    """The evaluations of every month from the shift on (all months without a shift) pooled:
    the truth, the month-by-month champions and the frozen model on the same leads."""
    frame = pooled_frame(results, shift)
    return None if frame.empty else evaluate(frame)


def pooled_frame(
    results: Sequence[MonthResult], shift: tuple[str, pd.Timestamp] | None
) -> pd.DataFrame:
    """The evaluation rows `pooled` judges: every month from the shift on (all months
    without a shift) that has a frozen model's column."""
    frames = [
        r.eval_frame
        for r in results
        if r.eval_frame is not None
        and "frozen" in r.eval_frame
        and (shift is None or r.as_of >= shift[1])
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def paired_auc_difference(
    frame: pd.DataFrame, a: str, b: str, *, resamples: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """ROC-AUC of column `a` minus that of `b` on the same leads, and its 95% interval from a
    paired bootstrap (the leads resampled with replacement, both models scored on each
    resample), so 'measurably below' is a statement with its uncertainty."""
    y = frame["y"].to_numpy(dtype=bool)
    pa_, pb = frame[a].to_numpy(dtype=float), frame[b].to_numpy(dtype=float)
    diff = _auc(y, pa_) - _auc(y, pb)
    rng = np.random.default_rng(seed)
    draws = np.empty(resamples)
    for k in range(resamples):
        i = rng.integers(0, len(y), len(y))
        draws[k] = _auc(y[i], pa_[i]) - _auc(y[i], pb[i])
    low, high = np.nanpercentile(draws, [2.5, 97.5])
    return float(diff), float(low), float(high)


def eval_frames(results: Sequence[MonthResult]) -> pd.DataFrame:
    """Every month's evaluation rows (one per lead: outcome, truth and model probabilities)
    with the clock of the champion they judge, for checks after the replay."""
    frames = [r.eval_frame.assign(clock=r.as_of) for r in results if r.eval_frame is not None]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def simulate(
    settings: Settings,
    clocks: Sequence[pd.Timestamp],
    *,
    build_base: bool = True,
    env: dict[str, str] | None = None,
    extra_vars: dict[str, Any] | None = None,
    progress: Progress = lambda _: None,
) -> list[MonthResult]:
    """Build the scoring layer at each clock on `settings.db_path` and evaluate each month's
    champion on the next month's new leads (the last month has no next month).
    `extra_vars`: more dbt vars for every build (e.g. retrain_cadence_days)."""
    from leadscore.dbt import run_dbt

    truth_dir = settings.truth_dir
    shift = shift_of(truth_dir)
    results: list[MonthResult] = []
    truth: pd.DataFrame | None = None
    frozen: tuple[str, Any] | None = None
    for k, as_of in enumerate(clocks):
        before = registry(settings.db_path)
        previous_champion = champion_version(before)
        dbt_vars = {**(extra_vars or {}), "as_of": str(as_of)}
        began = time.perf_counter()
        progress(f"month {k + 1}/{len(clocks)}: building at clock {as_of:%Y-%m-%d}")
        if k == 0 and build_base:
            run_dbt(["seed", "-q"], settings, dbt_vars=dbt_vars, env=env, capture=True)
            run_dbt(["build", "-q"], settings, dbt_vars=dbt_vars, env=env, capture=True)
        else:
            run_dbt(
                ["build", "-q", "--select", SCORING_SELECT],
                settings,
                dbt_vars=dbt_vars,
                env=env,
                capture=True,
            )
        month = MonthResult(as_of=as_of, build_seconds=time.perf_counter() - began)
        after = registry(settings.db_path)
        month.champion = champion_version(after)
        trained = after[~after["model_version"].isin(before["model_version"])]
        if not trained.empty:
            row = trained.iloc[-1]
            month.retrained = str(row["retrain_reason"])
            month.promoted = row["status"] == "champion"
            month.decision = str(row.get("decision_reason") or "")
        month.warned, month.breached = alerts_at(settings.db_path, as_of)
        # the frozen model: the champion in force when the shift began (without a shift,
        # the first month's champion)
        if frozen is None:
            version = month.champion if shift is None else champion_at(after, shift[1])
            if version is not None and (shift is None or as_of >= shift[1]):
                frozen = (version, load_model(after, version))
        # evaluate the previous month's champion on the leads created since its clock
        if results and previous_champion is not None:
            prev = results[-1]
            if truth is None:
                truth = truth_outcomes(settings.db_path, truth_dir)
            feats = new_leads_at_clock(settings.db_path, prev.as_of, as_of)
            models = {"champion": load_model(after, previous_champion)}
            if frozen is not None:
                models["frozen"] = frozen[1]
            prev.eval_frame = predictions(feats, truth, models)
            scores = evaluate(prev.eval_frame)
            prev.eval_leads = int(scores.get("leads", 0))
            prev.eval_conversions = int(scores.get("conversions", 0))
            prev.truth_auc = scores.get("truth", float("nan"))
            prev.champion_auc = scores.get("champion", float("nan"))
            if frozen is not None:
                prev.frozen_auc = scores.get("frozen", float("nan"))
                prev.frozen_version = frozen[0]
        results.append(month)
        alerts = len(month.warned) + len(month.breached)
        progress(
            f"month {k + 1}/{len(clocks)}: built in {month.build_seconds:.0f}s; "
            f"{alerts} monitor alert(s); "
            + (f"retrained ({month.retrained})" if month.retrained else "no retraining")
        )
    return results


def _fmt(x: float) -> str:
    return "-" if np.isnan(x) else f"{x:.3f}"


def _short(items: list[str], limit: int = 3) -> str:
    if not items:
        return "-"
    more = f" +{len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


#: The columns of the printed table and of --csv, in order (a test checks them).
TABLE_COLUMNS: tuple[str, ...] = (
    "clock",
    "regime",
    "breached",
    "warned",
    "retrained",
    "champion",
    "eval_leads",
    "eval_conversions",
    "champion_auc",
    "truth_auc",
    "champion_to_truth",
    "frozen_auc",
)


def result_rows(
    results: Sequence[MonthResult], shift: tuple[str, pd.Timestamp] | None
) -> list[dict[str, Any]]:
    """One dict per month with TABLE_COLUMNS as keys (figures as numbers, NaN = not measured)."""
    rows = []
    for r in results:
        retrained = ""
        if r.retrained:
            retrained = r.retrained + (" -> promoted" if r.promoted else " -> kept champion")
        rows.append(
            {
                "clock": f"{r.as_of:%Y-%m-%d}",
                "regime": "" if shift is None else ("after" if r.as_of >= shift[1] else "before"),
                "breached": "; ".join(r.breached),
                "warned": "; ".join(r.warned),
                "retrained": retrained,
                "champion": r.champion or "rules",
                "eval_leads": r.eval_leads,
                "eval_conversions": r.eval_conversions,
                "champion_auc": round(r.champion_auc, 4),
                "truth_auc": round(r.truth_auc, 4),
                "champion_to_truth": round(r.ratio, 4),
                "frozen_auc": round(r.frozen_auc, 4),
            }
        )
    return rows


def results_table(results: Sequence[MonthResult], shift: tuple[str, pd.Timestamp] | None) -> Table:
    title = "Monthly simulation" + (
        f": regime shift {shift[0]} from {shift[1]:%Y-%m-%d}" if shift else ": no regime shift"
    )
    table = Table(title=title, title_justify="left")
    headers = (
        ("clock", "left"),
        ("regime", "left"),
        ("breached", "left"),
        ("warned", "left"),
        ("retrained (reason)", "left"),
        ("champion trained", "left"),
        ("next month's leads", "right"),
        ("champion AUC", "right"),
        ("truth AUC", "right"),
        ("ratio", "right"),
        ("frozen AUC", "right"),
    )
    for name, justify in headers:
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r, row in zip(results, result_rows(results, shift), strict=True):
        table.add_row(
            row["clock"],
            row["regime"] or "-",
            _short(r.breached),
            _short(r.warned),
            row["retrained"] or "-",
            "rules" if r.champion is None else f"{pd.Timestamp(r.champion[:8]):%Y-%m-%d}",
            f"{r.eval_leads:,} ({r.eval_conversions} conv.)" if r.eval_leads else "-",
            _fmt(r.champion_auc),
            _fmt(r.truth_auc),
            _fmt(r.ratio),
            _fmt(r.frozen_auc),
        )
    return table


def simulate_command(
    months: Annotated[
        int,
        typer.Option("--months", "-m", min=1, max=36, help="Monthly scoring runs to simulate."),
    ] = 6,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="YYYY-MM-DD",
            help="Clock of the first run (default: the first of the month MONTHS months "
            "before the export date in the truth manifest, so the last run is the newest).",
        ),
    ] = None,
    leads: Annotated[
        int | None,
        typer.Option(
            "--generate",
            metavar="LEADS",
            min=100,
            help="First generate LEADS demo leads into LEADSCORE_RAW_DIR (and the truth "
            "folder), replacing what is there, and start a fresh LEADSCORE_DB; without it "
            "the landed exports and the warehouse are used.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Generator seed (with --generate).")] = 7,
    shift: Annotated[
        str | None,
        typer.Option(
            "--shift",
            metavar="KIND",
            help="With --generate: inject a regime change, upmarket or product_line:NAME.",
        ),
    ] = None,
    shift_at: Annotated[
        str | None,
        typer.Option("--shift-at", metavar="YYYY-MM-DD", help="With --shift: its first day."),
    ] = None,
    csv_path: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="Also write the table (full monitor lists) to this CSV, and each month's "
            "evaluation rows (outcome, truth, champion, frozen per lead) beside it as "
            "NAME.eval.parquet.",
        ),
    ] = None,
    cadence_days: Annotated[
        int | None,
        typer.Option(
            "--retrain-cadence-days",
            metavar="DAYS",
            min=1,
            help="Retrain cadence of the replay's builds (dbt var retrain_cadence_days; "
            "default: scoring_policy's). A long one (e.g. 365) leaves retraining to the "
            "monitors.",
        ),
    ] = None,
    scoring_only: Annotated[
        bool,
        typer.Option(
            "--scoring-only",
            help="The lead schema is already built on LEADSCORE_DB: build only the scoring "
            "layer (int_scoring_clock+) each month, the first month included.",
        ),
    ] = False,
) -> None:
    """Replay monthly scoring runs and show the monitors, retraining and accuracy over time.

    Builds the warehouse (LEADSCORE_DB) at a clock on the first of each month, as
    `leadscore run --vars '{"as_of": ...}'` does, and prints one row per month: the
    monitors that breached or warned (model_monitoring), whether a challenger was trained
    and why (retrain_reason), and, measured on the next month's new leads against the
    generator's truth folder: the champion's ROC-AUC, the truth's (true_probability) and
    that of a model frozen at the regime shift (the first champion without a shift).
    Needs the truth folder (LEADSCORE_TRUTH_DIR), so it runs on generated demo data.
    """
    from dataclasses import replace

    from leadscore.dbt import DbtError
    from leadscore.generate.cli import _parse_start

    settings = Settings.from_env()
    if (shift or shift_at) and leads is None:
        raise typer.BadParameter("needs --generate LEADS", param_hint="--shift/--shift-at")
    if leads is not None:
        from leadscore.generate import GenerateOptions, generate

        shift_day = None if shift_at is None else _parse_start(shift_at, "--shift-at")
        try:
            opts = GenerateOptions(
                leads=leads,
                seed=seed,
                out=settings.raw_dir,
                truth_out=settings.truth_dir,
                shift=shift,
                shift_at=shift_day,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--shift/--shift-at") from exc
        import shutil

        for folder in (settings.raw_dir, settings.truth_dir):
            if folder.exists():
                shutil.rmtree(folder)
        console.print(f"Generating {leads:,} leads (seed {seed}) into {settings.raw_dir}")
        generate(opts)
        settings.db_path.unlink(missing_ok=True)
    truth_dir = settings.truth_dir
    if not (truth_dir / "persons.csv").exists():
        console.print(
            f"[red]No truth folder at {truth_dir}[/red]: simulate measures against the "
            "generator's truth. Run with --generate LEADS or set LEADSCORE_TRUTH_DIR."
        )
        raise typer.Exit(2)
    first = _parse_start(start) if start else default_start(truth_dir, months)
    clocks = month_clocks(first, months)
    the_shift = shift_of(truth_dir)
    console.print(
        f"Simulating {months} monthly runs on {settings.db_path}: clocks "
        f"{clocks[0]:%Y-%m-%d} to {clocks[-1]:%Y-%m-%d}"
        + (f"; regime shift {the_shift[0]} from {the_shift[1]:%Y-%m-%d}" if the_shift else "")
        + (f"; retrain cadence {cadence_days} days" if cadence_days else "")
    )
    began = time.perf_counter()
    try:
        results = simulate(
            replace(settings),
            clocks,
            build_base=not scoring_only,
            extra_vars=None if cadence_days is None else {"retrain_cadence_days": cadence_days},
            progress=lambda line: console.print(line, highlight=False),
        )
    except DbtError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    out.print(results_table(results, the_shift))
    if csv_path is not None:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame(result_rows(results, the_shift), columns=list(TABLE_COLUMNS))
        frame.to_csv(csv_path, index=False)
        console.print(f"Wrote {csv_path}")
        evals = csv_path.with_suffix(".eval.parquet")
        eval_frames(results).to_parquet(evals, index=False)
        console.print(f"Wrote {evals} (each month's evaluation rows)")
    frozen = next((r.frozen_version for r in results if r.frozen_version), None)
    both = pooled_frame(results, the_shift)
    if not both.empty:
        total = evaluate(both)
        diff, low, high = paired_auc_difference(both, "champion", "frozen")
        out.print(
            ("Pooled from the shift on" if the_shift else "Pooled over all months")
            + f": {int(total['leads']):,} leads, {int(total['conversions'])} conversions; "
            f"ROC-AUC champions {_fmt(total['champion'])}, truth {_fmt(total['truth'])} "
            f"(ratio {_fmt(total['champion'] / total['truth'])}), frozen "
            f"{_fmt(total['frozen'])} (ratio {_fmt(total['frozen'] / total['truth'])}); "
            f"champions - frozen {diff:+.3f} (95% interval {low:+.3f} to {high:+.3f}, "
            "paired bootstrap over the leads).",
            highlight=False,
        )
    out.print(
        "Each row's AUCs (ROC-AUC): that month's champion, the truth (true_probability) and "
        "the frozen model on the leads created in the following month and open at its clock, "
        "scored from their features there, against the truth's 90-day outcome; ratio = "
        "champion / truth. Frozen model: "
        + (frozen or "none")
        + (" (the champion when the shift began)." if the_shift else " (the first champion).")
        + f" {len(results)} builds in {time.perf_counter() - began:.0f}s.",
        highlight=False,
    )
