"""A history request about one period is not met by an offer about only others."""

from __future__ import annotations

from matching import Matcher, match
from matching.periods import PERIODS, period_masks
from tests.matching.conftest import listed_score


def bit(name: str) -> int:
    return 1 << next(i for i, group in enumerate(PERIODS) if name in group)


def test_posts_name_the_periods_they_mention() -> None:
    titles = ["viking costumes & replica weapons", "Roman artefact handling box - loan",
              "Anglo-Saxons and Vikings", "Romanian speaker for parents' evening",
              "WW2 local history - Y6", "History deep dive"]
    masks = period_masks(titles, [""] * len(titles), [()] * len(titles)).tolist()
    assert masks == [bit("viking"), bit("roman"), bit("anglo-saxon") | bit("viking"), 0,
                     bit("ww2"), 0]


DATA = {
    "offers": [
        {"id": "romans", "school": "b", "title": "Roman artefact handling box - loan",
         "description": "Replica Roman pottery, coins and a few costumes. Lend for 2 weeks.",
         "tags": ["history", "loan"], "format": "in_person", "capacity": 2},
        {"id": "dive", "school": "c", "title": "History deep dive - talk it through",
         "description": "Our history lead can talk through a deep dive and our costumes "
                        "and artefacts policy.",
         "tags": ["history"], "format": "either", "capacity": 2},
    ],
    "requests": [
        {"id": "vikings", "school": "a", "title": "viking costumes & replica weapons",
         "description": "for Y5/6 history day. could we borrow artefacts?",
         "tags": ["history"], "format": "in_person"},
        {"id": "artefacts", "school": "d", "title": "History artefacts to borrow",
         "description": "Any period, for a Y3 history week.", "tags": ["history"],
         "format": "in_person"},
    ],
}


def test_an_offer_about_another_period_loses_half_its_score_and_its_cover() -> None:
    out = match(DATA, semantic="off")
    plain = Matcher(period_penalty=0.0, semantic="off").fit_predict(DATA)
    halved = listed_score(plain, "vikings", "romans") / 2
    assert abs(listed_score(out, "vikings", "romans") - halved) <= 0.005
    # An offer naming no period is left alone, and so is a request naming none.
    assert listed_score(out, "vikings", "dive") == listed_score(plain, "vikings", "dive")
    assert listed_score(out, "artefacts", "romans") == listed_score(plain, "artefacts",
                                                                    "romans")
    assert ("vikings", "romans") in {(p["request"], p["offer"]) for p in plain["pairs"]}
    assert ("vikings", "romans") not in {(p["request"], p["offer"]) for p in out["pairs"]}


def test_the_mill_towns_are_the_industrial_revolution() -> None:
    # Set 52 paired "Egyptian artefacts loan??" with a cotton mills artefacts box.
    titles = ["Real objects for our Industrial Revolution topic",
              "Lend: cotton mills artefacts box + local history unit", "Luddites - Rawfolds Mill",
              "Egyptian artefacts loan??"]
    masks = period_masks(titles, [""] * len(titles), [()] * len(titles)).tolist()
    assert masks == [bit("industrial revolution")] * 3 + [bit("egyptian")]
