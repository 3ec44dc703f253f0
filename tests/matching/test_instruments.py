"""A request for one instrument is not met by an offer of only others."""

from __future__ import annotations

from matching import Matcher, match
from matching.instruments import _STEMS, INSTRUMENTS, instrument_masks, title_instrument_masks
from tests.matching.conftest import listed_score


def bit(name: str) -> int:
    return 1 << next(i for i, group in enumerate(INSTRUMENTS) if name in group)


def test_posts_name_the_instruments_they_mention() -> None:
    titles = ["Ukulele class set + first lessons", "Y4 desperate to learn trumpet",
              "Samba drums to borrow", "Music cupboard is empty"]
    descriptions = ["", "", "", "Some glockenspiels and an old keyboard."]
    tags: list[list[str]] = [[], [], [], []]
    assert instrument_masks(titles, descriptions, tags).tolist() == [
        bit("ukulele"), bit("trumpet"), bit("samba"), bit("glockenspiel") | bit("keyboard")]
    # A request asks for the instruments its title names, not those its story mentions.
    assert title_instrument_masks(titles, descriptions, tags).tolist()[3] == 0


def test_every_name_contains_a_stem() -> None:
    for group in INSTRUMENTS:
        for name in group:
            assert any(stem in name.casefold() for stem in _STEMS), name


DATA = {
    "offers": [
        {"id": "ukuleles", "school": "b", "title": "Ukulele class set + first lessons",
         "description": "30 ukuleles to lend, and our music teacher can teach the first "
                        "whole-class instrumental sessions.",
         "format": "in_person", "capacity": 2},
        {"id": "hub", "school": "c", "title": "Music hub whole-class instrumental tips",
         "description": "How we run whole-class instrumental teaching with the hub.",
         "format": "either", "capacity": 2},
    ],
    "requests": [
        {"id": "recorders", "school": "a", "title": "Recorders for Y3",
         "description": "Whole-class instrumental teaching next term; we have no recorders.",
         "format": "either"},
        {"id": "concert", "school": "d", "title": "Instruments for the summer concert",
         "description": "Whole-class instrumental: recorders or anything we can borrow.",
         "format": "either"},
    ],
}


def test_an_offer_of_other_instruments_loses_half_its_score_and_its_cover() -> None:
    out = match(DATA, semantic="off")
    plain = Matcher(instrument_penalty=0.0, semantic="off").fit_predict(DATA)
    halved = listed_score(plain, "recorders", "ukuleles") / 2
    assert abs(listed_score(out, "recorders", "ukuleles") - halved) <= 0.005
    # An offer naming no instrument is left alone, and so is a request whose title names
    # none: the concert would be glad of ukuleles.
    assert listed_score(out, "recorders", "hub") == listed_score(plain, "recorders", "hub")
    assert listed_score(out, "concert", "ukuleles") == listed_score(plain, "concert",
                                                                    "ukuleles")
    assert ("recorders", "ukuleles") not in {(p["request"], p["offer"]) for p in out["pairs"]}
