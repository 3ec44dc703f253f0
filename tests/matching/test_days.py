"""A request whose title names days is not met by an offer free only on others."""

from __future__ import annotations

import pytest

from matching import match
from matching.days import day_masks, title_day_masks
from tests.matching.conftest import listed_score, without_reading

MON, TUE, WED, THU, FRI, SAT, SUN = (1 << i for i in range(7))


def test_titles_name_days_by_name_short_form_and_plural() -> None:
    titles = ["minibus - Tuesdays", "PPA cover Weds & Thurs", "Hall on Saturday mornings",
              "Y6 SATs reading", "Sun safety policy", "Minibus for swimming", "Mon-Wed cover"]
    assert title_day_masks(titles).tolist() == [TUE, WED | THU, SAT, 0, 0, 0,
                                                MON | TUE | WED]


def test_offers_name_days_spans_and_weekends_but_not_days_ruled_out() -> None:
    titles = ["Minibus to borrow", "Hall hire", "Pool slots", "Phonics visit"]
    descriptions = ["Available most days 9.30-2.30 except Weds.",
                    "Free weekends and Monday to Wednesday evenings.",
                    "Spare lane Thurs pm, not Fridays.", "Come and watch any morning."]
    masks = day_masks(titles, descriptions, [()] * 4).tolist()
    assert masks == [0, SAT | SUN | MON | TUE | WED, THU, 0]


DATA = {
    "offers": [
        {"id": "fridays", "school": "b", "title": "Minibus - Fridays",
         "description": "Our 17-seat minibus is free on Fridays. You need a D1 driver.",
         "tags": ["minibus"], "format": "in_person", "capacity": 2},
        {"id": "hall", "school": "c", "title": "Hall for hire",
         "description": "Our hall is available for hire most evenings.",
         "tags": [], "format": "in_person", "capacity": 1},
    ],
    "requests": [
        {"id": "tuesdays", "school": "a", "title": "minibus - Tuesdays",
         "description": "", "tags": [], "format": "in_person"},
        {"id": "minibus", "school": "d", "title": "Minibus for swimming",
         "description": "", "tags": [], "format": "in_person"},
    ],
}


def test_an_offer_free_on_other_days_is_listed_lower_and_never_paired(
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = match(DATA, semantic="off")
    plain = without_reading(monkeypatch, "day_masks", DATA)
    # Without the rule the Friday minibus is paired with the request for Tuesdays.
    assert plain["ranked"]["tuesdays"][0]["offer"] == "fridays"
    assert ("tuesdays", "fridays") in {(p["request"], p["offer"]) for p in plain["pairs"]}
    assert listed_score(out, "tuesdays", "fridays") < listed_score(plain, "tuesdays", "fridays")
    assert ("tuesdays", "fridays") not in {(p["request"], p["offer"]) for p in out["pairs"]}
    # A request naming no day is left alone.
    assert listed_score(out, "minibus", "fridays") == listed_score(plain, "minibus", "fridays")
