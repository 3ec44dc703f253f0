"""Key stages and subjects: a request and an offer for different ones lose half their score."""

from __future__ import annotations

import numpy as np

from matching import Matcher, Taxonomy, match
from matching.facets import (
    SUBJECTS,
    clash,
    facet_masks,
    headline_only,
    stage_bits,
    subject_bits,
    title_stages,
)
from matching.features import PostVectorizer
from tests.matching.conftest import listed_score

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


def test_the_early_years_assessments_are_a_stage_of_their_own() -> None:
    # Set 29's "Greater depth writing - moderation partner?" (Y6) had been paired with
    # "EYFS profile moderation support"; set 18 lost a pair the same way.
    tax = Taxonomy.load()
    bits = stage_bits(tax, ("key-stages",))
    eyfs = bits["eyfs-profile"]
    assert eyfs == bits["eyfs-rba"] and eyfs.bit_count() == 1
    assert eyfs & (bits["key-stage-1"] | bits["key-stage-2"]) == 0
    assert headline_only(bits) == eyfs
    titles = ["EYFS profile moderation support", "Greater depth writing in Y6",
              "Mentoring for a new EYFS lead", "Moderation in KS1 and KS2"]
    descriptions = ["", "", "Profile, RBA and provision, termly visits.", ""]
    analysed = PostVectorizer(taxonomy=tax).analyse_fields(titles, descriptions, [[]] * 4)
    masks = facet_masks(analysed, tax, bits, headline_bits=headline_only(bits))
    # A description's passing mention of the profile does not make a post about Reception,
    # and every key stage is still "anything goes".
    assert masks.tolist() == [eyfs, bits["upper-key-stage-2"], 0, 0]
    assert np.array_equal(
        facet_masks(list(analysed), tax, bits, headline_bits=headline_only(bits)), masks)
    assert clash(masks[[0, 0, 0]], masks[[1, 2, 3]]).tolist() == [True, False, False]
    # Without the headline rule the passing mention would count.
    assert facet_masks(analysed, tax, bits)[2] == eyfs


def test_posts_are_read_for_the_stages_they_name() -> None:
    tax = Taxonomy.load()
    bits = stage_bits(tax, ("key-stages",))
    titles = ["Writing moderation for Y5 and Y6", "Moderation in KS1 and KS2",
              "Writing moderation", "Year 2 phonics"]
    analysed = PostVectorizer(taxonomy=tax).analyse_fields(titles, [""] * 4, [[]] * 4)
    masks = facet_masks(analysed, tax, bits)
    # Every stage named counts as none: anything goes.
    assert masks.tolist() == [bits["upper-key-stage-2"], 0, 0, bits["key-stage-1"]]
    # The same from PostText objects as from the flat arrays.
    assert np.array_equal(facet_masks(list(analysed), tax, bits), masks)
    assert clash(masks[[0, 0, 0]], masks[[3, 1, 0]]).tolist() == [True, False, False]


def test_moving_up_to_secondary_is_year_6_and_starting_year_1_is_key_stage_1() -> None:
    # "Y6 to Y7 transition" is read as the transition concept, which names no stage itself:
    # it met "Continuous provision in Year 1?" on the word "transition" alone.
    tax = Taxonomy.load()
    bits = stage_bits(tax, ("key-stages",))
    assert bits["community-transition-secondary"] == bits["upper-key-stage-2"]
    assert bits["community-transition-early"] == bits["key-stage-1"]
    assert "community-transition-secondary" not in stage_bits(tax, ("key-stages",), implied=())
    titles = ["Y6 to Y7 transition for SEND pupils", "Continuous provision in Year 1?"]
    analysed = PostVectorizer(taxonomy=tax).analyse_fields(titles, [""] * 2, [[]] * 2)
    masks = facet_masks(analysed, tax, bits)
    assert masks.tolist() == [bits["upper-key-stage-2"], bits["key-stage-1"]]
    assert clash(masks[[0]], masks[[1]]).tolist() == [True]


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


def test_a_subject_names_its_group_and_a_broader_concept_every_group_below_it() -> None:
    tax = Taxonomy.load()
    bits = subject_bits(tax)
    assert len({bits[g[0]] for g in SUBJECTS}) == len(SUBJECTS)
    # Phonics is English; a maths topic is maths; each language is its own subject.
    assert bits["early-reading"] == bits["english"] == bits["english-writing"]
    assert bits["maths-fractions"] == bits["maths"]
    assert bits["mfl-french"] != bits["mfl-spanish"]
    assert bits["mfl"] == bits["mfl-french"] | bits["mfl-spanish"] | bits["mfl-german-latin"]
    assert "send-autism" not in bits and "key-stage-1" not in bits
    # An id the taxonomy lacks (a coordinator deleted it) drops only that group.
    assert subject_bits(tax, (("maths",), ("no-such-subject",))) == {
        c: 1 for c in tax.ids if tax.category(c) == "maths"}


def test_an_offer_for_another_subject_loses_half_its_score() -> None:
    data = {
        "schools": SCHOOLS,
        "offers": [offer("hist", "b", "Surviving a history deep dive"),
                   offer("fr", "c", "KS2 French scheme and native speaker lessons")],
        "requests": [
            {"id": "geog", "school": "a", "title": "Deep dive - geography", "format": "either"},
            {"id": "es", "school": "a", "title": "KS2 Spanish scheme and lessons",
             "tags": ["MFL"], "format": "either"},
            {"id": "any", "school": "c", "title": "Deep dive coming", "format": "either"},
        ],
    }
    out = match(data)
    plain = Matcher(subject_penalty=0.0).fit_predict(data)

    assert abs(listed_score(out, "geog", "hist") - listed_score(plain, "geog", "hist") / 2) <= 0.005
    assert abs(listed_score(out, "es", "fr") - listed_score(plain, "es", "fr") / 2) <= 0.005
    # A request that names no subject is met as before.
    assert listed_score(out, "any", "hist") == listed_score(plain, "any", "hist")
    # Without the penalty the French offer would be suggested for the Spanish request.
    assert ("es", "fr") in {(p["request"], p["offer"]) for p in plain["pairs"]}
    assert ("es", "fr") not in {(p["request"], p["offer"]) for p in out["pairs"]}


def test_what_the_title_names_comes_before_the_description() -> None:
    tax = Taxonomy.load()
    bits = subject_bits(tax)
    titles = ["KS2 Spanish scheme", "Languages scheme for KS2", "Scheme for KS2"]
    descriptions = ["We teach Spanish, not French.", "We teach Spanish, not French.",
                    "We teach Spanish, not French."]
    analysed = PostVectorizer(taxonomy=tax).analyse_fields(titles, descriptions, [[]] * 3)
    spanish, french = bits["mfl-spanish"], bits["mfl-french"]
    # Read as a whole, each post names both languages.
    assert facet_masks(analysed, tax, bits).tolist() == [spanish | french] * 3
    first = facet_masks(analysed, tax, bits, headline_first=True)
    # The title's subject wins; a broad title is narrowed by the description; a title with
    # no subject leaves the description to say it.
    assert first.tolist() == [spanish, spanish | french, spanish | french]
    assert np.array_equal(facet_masks(list(analysed), tax, bits, headline_first=True), first)


def test_a_request_that_mentions_the_subject_it_is_leaving_is_not_met_by_it() -> None:
    data = {
        "schools": SCHOOLS,
        "offers": [offer("fr", "b", "KS2 French scheme and live lessons")],
        "requests": [{"id": "es", "school": "a", "title": "KS2 Spanish scheme",
                      "description": "We teach Spanish, not French - anyone got a scheme?",
                      "format": "either"}],
    }
    # Two posts make a thin vocabulary: the threshold is lowered so that the pair is
    # suggested without the rule, and the test shows the rule alone holds it back.
    out = match(data, threshold=0.2)
    plain = Matcher(subject_penalty=0.0, threshold=0.2).fit_predict(data)
    assert [p["offer"] for p in plain["pairs"]] == ["fr"]
    assert out["pairs"] == []
    assert out["ranked"]["es"][0]["score"] <= plain["ranked"]["es"][0]["score"] / 2 + 0.005


def test_a_title_names_the_stages_a_longer_phrase_took_in() -> None:
    bits = stage_bits(Taxonomy.load(), ("key-stages",))
    ks1, lks2, uks2 = (bits[c] for c in ("key-stage-1", "lower-key-stage-2",
                                         "upper-key-stage-2"))
    masks = title_stages(["KS2 writing mod", "Y2 writing moderation afternoon", "Y3-6 maths",
                          "Y5/6 netball", "Juniors: upper KS2", "KS1 and KS2", "Whole school"],
                         bits)
    assert masks.tolist() == [lks2 | uks2, ks1, lks2 | uks2, uks2, uks2, 0, 0]


def test_a_broad_title_does_not_widen_a_narrower_stage() -> None:
    # Set 26: "KS2 writing mod" had been paired with "Y2 writing moderation afternoon" (the
    # stages sat inside writing phrases). Set 18: "KS2 writing moderation" for "your Y6
    # team" is still Y6, not lower KS2 too.
    data = {
        "schools": SCHOOLS,
        "offers": [offer("y2", "b", "Y2 writing moderation afternoon"),
                   {**offer("y6", "c", "KS2 writing moderation - trained LA moderator"),
                    "description": "A moderation session for your Y6 team."}],
        "requests": [{"id": "ks2", "school": "a", "title": "KS2 writing mod",
                      "format": "either"},
                     {"id": "y4", "school": "a", "title": "Y4 writing moderation",
                      "format": "either"}],
    }
    out = match(data)
    plain = Matcher(stage_penalty=0.0).fit_predict(data)
    assert abs(listed_score(out, "ks2", "y2") - listed_score(plain, "ks2", "y2") / 2) <= 0.005
    assert listed_score(out, "ks2", "y6") == listed_score(plain, "ks2", "y6")
    assert abs(listed_score(out, "y4", "y6") - listed_score(plain, "y4", "y6") / 2) <= 0.005
