"""`make run`: the web app and the scheduler process side by side; Ctrl-C stops both."""

from __future__ import annotations

import signal
import subprocess
import sys
import time


def _stop(signum: int, frame: object) -> None:
    # SIGTERM (kill, a process manager) or SIGHUP (the terminal closed) would end this process
    # without stopping the two it started; treat them like Ctrl-C so both stop too.
    raise KeyboardInterrupt


def main() -> int:
    # A shell without job control ("make run &" from a script) starts us with Ctrl-C
    # ignored, and the site and scheduler would inherit that and ignore the SIGINT we send
    # them. A handler, unlike "ignored", is reset to the default in each child at exec.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    processes = [
        subprocess.Popen([*flask, "run", "--host", "127.0.0.1", "--port", "5000"]),
        subprocess.Popen([*flask, "jobs", "scheduler"]),
    ]
    print("GiveFirst is running at http://127.0.0.1:5000 (Ctrl-C stops the site and scheduler)")
    try:
        # If either stops on its own, stop the other too rather than run half a service.
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        for p in processes:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
    # Ctrl-C is a normal stop; any other exit status is reported.
    failed = [p.returncode for p in processes if p.returncode not in (0, None, -signal.SIGINT)]
    return failed[0] if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
