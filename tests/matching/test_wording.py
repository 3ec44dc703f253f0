"""The posts' wording flags, read in this process or, at scale, in a second one."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import matching.wording as wording_module
from matching import Matcher
from matching.evaluate import load_set
from matching.schema import Problem, validate
from matching.wording import Wording, WordingReader, read_wording


def _strings(problem: Problem) -> tuple[list[str], list[str], list[Any], list[str]]:
    return ([r.title for r in problem.requests], [r.description for r in problem.requests],
            [r.tags for r in problem.requests], [o.title for o in problem.offers])


def _same(a: Wording, b: Wording) -> bool:
    return all(np.array_equal(x, vars(b)[name]) for name, x in vars(a).items())


def _no_reading_here(*args: Any) -> Wording:
    raise AssertionError("the wording was read in this process")


@pytest.fixture
def problem() -> Problem:
    return validate(load_set())


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Every process the reader starts."""
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        child = real(*args, **kwargs)
        started.append(child)
        return child

    monkeypatch.setattr(wording_module.subprocess, "Popen", popen)
    return started


def test_the_flags_say_what_each_post_asks_for_or_offers() -> None:
    flags = read_wording(
        ["Speech therapist - traded SALT, could we buy a day?", "Need tables + chairs",
         "Punjabi speaker for parents evening", "Phonics workshop for parents",
         "Swimming teacher needed", "Maths mastery in Y4"],
        [""] * 6, [()] * 6,
        ["Urdu / Punjabi speakers for parent meetings", "Phonics workshop for parents",
         "Maths mastery visit"])
    assert flags.req_service.tolist() == [True, False, False, False, True, False]
    assert flags.req_person.tolist() == [True, False, False, False, True, False]
    assert [bool(v) for v in flags.req_thing] == [True, True, False, False, False, False]
    assert [bool(v) for v in flags.req_roles] == [False, False, False, False, True, False]
    assert [bool(v) for v in flags.req_language] == [False, False, True, False, False, False]
    assert flags.req_interpreter.tolist() == [False, False, True, False, False, False]
    assert flags.req_parents.tolist() == [False, False, False, True, False, False]
    assert flags.off_speakers.tolist() == [True, False, False]
    assert flags.off_parents.tolist() == [False, True, False]


def test_a_second_process_reads_the_same_flags_and_is_gone_after(
        problem: Problem, children: list[subprocess.Popen[bytes]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    expected = read_wording(*_strings(problem))
    monkeypatch.setattr(wording_module, "read_wording", _no_reading_here)
    with WordingReader(*_strings(problem), in_background=True) as reader:
        assert len(children) == 1
        got = reader.result()
    assert _same(got, expected)
    assert children[0].returncode == 0
    if sys.platform == "linux":  # it reports its own peak memory, far below this one's
        assert reader.child_peak_mib is not None and 5 < reader.child_peak_mib < 400


def test_leaving_early_ends_the_second_process(
        problem: Problem, children: list[subprocess.Popen[bytes]]) -> None:
    with pytest.raises(KeyError), WordingReader(*_strings(problem), in_background=True):
        raise KeyError("the caller failed before it needed the flags")
    assert len(children) == 1 and children[0].returncode is not None


@pytest.mark.parametrize(("executable", "message"), [
    ("/bin/false", "second process failed"),  # starts, then exits with an error
    ("/nonexistent/python", "could not start a second process"),
])
def test_a_second_process_that_fails_is_reported_and_the_flags_read_here(
        problem: Problem, monkeypatch: pytest.MonkeyPatch, executable: str,
        message: str) -> None:
    monkeypatch.setattr(wording_module.sys, "executable", executable)
    with (pytest.warns(RuntimeWarning, match=message),
          WordingReader(*_strings(problem), in_background=True) as reader):
        got = reader.result()
    assert _same(got, read_wording(*_strings(problem)))


def test_the_matcher_reads_the_wording_in_a_second_process_only_at_scale(
        problem: Problem, children: list[subprocess.Popen[bytes]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = load_set()
    here = Matcher(semantic="off", n_jobs=1).fit_predict(data)
    assert children == []
    small = Matcher(semantic="off", n_jobs=2).fit_predict(data)  # a few hundred posts
    assert children == [] and small == here

    monkeypatch.setattr(wording_module, "read_wording", _no_reading_here)
    model = Matcher(semantic="off", n_jobs=2, background_min_posts=1)
    assert model.fit_predict(data) == here
    assert model.predict(data) == here
    assert len(children) == 2 and all(c.returncode == 0 for c in children)
    assert sys.executable in children[0].args
