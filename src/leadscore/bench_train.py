"""Training time on a one-table export: `leadscore bench --train-rows N` runs this as a step.

Run as `python -m leadscore.bench_train --rows N --out result.json`: builds the synthetic
undated one-table export (:func:`leadscore.ml.synthetic.one_table_examples`, about 20
features), trains it with the project's scoring policy seed (the same
:func:`leadscore.ml.train.train_and_evaluate` the dbt model calls: K-fold evaluation, then
the shipped fit) and writes wall and CPU seconds, the holdout ROC-AUC and the truth's
ROC-AUC on the same rows. The bench's launcher measures the process's peak memory.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from leadscore.config import PROJECT_DIR

POLICY_SEED = PROJECT_DIR / "seeds" / "ml" / "scoring_policy.csv"


def train_one_table(rows: int, seed: int = 7) -> dict[str, Any]:
    """Train on ``rows`` one-table examples; return the timings and quality figures."""
    from leadscore.ml import FeatureSpec, ScoringPolicy
    from leadscore.ml.metrics import roc_auc
    from leadscore.ml.synthetic import one_table_examples
    from leadscore.ml.train import train_and_evaluate

    frame, catalog = one_table_examples(rows, seed=seed)
    spec = FeatureSpec.from_frame(catalog)
    policy = ScoringPolicy.from_frame(pd.read_csv(POLICY_SEED))
    wall, cpu = time.perf_counter(), time.process_time()
    model = train_and_evaluate(frame, spec, policy, time_col=None)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    truth = roc_auc(frame["label"].to_numpy(), frame["true_probability"].to_numpy())
    return {
        "rows": rows,
        "features": len(catalog),
        "seconds": wall,
        "cpu_seconds": cpu,
        "model_kind": model.model_kind,
        "validation_scheme": model.validation_scheme,
        "roc_auc": float(model.metrics["roc_auc"]),
        "truth_roc_auc": float(truth),
        "ece": float(model.metrics["ece"]),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=41_188, help="Rows in the export.")
    parser.add_argument("--seed", type=int, default=7, help="Generator seed.")
    parser.add_argument("--out", type=Path, required=True, help="Where to write the JSON.")
    args = parser.parse_args(argv)
    result = train_one_table(args.rows, args.seed)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
