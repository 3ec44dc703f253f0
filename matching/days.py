"""Which days of the week a post names.

A request whose title names the days it needs ("minibus - Tuesdays", "PPA cover Wednesdays",
"Hall on Saturday mornings") is not met by an offer free only on other days ("minibus -
Fridays"). The matcher treats such pairs as it treats different periods of history (its
``period_penalty``) and never suggests them: the request's title names days, the offer gives
something (a minibus, a pool, someone's time) and names days, and they share none. Posts
naming no day are left alone, and so is a day named to rule it out ("available most days
except Weds"); a know-how offer naming its Friday session is not saying when it is free.
Across the graded sets no pair whose days are apart was judged a fit (297 such pairs, sets
1-57).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from matching.needs import posts_with_stems
from matching.wordgroups import post_text

__all__ = ["day_masks", "title_day_masks"]

# Monday to Sunday, by full name, short forms and plurals ("Weds", "Thurs", "Fri").
_DAY_NAMES = (
    r"mon(?:day)?s?", r"tue(?:s|sday)?s?", r"wed(?:s|nesday)?s?", r"thu(?:r|rs|rsday)?s?",
    # Saturday and Sunday only in full: "SATs" and "sun safety" are not days.
    r"fri(?:day)?s?", r"saturdays?", r"sundays?",
)
_DAY = [re.compile(rf"\b{name}\b", re.IGNORECASE) for name in _DAY_NAMES]
_ANY_DAY = "|".join(f"(?:{name})" for name in _DAY_NAMES)
_WEEKDAYS = 0b0011111
_WEEKEND = 0b1100000
_GROUPS = re.compile(r"\b(?:(weekdays?|week days?|school days?)|(weekends?))\b", re.IGNORECASE)
# A span of days: "Mon-Thu", "Monday to Wednesday".
_SPAN = re.compile(rf"\b({_ANY_DAY})\s*(?:-|\u2013|to|till|until)\s*({_ANY_DAY})\b",
                   re.IGNORECASE)
# A day named to rule it out: "except Weds", "not Fridays", "apart from Monday".
_RULED_OUT = re.compile(rf"\b(?:except|not|apart from|other than|but not|excluding|no)\s+"
                        rf"(?:on\s+)?(?:{_ANY_DAY})\b", re.IGNORECASE)
# Posts without one of these (case-folded) name no day, and are not read further.
_STEMS = ("mon", "tue", "wed", "thu", "fri", "saturday", "sunday", "week", "school day")


def _day(word: str) -> int:
    return next(1 << i for i, pattern in enumerate(_DAY) if pattern.fullmatch(word))


def _mask(text: str) -> int:
    text = _RULED_OUT.sub(" ", text)
    mask = 0
    for match in _SPAN.finditer(text):
        first, last = _day(match.group(1)).bit_length(), _day(match.group(2)).bit_length()
        if first <= last:
            mask |= (1 << last) - (1 << (first - 1))
    for i, pattern in enumerate(_DAY):
        if pattern.search(text):
            mask |= 1 << i
    for match in _GROUPS.finditer(text):
        mask |= _WEEKDAYS if match.group(1) else _WEEKEND
    return mask


def title_day_masks(titles: Sequence[str]) -> np.ndarray:
    """Per request, the days its title names, as a bit set (Monday = bit 0; 0: none)."""
    out = np.zeros(len(titles), dtype=np.int64)
    for i in posts_with_stems(titles, _STEMS):
        out[i] = _mask(titles[i])
    return out


def day_masks(titles: Sequence[str], descriptions: Sequence[str],
              tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the days its title, description and tags name, as a bit set (0: none)."""
    texts = [post_text(t, d, g) for t, d, g in zip(titles, descriptions, tags, strict=True)]
    out = np.zeros(len(texts), dtype=np.int64)
    for i in posts_with_stems(texts, _STEMS):
        out[i] = _mask(texts[i])
    return out
