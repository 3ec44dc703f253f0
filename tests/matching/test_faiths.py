"""An RE request about one faith is not met by an offer about only others."""

from __future__ import annotations

import pytest

from matching import match
from matching.faiths import FAITHS, faith_masks
from tests.matching.conftest import listed_score, without_reading


def bit(name: str) -> int:
    return 1 << next(i for i, group in enumerate(FAITHS) if name in group)


def test_posts_name_the_faiths_they_mention() -> None:
    titles = ["Gurdwara visit contact", "Mosque visit - contact and visit pack",
              "Multi-faith trail: church, mosque and mandir", "Y4 visit to a place of worship "
              "(not church)", "RE deep dive"]
    masks = faith_masks(titles, [""] * len(titles), [()] * len(titles)).tolist()
    assert masks == [bit("sikh"), bit("islam"), bit("christian") | bit("islam") | bit("hindu"),
                     0, 0]


DATA = {
    "offers": [
        {"id": "mosque", "school": "b", "title": "Mosque visit - contact and visit pack",
         "description": "Our contact at the local mosque welcomes school groups; we can share "
                        "the visit pack and risk assessment.",
         "tags": ["RE"], "format": "in_person", "capacity": 2},
        {"id": "trail", "school": "c", "title": "Faith trail - places of worship",
         "description": "We visit a church, a gurdwara and a mosque in one day; join us.",
         "tags": ["RE"], "format": "in_person", "capacity": 2},
    ],
    "requests": [
        {"id": "gurdwara", "school": "a", "title": "Gurdwara visit contact",
         "description": "Y2 are learning about Sikhism. Anyone have a contact for a visit?",
         "tags": ["RE"], "format": "in_person"},
        {"id": "worship", "school": "d", "title": "Place of worship visit for Y3 RE",
         "description": "", "tags": ["RE"], "format": "in_person"},
    ],
}


def test_an_offer_about_another_faith_is_listed_lower_and_never_paired(
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = match(DATA, semantic="off")
    plain = without_reading(monkeypatch, "faith_masks", DATA)
    # Without the rule the mosque's contact ranks first for the gurdwara visit.
    assert plain["ranked"]["gurdwara"][0]["offer"] == "mosque"
    assert out["ranked"]["gurdwara"][0]["offer"] == "trail"
    assert listed_score(out, "gurdwara", "mosque") < listed_score(plain, "gurdwara", "mosque")
    assert ("gurdwara", "mosque") not in {(p["request"], p["offer"]) for p in out["pairs"]}
    # A request naming no faith is left alone.
    assert listed_score(out, "worship", "mosque") == listed_score(plain, "worship", "mosque")
