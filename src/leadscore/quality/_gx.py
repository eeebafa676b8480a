"""A thin, lazy wrapper around Great Expectations (pandas datasource, ephemeral context).

GX 1.x's SQL datasource fails on DuckDB (docs/gotchas), so every suite here runs on a pandas
DataFrame that was read through DuckDB. GX is slow to import and to build a context, so this
module imports it on first use and keeps one context per process.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

_STATE: dict[str, Any] = {}


@dataclass(frozen=True)
class Expectation:
    """One GX expectation by its class name (e.g. `ExpectColumnValuesToNotBeNull`)."""

    kind: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class ExpectationOutcome:
    """The parts of a GX ExpectationValidationResult the reports need."""

    expectation: str
    column: str | None
    success: bool
    observed: Any = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    examples: list[Any] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "expectation": self.expectation,
            "column": self.column,
            "success": self.success,
            "observed": _jsonable(self.observed),
            "unexpected_count": self.unexpected_count,
            "unexpected_percent": self.unexpected_percent,
            "examples": [_jsonable(x) for x in self.examples],
            "error": self.error,
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "item"):
        try:
            return value.item()
        except (ValueError, TypeError):
            pass
    return str(value)


def _batch_definition() -> Any:
    if "bd" not in _STATE:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        with contextlib.suppress(Exception):  # cosmetic: no tqdm bars on stderr
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
        asset = context.data_sources.add_pandas("leadscore").add_dataframe_asset("frame")
        _STATE["gx"] = gx
        _STATE["bd"] = asset.add_batch_definition_whole_dataframe("whole")
    return _STATE["bd"]


def run_suite(
    name: str, frame: pd.DataFrame, expectations: list[Expectation]
) -> list[ExpectationOutcome]:
    """Validate `frame` against `expectations` in one GX call; one outcome per expectation."""
    if not expectations:
        return []
    bd = _batch_definition()
    gx = _STATE["gx"]
    import great_expectations.expectations as gxe

    suite = gx.ExpectationSuite(name=name)
    for exp in expectations:
        suite.add_expectation(getattr(gxe, exp.kind)(**exp.kwargs))
    batch = bd.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format="SUMMARY")
    outcomes: list[ExpectationOutcome] = []
    for res in result.results:
        data = res.to_json_dict()
        config = data.get("expectation_config", {})
        kwargs = config.get("kwargs", {})
        details = data.get("result") or {}
        exc = data.get("exception_info") or {}
        error = exc.get("exception_message") if exc.get("raised_exception") else None
        outcomes.append(
            ExpectationOutcome(
                expectation=str(config.get("type", "?")),
                column=kwargs.get("column"),
                success=bool(data.get("success")) and error is None,
                observed=details.get("observed_value"),
                unexpected_count=details.get("unexpected_count"),
                unexpected_percent=details.get("unexpected_percent"),
                examples=list(details.get("partial_unexpected_list") or [])[:5],
                error=error,
            )
        )
    return outcomes
