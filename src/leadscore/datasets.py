"""Run the whole pipeline on a one-table lead export (`leadscore run --dataset ...`).

A dataset is a folder `datasets/<dataset>/` (a plug-in: its sources, models, feature catalog
and label policy; docs/add-your-own-export.md), selected in dbt with the `dataset` var. This
module finds the datasets (the folders), checks their files are there, runs dbt on the
dataset's own DuckDB file and reads the headline metrics back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import yaml

from leadscore.config import PROJECT_DIR, Settings
from leadscore.dbt import run_dbt

DEFAULT_DATA_DIR = "../shared/datasets"
HEADLINE = ("roc_auc", "pr_auc", "lift_top_decile", "brier", "ece", "n", "positive_rate")


class DatasetError(RuntimeError):
    """Unknown dataset or missing input files (the message names what is missing)."""


@dataclass(frozen=True)
class Headline:
    dataset: str
    model_version: str
    validation_scheme: str
    metrics: dict[str, float]

    def lines(self) -> list[str]:
        m = self.metrics
        fmt = {k: (f"{m[k]:.4f}" if k in m else "n/a") for k in HEADLINE}
        return [
            f"dataset {self.dataset}, model {self.model_version}",
            f"ROC-AUC {fmt['roc_auc']}  PR-AUC {fmt['pr_auc']}  "
            f"lift at top decile {fmt['lift_top_decile']}  Brier {fmt['brier']}  "
            f"ECE {fmt['ece']}  (holdout n={fmt['n']}, positive rate {fmt['positive_rate']})",
            f"validation: {self.validation_scheme}",
        ]


def resolve_data_dir(option: Path | None) -> Path:
    """--data-dir, else env LEADSCORE_DATASETS_DIR, else ../shared/datasets (from the project)."""
    raw = option or os.environ.get("LEADSCORE_DATASETS_DIR") or DEFAULT_DATA_DIR
    path = Path(raw)
    if not path.is_absolute():
        base = Path.cwd() if option is not None else PROJECT_DIR
        path = base / path
    return path.resolve()


def dataset_files(project_dir: Path = PROJECT_DIR) -> dict[str, tuple[str, ...]]:
    """Each dataset folder under datasets/ and the files its sources read (relative to the
    data folder): the `meta.file` of every table of its `_<dataset>__sources.yml`."""
    found: dict[str, tuple[str, ...]] = {}
    for folder in sorted((project_dir / "datasets").glob("*/")):
        files: list[str] = []
        for yml in sorted(folder.glob("_*__sources.yml")):
            doc = yaml.safe_load(yml.read_text(encoding="utf-8")) or {}
            for source in doc.get("sources") or ():
                for table in source.get("tables") or ():
                    meta = (table.get("config") or {}).get("meta") or table.get("meta") or {}
                    if meta.get("file"):
                        files.append(f"{folder.name}/{meta['file']}")
        if files:
            found[folder.name] = tuple(files)
    return found


def check_files(dataset: str, data_dir: Path, project_dir: Path = PROJECT_DIR) -> None:
    known_files = dataset_files(project_dir)
    if dataset not in known_files:
        known = ", ".join(["demo", *known_files])
        raise DatasetError(
            f"unknown dataset {dataset!r}; known: {known} (a dataset is a folder datasets/<name>/)"
        )
    missing = [data_dir / rel for rel in known_files[dataset] if not (data_dir / rel).exists()]
    if missing:
        raise DatasetError(
            "missing input file(s): "
            + ", ".join(str(p) for p in missing)
            + " (set --data-dir or LEADSCORE_DATASETS_DIR to the folder that holds "
            + f"{dataset}/)"
        )


def dataset_settings(dataset: str) -> Settings:
    """The dataset's own DuckDB file (warehouse/<dataset>.duckdb) unless LEADSCORE_DB is set."""
    settings = Settings.from_env()
    if os.environ.get("LEADSCORE_DB"):
        return settings
    return replace(settings, db_path=PROJECT_DIR / "warehouse" / f"{dataset}.duckdb")


def run_dataset(
    dataset: str,
    data_dir: Path,
    *,
    select: str | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    full_refresh: bool = False,
    settings: Settings | None = None,
) -> Settings:
    """`dbt seed` + `dbt build` with the dataset var; raises DbtError when dbt fails."""
    settings = settings or dataset_settings(dataset)
    check_files(dataset, data_dir, settings.project_dir)
    merged = {**dict(dbt_vars or {}), "dataset": dataset}
    env = {"LEADSCORE_DATASETS_DIR": str(data_dir)}
    extra = ["--full-refresh"] if full_refresh else []
    selector = ["--select", select] if select else []
    run_dbt(["seed", *extra], settings, dbt_vars=merged, env=env)
    run_dbt(["build", *selector, *extra], settings, dbt_vars=merged, env=env)
    return settings


def headline(db_path: Path) -> Headline:
    """The latest model's holdout metrics from model_metrics."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        latest = con.sql(
            "select model_version, dataset, validation_scheme from model_metrics "
            "order by trained_at desc nulls last, measured_at desc limit 1"
        ).fetchall()
        if not latest:
            raise DatasetError(f"model_metrics in {db_path} is empty")
        version, dataset, scheme = latest[0]
        rows = con.sql(
            "select metric, value from model_metrics where model_version = ? and bucket is null",
            params=[version],
        ).fetchall()
    return Headline(dataset, version, scheme, {k: float(v) for k, v in rows if v is not None})
