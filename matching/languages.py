"""Which languages a request needs (a speaker of, or to teach), and which an offer provides.

A school asking for an interpreter, a translator or a speaker of a language ("Arabic
interpreter?", "Ukrainian speaker for parents' evening") is not helped by staff who speak
other languages, however close the rest of the words. The matcher lowers such pairs' scores
(its ``language_penalty``): the request names languages, the offer names languages, and they
share none. A request about teaching a language counts the languages it names the same way
("Latin in KS2?" and a BSL taster; the matcher reads only requests whose subject is a
language). Requests for know-how about families who speak a language ("our Romanian
families") are left alone: that know-how carries across languages.

A request for an interpreter, a translator or a speaker is not met by an offer that names no
language and never speaks of interpreting, translating or languages either ("Polish speaker
for parents' evening" and "Phonics workshop for parents"): such an offer has no speaker to
give. The matcher treats that pair as a clash too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from matching.needs import posts_with_stems
from matching.wordgroups import NameGroups, post_text

__all__ = ["LANGUAGES", "about_languages", "interpreter_requests", "interpreter_titles",
           "language_masks", "offers_a_speaker", "speaker_offers", "speaker_requests"]

# The languages English primary schools most often need interpreting, one group each (at
# most 62); each name is matched as a whole word, with its "-speaking" forms.
LANGUAGES: tuple[tuple[str, ...], ...] = (
    ("arabic",), ("urdu",), ("punjabi",), ("bengali", "bangla", "sylheti"), ("gujarati",),
    ("hindi",), ("tamil",), ("pashto", "pushto"), ("dari",), ("farsi", "persian"),
    ("kurdish", "sorani", "kurmanji"), ("somali",), ("tigrinya",), ("amharic",),
    ("polish",), ("romanian",), ("bulgarian",), ("lithuanian",), ("latvian",),
    ("russian",), ("ukrainian",), ("czech",), ("slovak",), ("hungarian",), ("albanian",),
    ("turkish",), ("portuguese",), ("spanish",), ("french",), ("italian",), ("german",),
    ("mandarin", "cantonese", "chinese"), ("vietnamese",), ("tagalog",), ("malayalam",),
    ("telugu",), ("nepali",), ("yoruba",), ("igbo",), ("shona",), ("swahili",),
    ("bsl", "british sign language"), ("makaton",), ("latin",), ("korean",), ("japanese",),
    ("thai",), ("greek",), ("hebrew",), ("dutch",), ("twi", "akan"), ("lingala",),
)

_NAMES = NameGroups(LANGUAGES)
# A request for a person who speaks, interprets or translates (not know-how about families).
_SPEAKER = re.compile(
    r"\b(?:interpret(?:er|ers|ing)?|translat(?:e|or|ors|ion|ing)|speakers?|speaking|speaks"
    r"|signer|signing)\b",
    re.IGNORECASE,
)
_SPEAKER_STEMS = ("interpret", "translat", "speak", "sign")


def language_masks(titles: Sequence[str], descriptions: Sequence[str],
                   tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the languages it names as a bit set (0: none)."""
    return _NAMES.masks(titles, descriptions, tags)


def speaker_requests(titles: Sequence[str], descriptions: Sequence[str],
                     tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per request, the languages it needs a speaker of (0 unless it asks for a speaker,
    interpreter or translator and names a language).

    Only posts with one of a few stems are read by the pattern (needs.posts_with_stems).
    """
    texts = [post_text(t, d, g) for t, d, g in zip(titles, descriptions, tags, strict=True)]
    out = np.zeros(len(texts), dtype=np.int64)
    for i in posts_with_stems(texts, _SPEAKER_STEMS):
        if _SPEAKER.search(texts[i]):
            out[i] = _NAMES.mask(texts[i])
    return out


# Asking for a person: an interpreter, a translator, a speaker. Narrower than _SPEAKER, which
# also reads "Portuguese-speaking arrivals" (know-how about families, met by EAL know-how).
_INTERPRETER = re.compile(
    r"\b(?:interpret(?:er|ers|ing)|translat(?:e|or|ors|ion|ing)|speakers?"
    r"|someone who (?:speaks|can speak))\b",
    re.IGNORECASE,
)
# An offer that could give a speaker of some language, even one it does not name.
_ANY_SPEAKER = re.compile(
    r"\b(?:interpret|translat|speak|bilingual|multilingual|signer|signing)"
    # Not papers in several languages ("welcome booklets in 8 languages"): nobody to speak.
    r"|(?<!\bin \d )(?<!\bin \d\d )(?<!\bin several )(?<!\bin many )(?<!\bin other )"
    r"(?<!\bin different )(?<!\bin various )\blanguages?\b",
    re.IGNORECASE,
)


def interpreter_requests(titles: Sequence[str], descriptions: Sequence[str],
                         tags: Sequence[Sequence[str]], languages: np.ndarray) -> np.ndarray:
    """Per request: it asks for an interpreter, a translator or a speaker of the languages it
    names (``languages``: speaker_requests' masks; a boolean array)."""
    out = np.zeros(len(titles), dtype=bool)
    for i in np.flatnonzero(languages).tolist():
        out[i] = _INTERPRETER.search(post_text(titles[i], descriptions[i], tags[i])) is not None
    return out


def interpreter_titles(titles: Sequence[str], languages: np.ndarray) -> np.ndarray:
    """Per request: its title itself asks for an interpreter, a translator or a speaker of the
    languages it names ("Mandarin interpreter - parents' evening", "Polish translation - SEND
    info report"; ``languages``: speaker_requests' masks; a boolean array)."""
    out = np.zeros(len(titles), dtype=bool)
    for i in np.flatnonzero(languages).tolist():
        out[i] = _INTERPRETER.search(titles[i]) is not None
    return out


def offers_a_speaker(titles: Sequence[str], descriptions: Sequence[str],
                     tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer: it names a language or speaks of interpreting, translating, speaking or
    languages (a boolean array)."""
    texts = [post_text(t, d, g) for t, d, g in zip(titles, descriptions, tags, strict=True)]
    out = language_masks(titles, descriptions, tags) != 0
    for i in posts_with_stems(texts, ("interpret", "translat", "speak", "lingual", "language",
                                      "sign")):
        out[i] |= _ANY_SPEAKER.search(texts[i]) is not None
    return out


def speaker_offers(titles: Sequence[str]) -> np.ndarray:
    """Per offer: its title is speakers, interpreters or translators of languages it names
    ("Punjabi / Urdu / Polish speakers for parent meetings"; a boolean array)."""
    out = np.zeros(len(titles), dtype=bool)
    for i in posts_with_stems(titles, _SPEAKER_STEMS):
        out[i] = _SPEAKER.search(titles[i]) is not None and _NAMES.mask(titles[i]) != 0
    return out


# What a request that a language speaker could help says: a language, new arrivals, or
# interpreting and speaking.
_LANGUAGE_NEED = re.compile(
    r"\b(?:esol|new arrivals?|inas?|no english|little english"
    r"|refugees?|asylum|bilingual|multilingual|home languages?|first languages?"
    r"|languages?)\b",
    re.IGNORECASE,
)
# EAL itself is a need a speaker helps with only where families come in: a speaker for
# parent meetings does not teach "academic vocab for Y6 advanced learners" (set 38).
_EAL = re.compile(r"\b(?:eal|english as an additional)\b", re.IGNORECASE)
_FAMILIES = re.compile(r"\b(?:parents?|famil(?:y|ies)|carers?|mums?|dads?|home)\b",
                       re.IGNORECASE)


def about_languages(titles: Sequence[str], descriptions: Sequence[str],
                    tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per request: it names a language, EAL or new arrivals, or speaks of interpreting,
    translating or speaking (a boolean array)."""
    texts = [post_text(t, d, g) for t, d, g in zip(titles, descriptions, tags, strict=True)]
    out = language_masks(titles, descriptions, tags) != 0
    for i, text in enumerate(texts):
        out[i] |= (_ANY_SPEAKER.search(text) is not None
                   or _LANGUAGE_NEED.search(text) is not None
                   or (_EAL.search(text) is not None and _FAMILIES.search(text) is not None))
    return out
