"""Model registry: skops serialization with an allow-list, registry rows, promotion, retrain.

A trained model travels between dbt Python models as one registry row whose ``model_blob``
holds skops bytes. skops never unpickles arbitrary code: loading refuses every type outside
``TRUSTED_TYPES``, so a tampered BLOB cannot execute anything. The bytes are canonicalized
(object ids renumbered, fixed zip timestamps), so the same data and seed give the same bytes.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio

from leadscore.ml.train import TrainedModel

FORMAT_VERSION = 2  # 2: contributions-based grades, reference_logit, spec_hash
STATUSES = ("champion", "challenger", "retired")

#: Types skops does not trust by default that a leadscore model legitimately contains.
TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        "numpy.dtype",
        "functools.partial",
        "sklearn.utils.validation.check_array",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    }
)

_PAYLOAD_FIELDS = (
    "pipeline",
    "calibrator",
    "calibration_method",
    "model_kind",
    "features",
    "feature_kinds",
    "baselines",
    "score_reference",
    "reference_logit",
    "fit_features",
    "fit_reference",
    "engagement_features",
    "engagement_reference",
    "positive_rate",
    "spec_hash",
)


class UntrustedModelError(RuntimeError):
    """The serialized model contains types outside the allow-list; it was not loaded."""


class ModelFormatError(UntrustedModelError):
    """The blob is a leadscore model of an older payload format; it was not loaded."""


def _canonical_zip(raw: bytes) -> bytes:
    """Rewrite skops output so identical models give identical bytes.

    skops names arrays after ``id()`` and bytes after a uuid, and stamps the current time;
    renumber those in order of appearance in the schema and use a fixed timestamp.
    """
    src = zipfile.ZipFile(io.BytesIO(raw))
    schema = src.read("schema.json").decode("utf-8")
    mapping: dict[str, str] = {}

    def canon(token: str) -> str:
        if token not in mapping:
            mapping[token] = str(len(mapping) + 1)
        return mapping[token]

    renames: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return f'"__id__": {canon(match.group(1))}'
        old = f"{match.group(2)}.{match.group(3)}"
        renames[old] = f"{canon(match.group(2))}.{match.group(3)}"
        return f'"file": "{renames[old]}"'

    schema = re.sub(r'"__id__": (\d+)|"file": "([^"]+)\.(npy|bin)"', replace, schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as dst:
        entries = {"schema.json": schema.encode("utf-8")}
        for name in src.namelist():
            if name != "schema.json":
                entries[renames.get(name, name)] = src.read(name)
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, entries[name])
    return out.getvalue()


def model_to_bytes(model: TrainedModel) -> bytes:
    """skops bytes of everything scoring needs (metadata travels in the registry's JSON)."""
    payload: dict[str, Any] = {"format_version": FORMAT_VERSION}
    for name in _PAYLOAD_FIELDS:
        payload[name] = getattr(model, name)
    return _canonical_zip(sio.dumps(payload))


def untrusted_types(blob: bytes | bytearray | memoryview) -> list[str]:
    """Types in the blob outside skops' defaults *and* outside TRUSTED_TYPES."""
    data = bytes(blob)
    return sorted(t for t in sio.get_untrusted_types(data=data) if t not in TRUSTED_TYPES)


def load_payload(blob: bytes | bytearray | memoryview) -> dict[str, Any]:
    """Load skops bytes after checking every non-default type against the allow-list.

    DuckDB returns BLOBs as ``bytearray``; any buffer is accepted.
    """
    data = bytes(blob)
    bad = untrusted_types(data)
    if bad:
        raise UntrustedModelError(
            f"refusing to load model: types outside the allow-list {bad}. If these are "
            "legitimate (e.g. after a scikit-learn upgrade), review them and add them to "
            "leadscore.ml.registry.TRUSTED_TYPES."
        )
    present = sorted(sio.get_untrusted_types(data=data))
    payload = sio.loads(data, trusted=present)
    if not isinstance(payload, dict) or payload.get("format_version") != FORMAT_VERSION:
        raise ModelFormatError(
            f"model blob has format_version {payload.get('format_version')!r}, this code reads "
            f"{FORMAT_VERSION}: retrain (the next build does, as its spec hash differs)"
            if isinstance(payload, dict)
            else "model blob is not a leadscore model payload"
        )
    return payload


def model_from_bytes(
    blob: bytes | bytearray | memoryview, metadata: Mapping[str, Any] | None = None
) -> TrainedModel:
    """Rebuild a TrainedModel from skops bytes (+ optional registry metadata)."""
    payload = load_payload(blob)
    meta = dict(metadata or {})
    return TrainedModel(
        **{name: payload[name] for name in _PAYLOAD_FIELDS},
        metrics=meta.get("metrics", {}),
        calibration_table=pd.DataFrame(meta.get("calibration_by_decile", [])),
        candidate_metrics=meta.get("candidate_metrics", {}),
        data_window=meta.get("data_window", {}),
        validation_scheme=meta.get("validation_scheme", ""),
        trained_at=pd.Timestamp(meta["trained_at"]) if meta.get("trained_at") else pd.Timestamp(0),
        version=meta.get("model_version", ""),
        library_versions=meta.get("library_versions", {}),
        policy_version=meta.get("policy_version", ""),
        data_fingerprint=meta.get("data_fingerprint", ""),
    )


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _dumps(value: Any) -> str:
    return json.dumps(_json_safe(value), sort_keys=True)


def registry_row(model: TrainedModel, status: str = "challenger") -> dict[str, Any]:
    """One ``model_registry`` row. JSON columns are strings; ``model_blob`` is skops bytes.

    Columns: model_version, trained_at, status, model_kind, calibration_method,
    validation_scheme, policy_version, data_fingerprint, spec_hash, train_start, train_end,
    holdout_start, holdout_end, roc_auc, pr_auc, lift_top_decile, brier, ece,
    features_json, library_versions_json, metrics_json, calibration_json,
    candidate_metrics_json, leakage_json, grades_json, model_blob, holdout_parquet.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}, got {status!r}")
    window = model.data_window
    metrics = _json_safe(model.metrics)
    features = [
        {
            "feature": f,
            "kind": model.feature_kinds[f],
            "role": "fit"
            if f in model.fit_features
            else "engagement"
            if f in model.engagement_features
            else "other",
            "baseline": model.baselines.get(f),
        }
        for f in model.features
    ]
    return {
        "model_version": model.version,
        "trained_at": model.trained_at,
        "status": status,
        "model_kind": model.model_kind,
        "calibration_method": model.calibration_method,
        "validation_scheme": model.validation_scheme,
        "policy_version": model.policy_version,
        "data_fingerprint": model.data_fingerprint,
        "spec_hash": model.spec_hash,
        "train_start": _ts(window.get("train_start")),
        "train_end": _ts(window.get("train_end")),
        "holdout_start": _ts(window.get("holdout_start")),
        "holdout_end": _ts(window.get("holdout_end")),
        **{k: metrics.get(k) for k in ("roc_auc", "pr_auc", "lift_top_decile", "brier", "ece")},
        "features_json": _dumps(features),
        "library_versions_json": _dumps(model.library_versions),
        "metrics_json": _dumps(metrics),
        "calibration_json": _dumps(model.calibration_table.to_dict("records")),
        "candidate_metrics_json": _dumps(model.candidate_metrics),
        "leakage_json": _dumps(model.leakage_table.to_dict("records")),
        "grades_json": _dumps(model.grade_table.to_dict("records")),
        "model_blob": model_to_bytes(model),
        "holdout_parquet": holdout_to_bytes(model.holdout_predictions),
    }


def holdout_to_bytes(holdout: pd.DataFrame | None) -> bytes | None:
    """Holdout predictions as Parquet bytes: plain data, safe to load (unlike a pickle)."""
    if holdout is None:
        return None
    buffer = io.BytesIO()
    holdout.reset_index(drop=True).to_parquet(buffer, index=False)
    return buffer.getvalue()


def holdout_from_bytes(blob: bytes | bytearray | memoryview | None) -> pd.DataFrame | None:
    if blob is None or (isinstance(blob, float) and math.isnan(blob)):
        return None
    return pd.read_parquet(io.BytesIO(bytes(blob)))


def _ts(value: Any) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value)


def model_from_registry_row(row: Mapping[str, Any]) -> TrainedModel:
    """Inverse of :func:`registry_row` (accepts a dict or a DataFrame row / Series)."""
    get = row.get if hasattr(row, "get") else row.__getitem__

    def loads(key: str, default: Any) -> Any:
        text = get(key)
        return json.loads(text) if isinstance(text, str) and text else default

    window = {
        k: (None if pd.isna(get(k)) else pd.Timestamp(get(k)).isoformat())
        for k in ("train_start", "train_end", "holdout_start", "holdout_end")
        if get(k) is not None
    }
    meta = {
        "model_version": get("model_version"),
        "trained_at": get("trained_at"),
        "metrics": loads("metrics_json", {}),
        "calibration_by_decile": loads("calibration_json", []),
        "candidate_metrics": loads("candidate_metrics_json", {}),
        "library_versions": loads("library_versions_json", {}),
        "validation_scheme": get("validation_scheme") or "",
        "policy_version": get("policy_version") or "",
        "data_fingerprint": get("data_fingerprint") or "",
        "data_window": window,
    }
    model = model_from_bytes(get("model_blob"), meta)
    holdout = row.get("holdout_parquet") if hasattr(row, "get") else None
    model.holdout_predictions = holdout_from_bytes(holdout)
    return model


@dataclass(frozen=True)
class PromotionDecision:
    promote: bool
    reason: str


def promotion_decision(
    champion_metrics: Mapping[str, Any] | None,
    challenger_metrics: Mapping[str, Any],
    tolerance: float,
) -> PromotionDecision:
    """Promote unless the challenger is worse than the champion beyond ``tolerance``.

    Checked on ROC-AUC (ranking, higher is better) and ECE (calibration, lower is better).
    Ties and small regressions within tolerance promote, so the newer model (trained on newer
    behaviour) wins when quality is equal.
    """
    auc_new = _num(challenger_metrics.get("roc_auc"))
    if math.isnan(auc_new):
        return PromotionDecision(False, "challenger has no holdout ROC-AUC")
    if not champion_metrics:
        return PromotionDecision(True, "no champion: the first trained model becomes champion")
    auc_old = _num(champion_metrics.get("roc_auc"))
    ece_old, ece_new = _num(champion_metrics.get("ece")), _num(challenger_metrics.get("ece"))
    if not math.isnan(auc_old) and auc_new < auc_old - tolerance:
        return PromotionDecision(
            False,
            f"challenger ROC-AUC {auc_new:.4f} is below champion {auc_old:.4f} by more than "
            f"{tolerance}",
        )
    if not (math.isnan(ece_old) or math.isnan(ece_new)) and ece_new > ece_old + tolerance:
        return PromotionDecision(
            False,
            f"challenger calibration error {ece_new:.4f} exceeds champion {ece_old:.4f} by "
            f"more than {tolerance}",
        )
    return PromotionDecision(
        True,
        f"challenger ROC-AUC {auc_new:.4f} vs champion {auc_old:.4f} within tolerance {tolerance}",
    )


def _num(value: Any) -> float:
    try:
        return float(value) if value is not None else float("nan")
    except (TypeError, ValueError):
        return float("nan")


RETRAIN_REASONS = (
    "forced",
    "no_champion",
    "spec_changed",
    "drift:<monitor>",
    "segment_shift:<segment>",
    "cadence",
    "clock_moved_back",  # the account model only: trained after the scoring clock
)


@dataclass(frozen=True)
class RetrainDecision:
    """Whether this build trains a challenger; ``reason`` is one of RETRAIN_REASONS (or
    ``none``), ``detail`` says it in words."""

    retrain: bool
    reason: str
    detail: str


def retrain_decision(
    champion_trained_at: pd.Timestamp | str | None,
    now: pd.Timestamp | str,
    cadence_days: int,
    *,
    force: bool = False,
    champion_spec_hash: str | None = None,
    current_spec_hash: str | None = None,
    monitor_breach: tuple[str, str] | None = None,
) -> RetrainDecision:
    """Retrain when asked, with no champion, when the spec changed, when a monitor breached,
    or past the cadence.

    ``spec_changed``: the champion was trained under another feature catalog or training
    policy (its ``spec_hash`` differs from the current one, or it has none).
    ``monitor_breach``: (reason, detail) of a monitor's breach in the previous build
    (``drift:<monitor>`` or ``segment_shift:<segment>``, see
    :func:`leadscore.ml.monitoring.monitor_trigger`); it wins over the cadence.
    """
    if force:
        return RetrainDecision(True, "forced", "retrain requested")
    if champion_trained_at is None or pd.isna(champion_trained_at):
        return RetrainDecision(True, "no_champion", "no champion model yet")
    if current_spec_hash is not None and champion_spec_hash != current_spec_hash:
        old = (champion_spec_hash or "none")[:6]
        return RetrainDecision(
            True,
            "spec_changed",
            f"the feature catalog or training policy changed since the champion was trained "
            f"(spec {old} -> {current_spec_hash[:6]})",
        )
    if monitor_breach is not None:
        return RetrainDecision(True, monitor_breach[0], monitor_breach[1])
    age = pd.Timestamp(now) - pd.Timestamp(champion_trained_at)
    if age >= pd.Timedelta(days=cadence_days):
        return RetrainDecision(
            True, "cadence", f"champion is {age.days} days old (cadence {cadence_days} days)"
        )
    return RetrainDecision(
        False,
        "none",
        f"champion is {age.days} days old; reusing it (cadence {cadence_days} days)",
    )


def needs_retrain(
    champion_trained_at: pd.Timestamp | str | None,
    now: pd.Timestamp | str,
    cadence_days: int,
    force: bool = False,
) -> tuple[bool, str]:
    """Retrain when asked, when there is no champion, or when it is older than the cadence."""
    decision = retrain_decision(champion_trained_at, now, cadence_days, force=force)
    return decision.retrain, decision.detail
