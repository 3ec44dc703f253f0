"""What each post's wording asks for or offers, read from its strings alone.

These flags (a service asked for, people or things wanted, training asked for, a session for
parents, a language spoken, a step of an EHCP, the days a title names) need no vectoriser, so
at national scale they are read in a second process while the first one analyses and
vectorises the same posts.
This module imports only the light pattern modules, so that process starts in a fraction of
a second.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import numpy as np

from matching.days import title_day_masks
from matching.ehcp import ehcp_step_masks
from matching.hours import daytime_requests
from matching.languages import (
    interpreter_requests,
    interpreter_titles,
    speaker_offers,
    speaker_requests,
)
from matching.needs import (
    asks_for_driver_training,
    asks_for_governors,
    asks_for_residential,
    asks_to_be_shown,
    for_parents,
    parents_only,
    person_requests,
    service_flags,
    wanted_roles,
)
from matching.things import offered_things, wanted_things

__all__ = ["Wording", "WordingReader", "read_wording"]


@dataclass(frozen=True)
class Wording:
    """Per request and per offer flags, in post order (see matching.engine._Run)."""

    req_service: np.ndarray
    req_roles: np.ndarray
    req_person: np.ndarray
    req_thing: np.ndarray
    req_shown: np.ndarray
    req_parents: np.ndarray
    req_language: np.ndarray
    req_interpreter: np.ndarray
    req_interpreter_title: np.ndarray
    req_step: np.ndarray
    req_daytime: np.ndarray
    req_governors: np.ndarray
    req_driver_training: np.ndarray
    req_residential: np.ndarray
    req_day: np.ndarray
    off_parents: np.ndarray
    off_speakers: np.ndarray
    off_thing: np.ndarray


def read_wording(req_titles: Sequence[str], req_descriptions: Sequence[str],
                 req_tags: Sequence[Sequence[str]], off_titles: Sequence[str]) -> Wording:
    """The flags of every request and offer."""
    service = service_flags(req_titles, req_descriptions, requests=True)
    language = speaker_requests(req_titles, req_descriptions, req_tags)
    thing = wanted_things(req_titles, req_descriptions)
    return Wording(
        req_service=service,
        req_roles=wanted_roles(req_titles, req_descriptions),
        req_person=person_requests(req_titles, service),
        req_thing=thing,
        req_shown=asks_to_be_shown(req_titles, req_descriptions),
        req_parents=for_parents(req_titles),
        req_language=language,
        req_interpreter=interpreter_requests(req_titles, req_descriptions, req_tags, language),
        req_interpreter_title=interpreter_titles(req_titles, language),
        req_step=ehcp_step_masks(req_titles, req_descriptions, req_tags),
        req_daytime=daytime_requests(req_titles, req_descriptions),
        req_governors=asks_for_governors(req_titles),
        req_driver_training=asks_for_driver_training(req_titles),
        req_residential=asks_for_residential(req_titles),
        req_day=title_day_masks(req_titles),
        off_parents=parents_only(off_titles),
        off_speakers=speaker_offers(off_titles),
        off_thing=offered_things(off_titles),
    )


class WordingReader:
    """``with WordingReader(...) as reader: ...; reader.result()``: read_wording's answer.

    With ``in_background`` a second Python process (``python -m matching.wording``) starts on
    entry and reads the flags while the caller works; it is always ended on exit. A plain
    subprocess rather than multiprocessing: the matcher may run in a scheduler's worker thread
    (a forked child would inherit other threads' locks) or from a script without a
    ``__main__`` guard (which multiprocessing's "spawn" would run again). Without it, or if
    the process fails, the flags are read here on the first result() call.
    """

    def __init__(self, req_titles: list[str], req_descriptions: list[str],
                 req_tags: list[Sequence[str]], off_titles: list[str], *,
                 in_background: bool) -> None:
        self._args = (req_titles, req_descriptions, req_tags, off_titles)
        self._in_background = in_background
        self._child: subprocess.Popen[bytes] | None = None
        self._writer: threading.Thread | None = None
        self._errors: IO[bytes] | None = None
        self._result: Wording | None = None
        #: The second process's peak resident memory in MiB (Linux; None without one).
        self.child_peak_mib: float | None = None

    def __enter__(self) -> WordingReader:
        # An embedding host may have no Python executable to start (sys.executable empty).
        if self._in_background and sys.executable:
            root = str(Path(__file__).resolve().parent.parent)
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                p for p in (root, os.environ.get("PYTHONPATH", "")) if p)}
            # Its errors go to a file: a pipe nobody reads could fill and stall it.
            self._errors = tempfile.TemporaryFile()
            try:
                self._child = subprocess.Popen(
                    [sys.executable, "-m", "matching.wording"], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=self._errors, env=env)
            except OSError as exc:
                warnings.warn(f"could not start a second process to read the posts' wording "
                              f"({exc}); reading it here instead", RuntimeWarning, stacklevel=2)
                self._errors.close()
                self._errors = None
                return self
            # Written from a thread: the pipe holds 64 KiB, and the caller should not wait
            # for the child to start up and drain the rest.
            self._writer = threading.Thread(target=self._write,
                                            args=(self._child.stdin, self._args), daemon=True)
            self._writer.start()
        return self

    @staticmethod
    def _write(stdin: IO[bytes], args: tuple[Any, ...]) -> None:
        # If the child died, result() reports it and reads here instead.
        with contextlib.suppress(OSError):
            stdin.write(pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))
        with contextlib.suppress(OSError):  # flushing to a dead child fails too
            stdin.close()

    def result(self) -> Wording:
        """The flags (waiting for the second process if it is still reading)."""
        if self._result is None:
            if self._child is not None:
                self._result = self._collect()
            if self._result is None:
                self._result = read_wording(*self._args)
        return self._result

    def _collect(self) -> Wording | None:
        child = self._child
        assert child is not None and child.stdout is not None and self._errors is not None
        out = child.stdout.read()
        child.wait()
        if child.returncode == 0:
            try:
                result = pickle.loads(out)
            except (pickle.UnpicklingError, EOFError, AttributeError, ValueError):
                result = None
            if isinstance(result, tuple) and len(result) == 2:
                flags, self.child_peak_mib = result
                return Wording(**flags)
        self._errors.seek(0)
        err = self._errors.read().decode(errors="replace").strip()[-300:]
        warnings.warn(f"reading the posts' wording in a second process failed (exit "
                      f"{child.returncode}: {err}); reading it here instead",
                      RuntimeWarning, stacklevel=3)
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        child, self._child = self._child, None
        if child is not None:
            if child.poll() is None:
                child.kill()
            child.wait()
            assert child.stdout is not None
            child.stdout.close()
            if self._writer is not None:
                self._writer.join()
        if self._errors is not None:
            self._errors.close()
            self._errors = None


def _peak_mib() -> float | None:
    # VmHWM belongs to this process's own memory since exec; getrusage's ru_maxrss does not
    # (it can carry the parent's size over from the moment the process was started).
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _main() -> None:
    # The second process: pickled arguments on stdin; on stdout, the flags as a dict of
    # plain arrays (this module runs as __main__ here, so its Wording is not the caller's)
    # and this process's peak memory.
    args = pickle.load(sys.stdin.buffer)
    flags = vars(read_wording(*args))
    sys.stdout.buffer.write(pickle.dumps((flags, _peak_mib()),
                                         protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _main()
