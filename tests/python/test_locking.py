"""One build at a time per warehouse, with a message that says who holds it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from leadscore.locking import WarehouseBusy, lock_path, warehouse_lock


def test_a_second_holder_is_told_who_runs(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time, sys; from pathlib import Path; from leadscore.locking import "
            "warehouse_lock\nwith warehouse_lock(Path(sys.argv[1]), 'leadscore run'):\n"
            "    print('held', flush=True); time.sleep(30)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseBusy) as err, warehouse_lock(db, "leadscore run"):
            pass
        message = str(err.value)
        assert (
            f"pid {holder.pid}, leadscore run" in message and "another build is running" in message
        )
        holder.kill()  # kill -9: the operating system releases the lock
        holder.wait()
        deadline = time.time() + 10
        while True:
            try:
                with warehouse_lock(db, "leadscore run"):
                    break
            except WarehouseBusy:
                assert time.time() < deadline
                time.sleep(0.1)
    finally:
        holder.kill()
        holder.wait()
    assert lock_path(db).read_text() == ""  # released and cleared
