"""Each person's funnel as seen at the export date: stage times, current stage, and the
status changes (for Salesforce LeadHistory). Shared by the three systems so their statuses
agree with each other and with the opportunities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leadscore.generate.population import NAT, Persons

# Column order is also time order for every person (see population.make_persons).
STAGES: tuple[str, ...] = (
    "open",
    "mql",
    "working",
    "sql",
    "converted",
    "closed_lost",
    "recycled",
)


@dataclass
class Funnel:
    times: np.ndarray  # (n, len(STAGES)) datetime64[s], NaT = not reached by export
    current: np.ndarray  # index into STAGES
    last_change: np.ndarray  # datetime64[s]


def funnel(
    p: Persons,
    sl: slice,
    export_at: np.datetime64,
    created: np.ndarray,
    converted: np.ndarray | None = None,
) -> Funnel:
    """Stage times for persons `sl` (creation time given per system record). `converted`
    limits the 'converted' stage (Salesforce: only leads that were actually converted)."""
    conv = p.opp_at[sl] if converted is None else np.where(converted, p.opp_at[sl], NAT)
    cols = [created, p.mql_at[sl], p.working_at[sl], p.sql_at[sl], conv]
    cols += [p.lost_at[sl], p.recycled_at[sl]]
    times = np.stack(cols, axis=1)
    times = np.where(times <= export_at, times, NAT)
    reached = ~np.isnat(times)
    current = len(STAGES) - 1 - np.argmax(reached[:, ::-1], axis=1)
    last_change = times[np.arange(len(current)), current]
    return Funnel(times=times, current=current, last_change=last_change)


def changes(f: Funnel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Status changes (row index, old stage, new stage, time) in time order per person."""
    n, k = f.times.shape
    reached = ~np.isnat(f.times)
    prev = np.zeros(n, np.int64)
    rows, olds, news, ts = [], [], [], []
    for s in range(1, k):
        m = reached[:, s]
        idx = np.flatnonzero(m)
        rows.append(idx)
        olds.append(prev[idx])
        news.append(np.full(len(idx), s))
        ts.append(f.times[idx, s])
        prev = np.where(m, s, prev)
    return (np.concatenate(rows), np.concatenate(olds), np.concatenate(news), np.concatenate(ts))
