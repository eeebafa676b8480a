"""Vectorized formatting: Salesforce ids, hex ids, each system's datetime style, variants.

Everything here works on whole numpy arrays (no per-row Python) because the 1M-lead run
formats tens of millions of values. Times travel through the generator as `datetime64[s]`
arrays in UTC with `NaT` for "never happened"; formatting turns `NaT` into null.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_SF_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)
SECOND = np.timedelta64(1, "s")
DAY = np.timedelta64(86400, "s")


def _bytes_to_str(rows: np.ndarray) -> pa.Array:
    """(n, k) uint8 matrix of ASCII -> Arrow string array (no Python objects)."""
    n, k = rows.shape
    flat = np.ascontiguousarray(rows).reshape(-1)
    offsets = np.arange(0, (n + 1) * k, k, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(flat))


def sf_ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    """18-character Salesforce ids: 3-char key prefix, 2-char instance, 10 base-62 digits,
    and the real case-safe 3-char checksum suffix (so staging can validate them)."""
    n = len(numbers)
    body = np.empty((n, 15), np.uint8)
    body[:, :3] = np.frombuffer(prefix.encode(), np.uint8)
    body[:, 3:5] = np.frombuffer(b"5g", np.uint8)
    x = np.asarray(numbers, np.int64) + 62**6 * 3  # non-zero leading digits, like real ids
    for i in range(14, 4, -1):
        body[:, i] = _B62[x % 62]
        x //= 62
    upper = ((body >= 65) & (body <= 90)).astype(np.int64)
    weights = np.array([1, 2, 4, 8, 16], np.int64)
    suffix = np.stack([_SF_SUFFIX[upper[:, 5 * b : 5 * b + 5] @ weights] for b in range(3)], 1)
    return _bytes_to_str(np.concatenate([body, suffix], axis=1))


def hex_ids(rng: np.random.Generator, n: int, uuid: bool = False) -> pa.Array:
    """Random 32-hex-digit ids (or 8-4-4-4-12 UUID layout) drawn from the seeded generator."""
    raw = rng.integers(0, 16, size=(n, 32), dtype=np.uint8)
    chars = _HEX[raw]
    if uuid:
        chars[:, 12] = ord("4")
        dash = np.full((n, 1), ord("-"), np.uint8)
        parts = [chars[:, :8], dash, chars[:, 8:12], dash, chars[:, 12:16], dash, chars[:, 16:20]]
        chars = np.concatenate([*parts, dash, chars[:, 20:]], axis=1)
    return _bytes_to_str(chars)


def _with_nulls(strings: np.ndarray, times: np.ndarray) -> pa.Array:
    return pa.array(strings, pa.string(), mask=np.isnat(times))


def sf_datetime(t: np.ndarray) -> pa.Array:
    """`2025-03-04T14:15:22.000Z` (Salesforce API datetime, UTC)."""
    s = np.datetime_as_string(t.astype("datetime64[ms]"), unit="ms", timezone="UTC")
    return _with_nulls(s, t)


def iso_z(t: np.ndarray) -> pa.Array:
    """`2025-03-04T14:15:22Z` (Marketo, truth)."""
    return _with_nulls(np.datetime_as_string(t, unit="s", timezone="UTC"), t)


def iso_date(t: np.ndarray) -> pa.Array:
    """`2025-03-04` (Salesforce date fields)."""
    return _with_nulls(np.datetime_as_string(t, unit="D"), t)


def us_date(t: np.ndarray) -> pa.Array:
    """`03/04/2025` (intent feed)."""
    d = pa.array(np.datetime_as_string(t, unit="D"))
    return pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(d, 5, 7),
        pc.utf8_slice_codeunits(d, 8, 10),
        pc.utf8_slice_codeunits(d, 0, 4),
        "/",
    )


def to_local(t: np.ndarray, zone: str) -> np.ndarray:
    """UTC `datetime64[s]` -> naive wall-clock time in `zone` (DST-aware)."""
    idx = pd.DatetimeIndex(t.astype("datetime64[ns]")).tz_localize("UTC").tz_convert(zone)
    return idx.tz_localize(None).to_numpy().astype("datetime64[s]")


def hubspot_local(t: np.ndarray, zone: str = "America/New_York") -> pa.Array:
    """`2025-03-04 09:15` in the portal time zone, no offset (HubSpot export style)."""
    local = to_local(t, zone)
    s = np.datetime_as_string(local, unit="m")
    return pc.replace_substring(_with_nulls(s, t), "T", " ")


def iso_offset(t: np.ndarray, zones: np.ndarray, zone_names: Sequence[str]) -> pa.Array:
    """`2025-03-04T09:15:22-05:00`: local time plus its UTC offset, per row's time zone."""
    local = t.copy()
    for z, name in enumerate(zone_names):
        m = zones == z
        if m.any():
            local[m] = to_local(t[m], name)
    offset_min = ((local - t) // np.timedelta64(60, "s")).astype(np.int64)
    uniq, inv = np.unique(offset_min, return_inverse=True)
    labels = np.array(
        [f"{'+' if o >= 0 else '-'}{abs(o) // 60:02d}:{abs(o) % 60:02d}" for o in uniq.tolist()]
    )
    return pc.binary_join_element_wise(
        pa.array(np.datetime_as_string(local, unit="s")), pa.array(labels[inv]), ""
    )


def choose(rng: np.random.Generator, weights: Sequence[float], size: int) -> np.ndarray:
    """Indices drawn with the given relative weights."""
    p = np.asarray(weights, float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def variants(
    rng: np.random.Generator,
    keys: np.ndarray,
    key_order: Sequence[str],
    table: dict[str, tuple[tuple[str, float], ...]],
) -> np.ndarray:
    """Spell canonical keys (indices into `key_order`) the way one system does."""
    out = np.empty(len(keys), dtype=object)
    for k, key in enumerate(key_order):
        m = keys == k
        cnt = int(m.sum())
        if cnt:
            spell = table[key]
            pick = choose(rng, [w for _, w in spell], cnt)
            out[m] = np.array([s for s, _ in spell], dtype=object)[pick]
    return out


def blank(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """Copy of `values` (object array) with about `rate` of entries set to None."""
    out = values.astype(object, copy=True)
    out[rng.random(len(out)) < rate] = None
    return out


def email_variant(rng: np.random.Generator, emails: np.ndarray) -> np.ndarray:
    """How a system stores a typed-in email: mostly lowercase, some Title/UPPER case, some
    padded with whitespace (the pipeline must normalize with trim + lower)."""
    s = pd.Series(emails, dtype=object)
    style = choose(rng, [0.72, 0.12, 0.04, 0.06, 0.06], len(s))
    out = s.copy()
    m = style == 1
    out[m] = s[m].str.title()
    m = style == 2
    out[m] = s[m].str.upper()
    m = style == 3
    out[m] = " " + s[m] + "  "
    m = style == 4
    out[m] = s[m] + " "
    return np.array(out, dtype=object)
