"""Whether a request needs something in the school day and an offer is only out of hours.

A school whose hall floor is being replaced needs "a hall somewhere for KS1 PE, weekdays
9-12"; one whose pool has closed needs "daytime pool time for top-up lessons". A hall or a
pool let "evenings and weekends only" cannot meet either, however close the rest of the
words (sets 43 and 47, both judged no fit). The matcher treats such a pair as it treats
know-how offered for a service: listed lower and never suggested.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from matching.needs import says
from matching.wordgroups import post_text

__all__ = ["daytime_requests", "out_of_hours_offers"]

# Said to be needed in the school day: "daytime pool time", "during the school day",
# "weekdays 9-12", "in school hours".
_DAYTIME = re.compile(
    r"\b(?:daytime|day-time|during the (?:school )?day|(?:in|during) school hours"
    r"|in lesson time|weekdays? (?:9|10|mornings?|am)"
    r"|weekday (?:mornings?|afternoons?)"
    # A training day is a school day: "Venue for joint INSET" (set 49).
    r"|inset(?: days?)?|training days?)\b",
    re.IGNORECASE)
_DAYTIME_STEMS = ("day", "school hours", "lesson time", "inset")

# Only out of school hours: "evenings and weekends only", "evenings & weekends",
# "evenings after 6pm and weekends", "outside school hours".
_OUT_OF_HOURS = re.compile(
    r"\bevenings?(?: after \d(?:[.:]\d\d)? ?(?:pm)?)?\s*(?:and|&|/|\+|or)\s*weekends?\b"
    r"|\bweekends?\s*(?:and|&|/|\+|or)\s*evenings?\b"
    r"|\b(?:evenings?|weekends?) only\b|\boutside (?:of )?school hours\b"
    # "School hall available weekends", "Free Sat/Sun" (set 49).
    r"|\bavailable (?:at |on )?weekends\b|\bsat(?:urday)?s? ?(?:/|&|and|\+) ?sun(?:day)?s?\b"
    # "Hall for evening hire ... on weekday evenings from 6pm" (set 58).
    r"|\bevening (?:hire|lettings?|bookings?)\b|\bweekday evenings\b",
    re.IGNORECASE)
_OUT_OF_HOURS_STEMS = ("evening", "weekend", "school hours", "sat")
# Unless it also offers the day: "Community room free most weekday daytimes ... (Hall only
# available at weekends.)" (set 31).
_DAY_OFFERED = re.compile(
    r"\bdaytimes?\b|\bduring the (?:school )?day\b|\bin school hours\b"
    r"|\bweekday (?:mornings?|afternoons?|daytimes?)\b", re.IGNORECASE)


def daytime_requests(titles: Sequence[str], descriptions: Sequence[str]) -> np.ndarray:
    """Per request: its title or description says it is needed in the school day."""
    texts = [f"{t}\n{d}" for t, d in zip(titles, descriptions, strict=True)]
    return says(texts, _DAYTIME, _DAYTIME_STEMS)


def out_of_hours_offers(titles: Sequence[str], descriptions: Sequence[str],
                        tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per offer: it says it is only available evenings and weekends or out of school
    hours."""
    texts = [post_text(t, d, g) for t, d, g in zip(titles, descriptions, tags, strict=True)]
    out = says(texts, _OUT_OF_HOURS, _OUT_OF_HOURS_STEMS)
    for i in np.flatnonzero(out).tolist():
        out[i] = _DAY_OFFERED.search(texts[i]) is None
    return out
