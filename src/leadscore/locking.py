"""One build at a time per warehouse: a lock file next to the DuckDB file.

DuckDB allows one writing process per file, so a second `leadscore run` (or a publish or sync
during a build) would die on DuckDB's own lock error halfway through. `warehouse_lock` takes
an exclusive `flock` on `<db>.lock` before any work starts; the second caller gets a clear
`WarehouseBusy` ("another build is running (pid 1234, leadscore run, since ...)") and the CLI
exits 2. The operating system releases the lock when the holder exits, even on kill -9, so a
crashed build never leaves the warehouse locked.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another leadscore process holds the warehouse."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def warehouse_lock(db_path: Path, what: str) -> Iterator[None]:
    """Hold the warehouse for `what` (e.g. "leadscore run"); raise WarehouseBusy if taken."""
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WarehouseBusy(
                f"another build is running on {db_path} ({holder}): wait for it to finish, "
                "or point LEADSCORE_DB at another warehouse"
            ) from exc
        try:
            handle.seek(0)
            handle.truncate()
            since = datetime.now(UTC).isoformat(timespec="seconds")
            handle.write(f"pid {os.getpid()}, {what}, since {since}")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def command_lock(db_path: Path, what: str) -> Iterator[None]:
    """`warehouse_lock` for a CLI command: a busy warehouse prints who holds it, exit 2."""
    import typer
    from rich.console import Console

    try:
        with warehouse_lock(db_path, what):
            yield
    except WarehouseBusy as exc:
        Console(stderr=True).print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(2) from exc
