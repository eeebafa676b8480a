"""Record-level noise shared by the system writers: how a company name, head count, website
or phone number ends up typed into a CRM (variants, rounding, blanks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute

from leadscore.generate.fmt import choose
from leadscore.generate.population import NAT

_LEGAL = r" (?:Inc\.|LLC|Corp|Ltd|plc|GmbH|AG|SA|SAS|B\.V\.)$"


def company_variant(
    rng: np.random.Generator, names: np.ndarray, freemail: np.ndarray
) -> np.ndarray:
    """Mostly the registered name; sometimes without legal suffix, upper/lower-cased; free-mail
    persons often leave it out (Salesforce then shows the sync placeholder)."""
    s = pd.Series(names, dtype=object)
    style = choose(rng, [0.84, 0.09, 0.04, 0.03], len(s))
    out = s.copy()
    m = style == 1
    out[m] = s[m].str.replace(_LEGAL, "", regex=True)
    m = style == 2
    out[m] = s[m].str.upper()
    m = style == 3
    out[m] = s[m].str.lower()
    out[freemail & (rng.random(len(s)) < 0.35)] = "[not provided]"
    return np.array(out, dtype=object)


def employees_noisy(rng: np.random.Generator, employees: np.ndarray, missing: float) -> pa.Array:
    """Head count as typed: exact, or rounded to a 'nice' number; some blank."""
    e = employees.astype(float)
    mag = 10 ** np.floor(np.log10(np.maximum(e, 1)))
    rounded = np.maximum(np.round(e / mag) * mag, 1)
    out = np.where(rng.random(len(e)) < 0.3, rounded, e).astype(np.int64)
    return int_col(out, rng.random(len(e)) < missing)


def int_col(values: np.ndarray, null: np.ndarray) -> pa.Array:
    """Integer column with nulls (written as empty CSV fields)."""
    return pa.array(np.asarray(values).astype(np.int64), pa.int64(), mask=np.asarray(null, bool))


def str_col(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """String column from an object array; None and `null` entries become nulls."""
    arr = pa.array(values, pa.string(), from_pandas=True)
    if null is not None and np.any(null):
        arr = pa.compute.if_else(
            pa.array(np.asarray(null, bool)), pa.scalar(None, pa.string()), arr
        )
    return arr


def website_variant(rng: np.random.Generator, domain: np.ndarray) -> np.ndarray:
    """`acme.com`, `www.acme.com`, `https://www.acme.com/` ..."""
    d = pd.Series(domain, dtype=object)
    style = choose(rng, [0.45, 0.35, 0.12, 0.08], len(d))
    out = d.where(style != 1, "www." + d)
    out = out.where(style != 2, "https://www." + d)
    out = out.where(style != 3, "http://" + d + "/")
    return np.array(out, dtype=object)


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Phone numbers in mixed formats (fake 555 exchange)."""
    area = rng.integers(201, 990, n).astype(str).astype(object)
    line = np.char.zfill(rng.integers(0, 10000, n).astype(str), 4).astype(object)
    style = rng.integers(0, 3, n)
    out = np.where(
        style == 0,
        "(" + area + ") 555-" + line,
        np.where(style == 1, "+1 " + area + " 555 " + line, area + "-555-" + line),
    )
    return out.astype(object)


def offsets_days(rng: np.random.Generator, n: int, scale: float, horizon: float) -> np.ndarray:
    """Days after creation for engagement: mostly a decaying (truncated exponential) burst,
    partly spread evenly over the horizon, so activity concentrates soon after creation."""
    u = rng.random(n)
    trunc = -scale * np.log1p(-u * (1 - np.exp(-horizon / scale)))
    flat = rng.random(n) * horizon
    return np.where(rng.random(n) < 0.75, trunc, flat)


def clip_export(t: np.ndarray, export_at: np.datetime64) -> np.ndarray:
    """NaT for anything after the export moment."""
    return np.where(t <= export_at, t, NAT)


def between(rng: np.random.Generator, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Uniform random moment between a and b (seconds)."""
    span = (b - a).astype(np.int64)
    return a + (rng.random(len(a)) * span).astype(np.int64) * np.timedelta64(1, "s")
