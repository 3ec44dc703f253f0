"""Evaluation figures on the team's graded set, and the evaluation and bench commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from matching.bench import run as run_bench
from matching.evaluate import evaluate, load_set, ndcg_at
from tests.matching.conftest import assert_floors

ROOT = Path(__file__).resolve().parents[2]

# Floors on the team's set (matching/data/eval_set.json with the shipped taxonomy): the
# product's targets, which the current method meets (see matching/README.md for its figures).
FLOORS = {
    "recall@1": 0.95,
    "recall@3": 0.98,
    "ndcg@5": 0.92,
    "pair_precision": 0.95,
    "pair_recall": 0.90,
}


@pytest.fixture(scope="module")
def figures() -> dict:
    return evaluate(load_set())


def test_ndcg() -> None:
    grades = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b"], grades, 5) == pytest.approx(1.0)
    assert ndcg_at(["b", "a"], grades, 5) < 1.0
    assert ndcg_at(["x", "y"], grades, 5) == 0.0
    assert ndcg_at([], {}, 5) == 0.0


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_quality_floor(figures: dict, name: str) -> None:
    assert figures[name] >= FLOORS[name], f"{name} = {figures[name]} < {FLOORS[name]}"


def test_no_rule_is_ever_broken_on_the_team_set(figures: dict) -> None:
    for name in ("self_pairs", "capacity_breaches", "exclusion_breaches", "format_breaches",
                 "requests_with_several_pairs", "unknown_ids"):
        assert figures[name] == 0, name


def test_no_unanswerable_request_is_assigned(figures: dict) -> None:
    assert figures["unanswerable_assigned"] == 0


def test_every_ranked_item_and_pair_has_reasons(figures: dict) -> None:
    out = figures["_output"]
    assert all(i["reasons"] for items in out["ranked"].values() for i in items)
    assert all(p["reasons"] for p in out["pairs"])


# Fresh sets (matching/data/fresh/), written by people who had seen neither the team's set nor
# the taxonomy. The method falls short of the product's targets on them (matching/README.md);
# these floors are today's figures rounded down, so that a change which loses ground on posts
# nobody tuned for fails here.
FRESH_FLOORS = {
    "set1.json": {"recall@1": 0.95, "recall@3": 0.98, "ndcg@5": 0.92,
                  "pair_precision": 0.96, "pair_recall": 0.78, "unanswerable_assigned": 0},
    "set2.json": {"recall@1": 0.93, "recall@3": 0.95, "ndcg@5": 0.91,
                  "pair_precision": 0.98, "pair_recall": 0.77, "unanswerable_assigned": 0},
    "set3.json": {"recall@1": 0.90, "recall@3": 0.96, "ndcg@5": 0.91,
                  "pair_precision": 0.93, "pair_recall": 0.75, "unanswerable_assigned": 1},
    "set4.json": {"recall@1": 0.92, "recall@3": 0.96, "ndcg@5": 0.91,
                  "pair_precision": 0.92, "pair_recall": 0.81, "unanswerable_assigned": 0},
    "set5.json": {"recall@1": 0.94, "recall@3": 0.95, "ndcg@5": 0.90,
                  "pair_precision": 0.97, "pair_recall": 0.82, "unanswerable_assigned": 1},
    "set6.json": {"recall@1": 0.94, "recall@3": 0.96, "ndcg@5": 0.92,
                  "pair_precision": 0.96, "pair_recall": 0.80, "unanswerable_assigned": 1},
    "set7.json": {"recall@1": 0.99, "recall@3": 1.0, "ndcg@5": 0.98,
                  "pair_precision": 0.95, "pair_recall": 0.82, "unanswerable_assigned": 3},
    "set8.json": {"recall@1": 0.93, "recall@3": 0.95, "ndcg@5": 0.93,
                  "pair_precision": 0.94, "pair_recall": 0.85, "unanswerable_assigned": 3},
    "set9.json": {"recall@1": 0.95, "recall@3": 0.96, "ndcg@5": 0.92,
                  "pair_precision": 0.99, "pair_recall": 0.80, "unanswerable_assigned": 1},
    "set10.json": {"recall@1": 0.91, "recall@3": 0.98, "ndcg@5": 0.92,
                   "pair_precision": 0.96, "pair_recall": 0.84, "unanswerable_assigned": 0},
    "set11.json": {"recall@1": 0.94, "recall@3": 0.96, "ndcg@5": 0.94,
                   "pair_precision": 0.98, "pair_recall": 0.82, "unanswerable_assigned": 0},
    "set12.json": {"recall@1": 0.88, "recall@3": 0.92, "ndcg@5": 0.87,
                   "pair_precision": 0.94, "pair_recall": 0.75, "unanswerable_assigned": 1},
    "set13.json": {"recall@1": 0.93, "recall@3": 0.96, "ndcg@5": 0.93,
                   "pair_precision": 0.97, "pair_recall": 0.83, "unanswerable_assigned": 1},
    "set14.json": {"recall@1": 0.87, "recall@3": 0.92, "ndcg@5": 0.88,
                   "pair_precision": 0.91, "pair_recall": 0.78, "unanswerable_assigned": 1},
    "set15.json": {"recall@1": 0.93, "recall@3": 0.98, "ndcg@5": 0.94,
                   "pair_precision": 0.96, "pair_recall": 0.83, "unanswerable_assigned": 2},
    "set16.json": {"recall@1": 0.93, "recall@3": 0.96, "ndcg@5": 0.91,
                   "pair_precision": 0.97, "pair_recall": 0.78, "unanswerable_assigned": 0},
    "set17.json": {"recall@1": 0.91, "recall@3": 0.97, "ndcg@5": 0.91,
                   "pair_precision": 0.95, "pair_recall": 0.85, "unanswerable_assigned": 1},
    "set18.json": {"recall@1": 0.96, "recall@3": 1.0, "ndcg@5": 0.95,
                   "pair_precision": 0.98, "pair_recall": 0.88, "unanswerable_assigned": 0},
    "set19.json": {"recall@1": 0.96, "recall@3": 1.0, "ndcg@5": 0.97,
                   "pair_precision": 0.93, "pair_recall": 0.92, "unanswerable_assigned": 5},
    "set20.json": {"recall@1": 0.98, "recall@3": 1.0, "ndcg@5": 0.98,
                   "pair_precision": 0.96, "pair_recall": 0.90, "unanswerable_assigned": 3},
    "set21.json": {"recall@1": 0.93, "recall@3": 0.98, "ndcg@5": 0.95,
                   "pair_precision": 0.95, "pair_recall": 0.86, "unanswerable_assigned": 2},
    "set22.json": {"recall@1": 0.93, "recall@3": 0.96, "ndcg@5": 0.94,
                   "pair_precision": 0.98, "pair_recall": 0.84, "unanswerable_assigned": 0},
    "set23.json": {"recall@1": 0.94, "recall@3": 0.98, "ndcg@5": 0.94,
                   "pair_precision": 0.96, "pair_recall": 0.87, "unanswerable_assigned": 3},
    "set24.json": {"recall@1": 0.92, "recall@3": 0.95, "ndcg@5": 0.92,
                   "pair_precision": 0.97, "pair_recall": 0.85, "unanswerable_assigned": 0},
    "set25.json": {"recall@1": 0.95, "recall@3": 0.96, "ndcg@5": 0.95,
                   "pair_precision": 0.97, "pair_recall": 0.84, "unanswerable_assigned": 1},
    "set26.json": {"recall@1": 0.91, "recall@3": 0.96, "ndcg@5": 0.92,
                   "pair_precision": 0.96, "pair_recall": 0.85, "unanswerable_assigned": 0},
    "set27.json": {"recall@1": 0.98, "recall@3": 1.0, "ndcg@5": 0.97,
                   "pair_precision": 0.98, "pair_recall": 0.93, "unanswerable_assigned": 1},
    "set28.json": {"recall@1": 0.98, "recall@3": 0.99, "ndcg@5": 0.98,
                   "pair_precision": 0.96, "pair_recall": 0.93, "unanswerable_assigned": 2},
    "set29.json": {"recall@1": 0.94, "recall@3": 0.96, "ndcg@5": 0.95,
                   "pair_precision": 0.98, "pair_recall": 0.88, "unanswerable_assigned": 1},
    "set30.json": {"recall@1": 0.95, "recall@3": 0.97, "ndcg@5": 0.95,
                   "pair_precision": 0.98, "pair_recall": 0.83, "unanswerable_assigned": 1},
    "set31.json": {"recall@1": 0.92, "recall@3": 0.96, "ndcg@5": 0.93,
                   "pair_precision": 0.97, "pair_recall": 0.82, "unanswerable_assigned": 0},
    "set32.json": {"recall@1": 0.97, "recall@3": 0.99, "ndcg@5": 0.98,
                   "pair_precision": 0.96, "pair_recall": 0.89, "unanswerable_assigned": 1},
    "set33.json": {"recall@1": 0.93, "recall@3": 0.96, "ndcg@5": 0.94,
                   "pair_precision": 0.97, "pair_recall": 0.86, "unanswerable_assigned": 2},
    "set34.json": {"recall@1": 0.95, "recall@3": 1.0, "ndcg@5": 0.96,
                   "pair_precision": 0.96, "pair_recall": 0.92, "unanswerable_assigned": 1},
    "set35.json": {"recall@1": 0.97, "recall@3": 0.98, "ndcg@5": 0.96,
                   "pair_precision": 0.97, "pair_recall": 0.89, "unanswerable_assigned": 1},
    "set36.json": {"recall@1": 0.92, "recall@3": 0.97, "ndcg@5": 0.94,
                   "pair_precision": 0.95, "pair_recall": 0.89, "unanswerable_assigned": 1},
    "set37.json": {"recall@1": 0.98, "recall@3": 1.0, "ndcg@5": 0.98,
                   "pair_precision": 0.99, "pair_recall": 0.88, "unanswerable_assigned": 1},
    "set38.json": {"recall@1": 0.96, "recall@3": 0.98, "ndcg@5": 0.96,
                   "pair_precision": 0.98, "pair_recall": 0.87, "unanswerable_assigned": 2},
    "set39.json": {"recall@1": 0.96, "recall@3": 1.0, "ndcg@5": 0.98,
                   "pair_precision": 0.98, "pair_recall": 0.86, "unanswerable_assigned": 1},
    "set40.json": {"recall@1": 0.99, "recall@3": 1.0, "ndcg@5": 0.98,
                   "pair_precision": 0.96, "pair_recall": 0.91, "unanswerable_assigned": 4},
    "set41.json": {"recall@1": 0.96, "recall@3": 1.0, "ndcg@5": 0.97,
                   "pair_precision": 0.96, "pair_recall": 0.88, "unanswerable_assigned": 2},
    "set42.json": {"recall@1": 0.95, "recall@3": 0.97, "ndcg@5": 0.96,
                   "pair_precision": 0.95, "pair_recall": 0.90, "unanswerable_assigned": 3},
    "set43.json": {"recall@1": 0.96, "recall@3": 0.96, "ndcg@5": 0.90,
                   "pair_precision": 0.99, "pair_recall": 0.84, "unanswerable_assigned": 1},
    "set44.json": {"recall@1": 0.93, "recall@3": 0.98, "ndcg@5": 0.93,
                   "pair_precision": 0.95, "pair_recall": 0.86, "unanswerable_assigned": 0},
    "set45.json": {"recall@1": 0.92, "recall@3": 0.97, "ndcg@5": 0.93,
                   "pair_precision": 0.95, "pair_recall": 0.86, "unanswerable_assigned": 1},
    "set46.json": {"recall@1": 0.94, "recall@3": 0.97, "ndcg@5": 0.95,
                   "pair_precision": 0.97, "pair_recall": 0.85, "unanswerable_assigned": 1},
    "set47.json": {"recall@1": 0.97, "recall@3": 0.97, "ndcg@5": 0.96,
                   "pair_precision": 0.96, "pair_recall": 0.91, "unanswerable_assigned": 4},
    "set48.json": {"recall@1": 0.96, "recall@3": 1.0, "ndcg@5": 0.98,
                   "pair_precision": 0.99, "pair_recall": 0.90, "unanswerable_assigned": 1},
    "set49.json": {"recall@1": 0.94, "recall@3": 0.99, "ndcg@5": 0.94,
                   "pair_precision": 0.93, "pair_recall": 0.87, "unanswerable_assigned": 2},
    "set50.json": {"recall@1": 0.94, "recall@3": 0.99, "ndcg@5": 0.96,
                   "pair_precision": 0.97, "pair_recall": 0.87, "unanswerable_assigned": 3},
    "set51.json": {"recall@1": 0.92, "recall@3": 0.98, "ndcg@5": 0.93,
                   "pair_precision": 0.95, "pair_recall": 0.84, "unanswerable_assigned": 0},
    "set52.json": {"recall@1": 0.90, "recall@3": 0.95, "ndcg@5": 0.92,
                   "pair_precision": 0.92, "pair_recall": 0.84, "unanswerable_assigned": 4},
    "set53.json": {"recall@1": 0.92, "recall@3": 0.97, "ndcg@5": 0.95,
                   "pair_precision": 0.93, "pair_recall": 0.87, "unanswerable_assigned": 2},
    "set54.json": {"recall@1": 0.96, "recall@3": 1.0, "ndcg@5": 0.98,
                   "pair_precision": 0.96, "pair_recall": 0.91, "unanswerable_assigned": 1},
    "set55.json": {"recall@1": 0.95, "recall@3": 0.96, "ndcg@5": 0.94,
                   "pair_precision": 0.95, "pair_recall": 0.87, "unanswerable_assigned": 3},
    "set56.json": {"recall@1": 0.96, "recall@3": 0.96, "ndcg@5": 0.96,
                   "pair_precision": 0.98, "pair_recall": 0.86, "unanswerable_assigned": 1},
    "set57.json": {"recall@1": 0.95, "recall@3": 0.96, "ndcg@5": 0.95,
                   "pair_precision": 0.97, "pair_recall": 0.86, "unanswerable_assigned": 1},
    "set58.json": {"recall@1": 0.94, "recall@3": 0.98, "ndcg@5": 0.96,
                   "pair_precision": 0.98, "pair_recall": 0.83, "unanswerable_assigned": 1},
    "set59.json": {"recall@1": 0.91, "recall@3": 0.97, "ndcg@5": 0.93,
                   "pair_precision": 0.95, "pair_recall": 0.80, "unanswerable_assigned": 2},
    "set60.json": {"recall@1": 0.89, "recall@3": 0.94, "ndcg@5": 0.92,
                   "pair_precision": 0.91, "pair_recall": 0.79, "unanswerable_assigned": 6},
    "set61.json": {"recall@1": 0.91, "recall@3": 0.99, "ndcg@5": 0.95,
                   "pair_precision": 0.94, "pair_recall": 0.83, "unanswerable_assigned": 0},
    "set62.json": {"recall@1": 0.90, "recall@3": 0.94, "ndcg@5": 0.92,
                   "pair_precision": 0.95, "pair_recall": 0.88, "unanswerable_assigned": 1},
    "set63.json": {"recall@1": 0.93, "recall@3": 0.98, "ndcg@5": 0.95,
                   "pair_precision": 0.97, "pair_recall": 0.85, "unanswerable_assigned": 2},
    "set64.json": {"recall@1": 0.98, "recall@3": 1.0, "ndcg@5": 0.98,
                   "pair_precision": 0.97, "pair_recall": 0.90, "unanswerable_assigned": 3},
    "set65.json": {"recall@1": 0.96, "recall@3": 0.99, "ndcg@5": 0.97,
                   "pair_precision": 0.94, "pair_recall": 0.85, "unanswerable_assigned": 5},
    "set66.json": {"recall@1": 0.93, "recall@3": 1.0, "ndcg@5": 0.97,
                   "pair_precision": 0.90, "pair_recall": 0.84, "unanswerable_assigned": 3},
}


@pytest.mark.parametrize("name", sorted(FRESH_FLOORS))
def test_fresh_sets_keep_their_ground(name: str) -> None:
    figures = evaluate(load_set(ROOT / "matching" / "data" / "fresh" / name))
    assert_floors(name, figures, FRESH_FLOORS[name])


@pytest.mark.parametrize("path", ["eval_set.json", *(f"fresh/{n}" for n in sorted(FRESH_FLOORS))])
def test_graded_sets_follow_the_grading_conventions(path: str) -> None:
    """Every request judged, grades 1 or 2, and no pair a hard rule forbids (same school,
    format conflict, excluded) judged a fit."""
    data = load_set(ROOT / "matching" / "data" / path)
    schools = {o["id"]: o["school"] for o in data["offers"]}
    formats = {o["id"]: o["format"] for o in data["offers"]}
    excluded = {(e["request"], e["offer"]) for e in data.get("exclude", [])}
    for r in data["requests"]:
        grades = data["judgements"][r["id"]]
        assert set(grades.values()) <= {1, 2}, r["id"]
        for o in grades:
            assert schools[o] != r["school"], (r["id"], o)
            assert {formats[o], r["format"]} != {"in_person", "remote"}, (r["id"], o)
            assert (r["id"], o) not in excluded, (r["id"], o)


def test_evaluate_command_prints_json() -> None:
    result = subprocess.run([sys.executable, "-m", "matching.evaluate", "--json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert {"recall@1", "recall@3", "ndcg@5", "pair_precision", "pair_recall"} <= set(shown)


def test_bench_small_run_is_exact_and_complete() -> None:
    figures = run_bench(400, 300, seed=1, k=10)
    assert figures["topk_identical_to_exhaustive"] is True
    for key in ("pipeline_s", "bare_product_s", "exhaustive_s", "peak_rss_mib", "stages_s"):
        assert key in figures
    result = subprocess.run(
        [sys.executable, "-m", "matching.bench", "--offers", "200", "--requests", "150",
         "--k", "5", "--json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["topk_identical_to_exhaustive"] is True
