"""A request for a speaker of one language is not met by staff who speak only others, nor by
an offer with no speaker to give."""

from __future__ import annotations

from matching import Matcher, match
from matching.languages import (
    LANGUAGES,
    about_languages,
    interpreter_requests,
    interpreter_titles,
    language_masks,
    offers_a_speaker,
    speaker_offers,
    speaker_requests,
)
from tests.matching.conftest import listed_score


def bit(name: str) -> int:
    return 1 << next(i for i, group in enumerate(LANGUAGES) if name in group)


def test_requests_for_a_speaker_name_the_languages_they_need() -> None:
    titles = ["Arabic interpreter?", "Ukrainian speaker for parents' evening",
              "Supporting our Romanian families", "Interpreter needed", "Stra\u00dfe",
              "EHCP meeting"]
    descriptions = ["", "", "Ideas for getting them to parents' evening?", "", "",
                    "Could someone translate for a Tigrinya-speaking mum?"]
    tags: list[list[str]] = [[], [], [], [], ["Polish interpreter"], []]
    masks = speaker_requests(titles, descriptions, tags).tolist()
    # Know-how about families who speak a language is not a request for a speaker; a tag
    # counts; a text whose case-folding changes its length does not shift the others.
    assert masks == [bit("arabic"), bit("ukrainian"), 0, 0, bit("polish"), bit("tigrinya")]


def test_offers_name_every_language_they_give() -> None:
    masks = language_masks(["Urdu/Punjabi/Bengali speaking staff", "Polish-speaking TA",
                            "Induction for new arrivals"], ["", "", ""], [[], [], []])
    assert masks.tolist() == [bit("urdu") | bit("punjabi") | bit("bengali"), bit("polish"), 0]


def test_an_interpreter_of_other_languages_loses_half_its_score() -> None:
    data = {
        "offers": [
            {"id": "urdu", "school": "b", "title": "Letter translation - Punjabi, Urdu, Polish",
             "description": "Our staff translate letters and interpret at parents' evening.",
             "format": "either", "capacity": 2},
            {"id": "arabic", "school": "c", "title": "Arabic-speaking TA for parent meetings",
             "description": "She can interpret at parents' evening (paid at her hourly rate).",
             "format": "either", "capacity": 2},
        ],
        "requests": [
            {"id": "ar", "school": "a", "title": "Arabic interpreter for parents' evening",
             "format": "either"},
            {"id": "families", "school": "a", "title": "Parents' evening with Urdu families",
             "description": "How do you get them to come?", "format": "either"},
        ],
    }
    # Four posts make a thin vocabulary: the threshold is lowered so that the fitting pair
    # is suggested on its words alone, with or without the rule.
    out = match(data, semantic="off", threshold=0.25)
    plain = Matcher(language_penalty=0.0, semantic="off", threshold=0.25).fit_predict(data)

    assert abs(listed_score(out, "ar", "urdu") - listed_score(plain, "ar", "urdu") / 2) <= 0.005
    assert listed_score(out, "ar", "arabic") == listed_score(plain, "ar", "arabic")
    assert ("ar", "arabic") in {(p["request"], p["offer"]) for p in out["pairs"]}
    # A request for know-how about families is not a request for a speaker.
    assert listed_score(out, "families", "urdu") == listed_score(plain, "families", "urdu")


def test_requests_for_an_interpreter_or_a_speaker() -> None:
    titles = ["Polish speaker for parents' evening", "Lots of Portuguese-speaking arrivals",
              "Urdu letters", "Interpreter needed", "Somali family starting"]
    descriptions = ["Mum speaks no English.", "Where do we start?",
                    "Could anyone translate our newsletter?", "", "Someone who speaks Somali?"]
    tags: list[list[str]] = [[], [], [], [], []]
    languages = speaker_requests(titles, descriptions, tags)
    # Know-how about families who speak a language is not a request for a person; a request
    # naming no language is left to the topic.
    assert interpreter_requests(titles, descriptions, tags, languages).tolist() == [
        True, False, True, False, True]


def test_offers_that_could_give_a_speaker() -> None:
    titles = ["Phonics workshop for parents", "Polish-speaking TA", "Interpreting for families",
              "EAL new arrivals pack", "Bilingual staff for meetings"]
    descriptions = ["Slides and a script for your own evening.", "", "Many languages.",
                    "Our induction checklist and first-week timetable.", ""]
    tags: list[list[str]] = [[], [], [], ["EAL"], []]
    assert offers_a_speaker(titles, descriptions, tags).tolist() == [
        False, True, True, False, True]


def test_papers_in_several_languages_give_no_speaker() -> None:
    # Set 40 paired "Arabic speaker?" with welcome booklets in 8 languages.
    flags = offers_a_speaker(
        ["EAL new arrivals - induction pack", "EAL - home languages", "Letters in 12 languages"],
        ["Welcome booklets in 8 languages and a first-weeks plan.",
         "We celebrate home languages in class.", "Our office can translate letters."],
        [[], [], []])
    assert flags.tolist() == [False, True, True]


def test_an_offer_with_no_speaker_does_not_meet_an_interpreter_request() -> None:
    data = {
        "offers": [
            {"id": "workshop", "school": "b", "title": "Phonics workshop for parents",
             "description": "We run a phonics evening for parents and can share slides.",
             "format": "either", "capacity": 2},
            {"id": "polish", "school": "c", "title": "Polish-speaking TA",
             "description": "She can join a parents' evening meeting (paid at her hourly rate).",
             "format": "either", "capacity": 2},
        ],
        "requests": [
            {"id": "speaker", "school": "a", "title": "Polish speaker for parents' evening",
             "description": "Mum speaks no English. Need someone for 20 minutes in March.",
             "format": "either"},
            {"id": "phonics", "school": "a", "title": "Phonics evening for our parents",
             "description": "Our first one: what do parents need to hear?", "format": "either"},
        ],
    }
    out = match(data, semantic="off")
    plain = Matcher(language_penalty=0.0, semantic="off").fit_predict(data)

    assert abs(listed_score(out, "speaker", "workshop")
               - listed_score(plain, "speaker", "workshop") / 2) <= 0.005
    assert listed_score(out, "speaker", "polish") == listed_score(plain, "speaker", "polish")
    pairs = {(p["request"], p["offer"]) for p in out["pairs"]}
    assert ("speaker", "workshop") not in pairs
    # A request that asks for no speaker keeps the offer's full score.
    assert listed_score(out, "phonics", "workshop") == listed_score(plain, "phonics", "workshop")


def test_a_title_asking_for_an_interpreter_is_never_paired_with_other_languages() -> None:
    # Set 46 paired "Mandarin interpreter - parents evening" with a Korean-speaking family
    # liaison; set 47 "Polish translation - SEND info report" with Romanian and Lithuanian
    # interpreters. Halving the score left both over the threshold, so such an offer is now
    # also no fit at all: held back like know-how offered for a service.
    urdu = {"id": "urdu", "school": "b", "title": "Urdu-speaking TA for parent meetings",
            "description": "She can interpret at parents' evening (paid at her hourly rate).",
            "format": "either", "capacity": 2}
    arabic = {**urdu, "id": "arabic", "school": "c",
              "title": "Arabic-speaking TA for parent meetings"}
    wanted = {"id": "ar", "school": "a", "title": "Arabic interpreter for parents' evening",
              "format": "either"}
    alone = match({"offers": [urdu], "requests": [wanted]}, semantic="off")
    plain = Matcher(language_penalty=0.0, service_penalty=0.0, semantic="off").fit_predict(
        {"offers": [urdu], "requests": [wanted]})
    assert abs(listed_score(alone, "ar", "urdu") - listed_score(plain, "ar", "urdu") / 4) <= 0.005
    assert alone["pairs"] == []
    assert alone["unmatched"][0]["reason"].startswith("This asks for a service")
    both = match({"offers": [urdu, arabic], "requests": [wanted]}, semantic="off")
    assert [(p["request"], p["offer"]) for p in both["pairs"]] == [("ar", "arabic")]
    # Only the title counts: "EAL new arrivals" that mentions translating in its description
    # may be met by an EAL lead who speaks another language (set 43).
    titles = ["Mandarin interpreter - parents evening", "EAL new arrivals",
              "Polish translation - SEND info report"]
    descriptions = ["", "Arabic and Romanian speakers; we translate letters.", ""]
    languages = speaker_requests(titles, descriptions, [[], [], []])
    assert interpreter_titles(titles, languages).tolist() == [True, False, True]


def test_a_request_to_teach_one_language_is_not_met_by_another() -> None:
    # Latin and BSL share a taxonomy concept, so the subject rule cannot tell them apart.
    data = {
        "offers": [
            {"id": "bsl", "school": "b", "title": "BSL taster for staff",
             "description": "Our signer runs a six-week British Sign Language taster.",
             "format": "either", "capacity": 2},
            {"id": "latin", "school": "c", "title": "Minimus Latin club - come and see",
             "format": "either", "capacity": 2},
        ],
        "requests": [
            {"id": "r", "school": "a", "title": "Latin in KS2?", "format": "either"},
            {"id": "any", "school": "a", "title": "Teaching a language in KS2",
             "format": "either"},
        ],
    }
    out = match(data, semantic="off")
    plain = Matcher(language_penalty=0.0, semantic="off").fit_predict(data)

    assert abs(listed_score(out, "r", "bsl") - listed_score(plain, "r", "bsl") / 2) <= 0.005
    assert listed_score(out, "r", "latin") == listed_score(plain, "r", "latin")
    # A request naming no language is left alone.
    assert listed_score(out, "any", "bsl") == listed_score(plain, "any", "bsl")


def test_speakers_offered_and_requests_a_speaker_could_help() -> None:
    # Set 26: "Phonics workshop for Rec parents" had been paired with "Punjabi / Urdu /
    # Polish speakers for parent meetings": both about parents, but nothing to interpret.
    offers = speaker_offers(["Punjabi / Urdu / Polish speakers for parent meetings",
                             "Polish-speaking TA available", "Speaking and listening",
                             "EAL support", "Parent workshops"])
    assert offers.tolist() == [True, True, False, False, False]
    requests = about_languages(
        ["Phonics workshop for Rec parents", "New arrivals - no English", "Parents evening",
         "Interpreter needed", "Oracy in KS1"],
        ["Rec parents asking how to help with phonics at home.", "", "Arabic families", "",
         "Speaking frames?"],
        [[], [], [], [], []])
    assert requests.tolist() == [False, True, True, True, True]
    # EAL itself needs a speaker only where families come in (set 38: "EAL - academic vocab
    # for Y6 advanced learners" had been paired with a Polish-speaking TA for parent meetings).
    eal = about_languages(["EAL - academic vocab for Y6 advanced learners", "EAL parents evening",
                           "EAL strategies"], ["Ideas?", "", "Talking to EAL families."],
                          [[], [], []])
    assert eal.tolist() == [False, True, True]


def test_speakers_offered_to_a_request_with_no_language_lose_half_their_score() -> None:
    data = {
        "offers": [
            {"id": "speakers", "school": "b",
             "title": "Punjabi / Urdu / Polish speakers for parent meetings",
             "description": "We have staff who speak Punjabi, Urdu and Polish. Can join a "
             "parent meeting.", "format": "either", "capacity": 2},
        ],
        "requests": [
            {"id": "phonics", "school": "a", "title": "Phonics workshop for Rec parents",
             "description": "Rec parents asking how to help at home. A ready made session "
             "for parent meetings?", "format": "either"},
            {"id": "urdu", "school": "a", "title": "Parent meetings with Urdu families",
             "format": "either"},
        ],
    }
    out = match(data, semantic="off")
    plain = Matcher(language_penalty=0.0, semantic="off").fit_predict(data)
    assert (abs(listed_score(out, "phonics", "speakers")
                - listed_score(plain, "phonics", "speakers") / 2) <= 0.005)
    assert listed_score(out, "urdu", "speakers") == listed_score(plain, "urdu", "speakers")
