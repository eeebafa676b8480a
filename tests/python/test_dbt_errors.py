"""Errors people can read: a failed dbt node's message reaches the user whole, with the log."""

from __future__ import annotations

import json
from pathlib import Path

from leadscore.dbt import error_text, failure_details

LEAK = (
    "Leak check failed: 'call_duration' carries 48% of the model's lift (holdout ROC-AUC 0.918 "
    "with it, 0.718 with it shuffled; its own ROC-AUC 0.857), measured on the time holdout; "
    + "the policy allows ... " * 40
    + "set reviewed=true and a review_reason on its feature_catalog row."
)

HEADER = "Runtime Error in model ml_model_registry (python_models/ml/ml_model_registry.py)"
PYTHON_MODEL_FAILURE = f"""{HEADER}
  Python model failed:
  Traceback (most recent call last):
    File "/x/dbt/adapters/duckdb/environments/__init__.py", line 286, in run_python_job
      df = module.model(dbt, con)
           ^^^^^^^^^^^^^^^^^^^^^^
    File "/x/src/leadscore/ml/leakage.py", line 255, in check_lift_shares
      raise LiftLeakageError(
  leadscore.ml.leakage.LiftLeakageError: {LEAK}
  """


def test_a_python_model_failure_is_reduced_to_its_exception_in_full() -> None:
    text = error_text(PYTHON_MODEL_FAILURE)
    assert text.startswith("Runtime Error in model ml_model_registry")
    assert text.endswith(f"leadscore.ml.leakage.LiftLeakageError: {LEAK}")
    assert "Traceback" not in text and "^^^" not in text
    assert (
        error_text("Database Error\n  column x   not found") == "Database Error column x not found"
    )


def test_failure_details_give_the_first_failure_whole(tmp_path: Path) -> None:
    results = {
        "results": [
            {"unique_id": "model.a", "status": "success", "message": "OK"},
            {
                "unique_id": "model.ml_model_registry",
                "status": "error",
                "message": PYTHON_MODEL_FAILURE,
            },
            {"unique_id": "test.b", "status": "fail", "message": "Got 3 results " + "x" * 900},
        ]
    }
    (tmp_path / "run_results.json").write_text(json.dumps(results))
    first, second = failure_details(tmp_path)
    assert first.startswith("model.ml_model_registry [error]: Runtime Error")
    assert first.endswith(LEAK)  # not cut, though far longer than 600 characters
    assert len(LEAK) > 600
    assert second.startswith("test.b [fail]: Got 3 results") and len(second) < 700
