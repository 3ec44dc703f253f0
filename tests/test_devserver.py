"""`make run`'s process pair: stopping the parent in any usual way stops both children."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

# Runs jobs.devserver.main() with the web app and scheduler replaced by two sleeping children.
SCRIPT = textwrap.dedent(
    """
    import subprocess, sys
    from jobs import devserver

    real_popen = subprocess.Popen
    pids = open(sys.argv[1], "w")

    def fake_popen(args, **kw):
        child = real_popen(["sleep", "60"])
        pids.write(f"{child.pid}\\n"); pids.flush()
        return child

    devserver.subprocess.Popen = fake_popen
    raise SystemExit(devserver.main())
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by its (gone) parent.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


# A shell without job control ("make run &" in a script) starts its children with Ctrl-C
# ignored.
CTRL_C_IGNORED = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\n"


@pytest.mark.parametrize("prelude", ["", CTRL_C_IGNORED], ids=["plain", "ctrl-c-ignored"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_stopping_the_dev_server_stops_the_site_and_the_scheduler(
    tmp_path: Path, signum: int, prelude: str
) -> None:
    pid_file = tmp_path / "pids"
    pid_file.write_text("")
    parent = subprocess.Popen(
        [sys.executable, "-c", prelude + SCRIPT, str(pid_file)],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(pid_file.read_text().split()) < 2:
            time.sleep(0.05)
        children = [int(p) for p in pid_file.read_text().split()]
        assert len(children) == 2
        parent.send_signal(signum)
        assert parent.wait(timeout=20) == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in children)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
