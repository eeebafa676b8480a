"""Arguments of one generator run and the dates derived from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

GENERATOR_VERSION = "1.0.0"
CHUNK_PERSONS = 50_000  # fixed: output bytes depend on it (one RNG stream per chunk)


@dataclass(frozen=True)
class GenerateOptions:
    """What `leadscore generate` was asked for. Same options => byte-identical files."""

    leads: int
    seed: int
    out: Path
    truth_out: Path
    start: date = date(2025, 1, 1)
    months: int = 18
    chunk_persons: int = field(default=CHUNK_PERSONS)
    shift: str | None = None  # a regime change (see SHIFT_KINDS), for leads created on/after
    shift_at: date | None = None

    def __post_init__(self) -> None:
        if (self.shift is None) != (self.shift_at is None):
            raise ValueError("a regime shift needs both --shift and --shift-at")
        if self.shift is not None:
            check_shift(self.shift)

    @property
    def shift_at_s(self) -> np.datetime64 | None:
        """The shift's first moment (UTC midnight), or None without a shift."""
        return None if self.shift_at is None else np.datetime64(self.shift_at.isoformat(), "s")

    @property
    def start_at(self) -> np.datetime64:
        return np.datetime64(self.start.isoformat(), "s")

    @property
    def export_at(self) -> np.datetime64:
        """Moment of the export: start + months. Nothing in the exports is dated later."""
        end = pd.Timestamp(self.start) + pd.DateOffset(months=self.months)
        return np.datetime64(end.date().isoformat(), "s") - np.timedelta64(1, "s")


def product_line_keys() -> tuple[str, ...]:
    from leadscore.generate.vocab import PRODUCT_LINES

    return tuple(k for k, _, _ in PRODUCT_LINES)


#: Regime changes the generator can inject at --shift-at (the truth follows them).
SHIFT_KINDS: dict[str, str] = {
    "upmarket": "the ideal customer moves to larger companies: the fit weight of company size "
    "rises with size (vocab.UPMARKET_BAND_WEIGHTS) instead of peaking mid-market",
    "product_line:<name>": "leads whose main product interest is <name> convert twice as "
    "often (true probability doubled, capped at 0.95)",
}


def check_shift(kind: str) -> str:
    """Return `kind` if it names a known regime shift, else raise ValueError saying why."""
    if kind == "upmarket":
        return kind
    if kind.startswith("product_line:"):
        name = kind.split(":", 1)[1]
        if name in product_line_keys():
            return kind
        raise ValueError(
            f"unknown product line {name!r} in --shift {kind}; known: "
            + ", ".join(product_line_keys())
        )
    raise ValueError(
        f"unknown --shift {kind!r}; use upmarket or product_line:<name> "
        f"(<name> one of {', '.join(product_line_keys())})"
    )


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """Independent, reproducible random stream per (seed, purpose, chunk)."""
    return np.random.default_rng([seed, *stream])
