"""Key stages: a request and an offer for different stages lose half their score."""

from __future__ import annotations

import numpy as np

from matching import Matcher, Taxonomy, match
from matching.features import PostVectorizer
from matching.stages import stage_bits, stage_clash, stage_masks

SCHOOLS = [{"id": "a"}, {"id": "b"}, {"id": "c"}]


def offer(oid: str, school: str, title: str) -> dict[str, object]:
    return {"id": oid, "school": school, "title": title, "format": "remote", "capacity": 1}


def test_a_stage_names_itself_and_a_broader_one_names_its_stages() -> None:
    tax = Taxonomy.load()
    bits = stage_bits(tax, ("key-stages",))
    ks1, lower, upper = bits["key-stage-1"], bits["lower-key-stage-2"], bits["upper-key-stage-2"]
    assert len({ks1, lower, upper}) == 3 and all(b.bit_count() == 1 for b in (ks1, lower, upper))
    assert bits["key-stage-2"] == lower | upper
    assert bits["key-stages"] == ks1 | lower | upper
    assert "early-reading" not in bits


def test_posts_are_read_for_the_stages_they_name() -> None:
    tax = Taxonomy.load()
    bits = stage_bits(tax, ("key-stages",))
    titles = ["Writing moderation for Y5 and Y6", "Moderation in KS1 and KS2",
              "Writing moderation", "Year 2 phonics"]
    analysed = PostVectorizer(taxonomy=tax).analyse_fields(titles, [""] * 4, [[]] * 4)
    masks = stage_masks(analysed, tax, bits)
    # Every stage named counts as none: anything goes.
    assert masks.tolist() == [bits["upper-key-stage-2"], 0, 0, bits["key-stage-1"]]
    # The same from PostText objects as from the flat arrays.
    assert np.array_equal(stage_masks(list(analysed), tax, bits), masks)
    assert stage_clash(masks[[0, 0, 0]], masks[[3, 1, 0]]).tolist() == [True, False, False]


def test_an_offer_for_another_key_stage_loses_half_its_score() -> None:
    data = {
        "schools": SCHOOLS,
        "offers": [offer("ks1", "b", "Writing moderation with KS1 teachers"),
                   offer("uks2", "c", "Writing moderation with Y6 teachers")],
        "requests": [{"id": "r", "school": "a", "title": "Writing moderation partners for Y6",
                      "format": "either"}],
    }
    out = match(data)
    ranked = {i["offer"]: i["score"] for i in out["ranked"]["r"]}
    plain = Matcher(stage_penalty=0.0).fit_predict(data)
    unpenalised = {i["offer"]: i["score"] for i in plain["ranked"]["r"]}
    assert out["ranked"]["r"][0]["offer"] == "uks2"
    assert out["pairs"][0]["offer"] == "uks2"
    assert ranked["uks2"] == unpenalised["uks2"]
    assert abs(ranked["ks1"] - unpenalised["ks1"] / 2) <= 0.005
