"""A request for one sport is not met by an offer of only others."""

from __future__ import annotations

from matching import Matcher, match
from matching.sports import _STEMS, SPORTS, sport_masks
from tests.matching.conftest import listed_score


def bit(name: str) -> int:
    return 1 << next(i for i, group in enumerate(SPORTS) if name in group)


def test_posts_name_every_sport_they_mention() -> None:
    titles = ["Netball league for small schools", "Tag rugby festival - places",
              "Table tennis club", "Sports day ideas", "Kwik Cricket and rounders",
              "Stra\u00dfe"]
    descriptions = ["", "", "", "Races, tug of war and a picnic.", "", ""]
    tags: list[list[str]] = [[], [], [], [], [], ["Netball"]]
    masks = sport_masks(titles, descriptions, tags).tolist()
    # "Table tennis" is not tennis; a post naming no sport names none; a tag counts, and a
    # text whose case-folding changes its length does not shift the others.
    assert masks == [bit("netball"), bit("rugby"), bit("table tennis"), 0,
                     bit("cricket") | bit("rounders"), bit("netball")]


def test_every_name_contains_a_stem() -> None:
    # The first pass only reads posts with a stem, so a name without one would never match.
    for group in SPORTS:
        for name in group:
            assert any(stem in name.casefold() for stem in _STEMS), name


DATA = {
    "offers": [
        {"id": "rugby", "school": "b", "title": "Tag rugby festival - places",
         "description": "We host a Y3/4 tag rugby festival in March. Room for 3 more schools.",
         "format": "in_person", "capacity": 3},
        {"id": "games", "school": "c", "title": "School Games festivals",
         "description": "Our SGO runs festivals for small schools each half term.",
         "format": "either", "capacity": 3},
    ],
    "requests": [
        {"id": "netball", "school": "a", "title": "Netball league for small schools",
         "description": "Is there a netball league or festival we could join?",
         "format": "either"},
    ],
}


def test_an_offer_of_another_sport_loses_half_its_score() -> None:
    out = match(DATA, semantic="off")
    plain = Matcher(sport_penalty=0.0, semantic="off").fit_predict(DATA)

    halved = listed_score(plain, "netball", "rugby") / 2
    assert abs(listed_score(out, "netball", "rugby") - halved) <= 0.005
    # An offer naming no sport is left alone.
    assert listed_score(out, "netball", "games") == listed_score(plain, "netball", "games")


def test_a_shared_concept_does_not_cover_a_request_for_another_sport() -> None:
    only_rugby = {"offers": DATA["offers"][:1], "requests": [
        {"id": "netball", "school": "a", "title": "Netball league",
         "description": "Is there a netball league or festival we could join?",
         "format": "either"}]}
    plain = Matcher(sport_penalty=0.0, semantic="off").fit_predict(only_rugby)
    out = match(only_rugby, semantic="off")
    assert [(p["request"], p["offer"]) for p in plain["pairs"]] == [("netball", "rugby")]
    # Halved, the score still clears the lower bar for a covered topic (0.15), and the two
    # share every concept ("School Games and competitions"); but that concept is not the
    # sport, so the pair is not suggested.
    assert out["ranked"]["netball"][0]["score"] >= 0.15
    assert out["pairs"] == []
    assert out["unmatched"][0]["request"] == "netball"
