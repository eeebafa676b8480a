"""The two runtime concerns every ML step shares: how many native threads, and progress lines.

Threads are decided here and nowhere else. dbt runs ``LEADSCORE_THREADS`` nodes at once
(default 2) inside one process; scikit-learn's OpenMP and BLAS pools (and numba's, for the
tree walk) would otherwise each take every core, so two ML nodes (or one ML node beside a
DuckDB query) oversubscribe the machine: measured 50x slower training on a busy 2-core box.
Each ML step therefore gets ``cores // LEADSCORE_THREADS`` threads (at least 1), unless the
``max_threads`` policy key says otherwise.

Progress lines go through dbt's own event logger when the code runs inside dbt (so they land
in the console *and* in ``logs/dbt.log``), else to stdout: a long fit is never silent.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

log = logging.getLogger("leadscore.ml")


def available_cores() -> int:
    """Cores this process may run on (cgroup/affinity aware where the OS says so)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def dbt_threads() -> int:
    """How many nodes dbt runs at once (``LEADSCORE_THREADS``, as profiles.yml reads it)."""
    try:
        return max(1, int(os.environ.get("LEADSCORE_THREADS", "2")))
    except ValueError:
        return 2


def ml_threads(policy_max_threads: int = 0) -> int:
    """Native threads for one ML step: the policy's ``max_threads`` if set, else a fair share."""
    if policy_max_threads > 0:
        return policy_max_threads
    return max(1, available_cores() // dbt_threads())


@contextmanager
def native_threads(policy_max_threads: int = 0) -> Iterator[int]:
    """Limit OpenMP/BLAS pools and numba's (the compiled tree walk) to :func:`ml_threads`
    for the duration of the block."""
    import numba

    n = ml_threads(policy_max_threads)
    previous = numba.get_num_threads()
    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    try:
        with threadpool_limits(n):
            yield n
    finally:
        numba.set_num_threads(previous)


def _emit(message: str) -> None:
    try:
        from dbt_common.events.functions import fire_event
        from dbt_common.events.types import Note

        fire_event(Note(msg=message))
    except Exception:  # dbt not installed, or its logger not set up
        print(message, file=sys.stdout, flush=True)


class Progress:
    """Timestamped progress lines for one training or scoring run."""

    def __init__(self, name: str, *, enabled: bool = True) -> None:
        self.name = name
        self.enabled = enabled
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        log.info("%s: %s", self.name, message)
        if self.enabled:
            elapsed = time.perf_counter() - self.started
            _emit(f"leadscore {self.name} [{elapsed:6.1f}s] {message}")
