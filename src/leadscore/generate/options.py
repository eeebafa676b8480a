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

    @property
    def start_at(self) -> np.datetime64:
        return np.datetime64(self.start.isoformat(), "s")

    @property
    def export_at(self) -> np.datetime64:
        """Moment of the export: start + months. Nothing in the exports is dated later."""
        end = pd.Timestamp(self.start) + pd.DateOffset(months=self.months)
        return np.datetime64(end.date().isoformat(), "s") - np.timedelta64(1, "s")


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """Independent, reproducible random stream per (seed, purpose, chunk)."""
    return np.random.default_rng([seed, *stream])
