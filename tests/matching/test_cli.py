"""The command-line contract: python -m matching INPUT.json [--top N]."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.matching.conftest import tiny_data

ROOT = Path(__file__).resolve().parents[2]


def run_cli(
    tmp_path: Path, data: Any, *args: str, raw: str | None = None
) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "input.json"
    path.write_text(raw if raw is not None else json.dumps(data), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "matching", str(path), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )


def test_success_prints_the_contract(tmp_path: Path) -> None:
    data = tiny_data()
    result = run_cli(tmp_path, data, "--top", "2")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {"ranked", "pairs", "unmatched"}
    assert set(out["ranked"]) == {r["id"] for r in data["requests"]}
    for items in out["ranked"].values():
        assert len(items) <= 2
        for item in items:
            assert set(item) == {"offer", "score", "reasons"}
            assert 0.0 <= item["score"] <= 1.0
            assert item["score"] == round(item["score"], 3)
            assert item["reasons"] and all(isinstance(x, str) and x for x in item["reasons"])
        scores = [i["score"] for i in items]
        assert scores == sorted(scores, reverse=True)
    for pair in out["pairs"]:
        assert set(pair) == {"request", "offer", "score", "reasons"} and pair["reasons"]
    covered = {p["request"] for p in out["pairs"]} | {u["request"] for u in out["unmatched"]}
    assert covered == {r["id"] for r in data["requests"]}
    assert all(u["reason"] for u in out["unmatched"])


def test_minimal_input_without_optional_keys(tmp_path: Path) -> None:
    data = {
        "offers": [{"id": "o1", "school": "a", "title": "Relationships and sex education",
                    "format": "either"}],
        "requests": [{"id": "r1", "school": "b", "title": "RSE", "format": "remote"}],
    }
    result = run_cli(tmp_path, data)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [p["offer"] for p in out["pairs"]] == ["o1"]
    assert "Can be done remotely" in out["pairs"][0]["reasons"]


def test_same_input_same_output_even_when_reordered(tmp_path: Path) -> None:
    data = tiny_data()
    first = run_cli(tmp_path, data).stdout
    assert run_cli(tmp_path, data).stdout == first
    shuffled = copy.deepcopy(data)
    for key in ("offers", "requests", "schools"):
        shuffled[key].reverse()
    assert run_cli(tmp_path, shuffled).stdout == first


ERRORS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("missing id", lambda d: d["offers"][3].pop("id"), 'offers[3]: missing "id"'),
    ("duplicate id", lambda d: d["requests"][1].update(id="r1"),
     'requests[1] (id "r1"): duplicate id; first used by requests[0]'),
    ("unknown format", lambda d: d["offers"][3].update(format="inperson"),
     'offers[3] (id "o4"): unknown format "inperson"; expected in_person, remote or either'),
    ("missing format", lambda d: d["requests"][2].pop("format"),
     'requests[2] (id "r3"): missing "format"'),
    ("unknown school", lambda d: d["requests"][0].update(school="s99"),
     'requests[0] (id "r1"): unknown school "s99"'),
    ("capacity zero", lambda d: d["offers"][0].update(capacity=0),
     'offers[0] (id "o1"): "capacity" must be 1 or more, not 0'),
    ("capacity not integer", lambda d: d["offers"][0].update(capacity=1.5),
     'offers[0] (id "o1"): "capacity" must be a whole number'),
    ("capacity as text", lambda d: d["offers"][0].update(capacity="2"),
     'offers[0] (id "o1"): "capacity" must be a whole number'),
    ("tags not a list", lambda d: d["offers"][1].update(tags="maths"),
     'offers[1] (id "o2"): "tags" must be a list of strings'),
    ("title not text", lambda d: d["requests"][0].update(title=5),
     'requests[0] (id "r1"): "title" must be a string'),
    ("id not text", lambda d: d["requests"][0].update(id=7),
     'requests[0]: "id" must be a non-empty string'),
    ("offers not a list", lambda d: d.update(offers={"o1": {}}), "offers: must be a list"),
    ("requests missing", lambda d: d.pop("requests"), "requests: missing"),
    ("bad latitude", lambda d: d["schools"][0].update(lat=123), 'schools[0] (id "s1"): "lat"'),
    ("bad waiting", lambda d: d.update(waiting={"r1": -1}), 'waiting["r1"]'),
    ("bad exclusion", lambda d: d.update(exclude=[{"request": "r1"}]), "exclude[0]"),
]


@pytest.mark.parametrize(("name", "change", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_malformed_input_exits_2_naming_the_item(
    tmp_path: Path, name: str, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    data = tiny_data()
    change(data)
    result = run_cli(tmp_path, data)
    assert result.returncode == 2
    assert result.stdout == ""  # never a partial result
    assert message in result.stderr


def test_several_errors_are_all_reported(tmp_path: Path) -> None:
    data = tiny_data()
    data["offers"][0]["capacity"] = 0
    data["offers"][2]["format"] = "both"
    result = run_cli(tmp_path, data)
    assert result.returncode == 2
    assert "offers[0]" in result.stderr and "offers[2]" in result.stderr


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, None, raw='{"offers": [\n  {"id": "o1",}\n]}')
    assert result.returncode == 2
    assert result.stdout == ""
    assert "invalid JSON at line 2" in result.stderr


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    result = run_cli(tmp_path, [1, 2])
    assert result.returncode == 2 and "top level" in result.stderr


def test_missing_file_and_bad_top(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "matching", str(tmp_path / "nope.json")],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
    )
    assert result.returncode == 2 and "cannot read" in result.stderr and result.stdout == ""
    result = run_cli(tmp_path, tiny_data(), "--top", "0")
    assert result.returncode == 2 and result.stdout == ""
