"""Which sports a post names.

The taxonomy puts netball leagues, tag rugby festivals and Kwik Cricket under one concept
(School Games and competitions), so "Netball league for small schools" and "Tag rugby
festival - places" look like the same topic. A school wanting netball is not helped by a
rugby festival, so the matcher lowers such pairs' scores (its ``sport_penalty``) and does not
count the shared concept as covering the request: the request names sports, the offer names
sports, and they share none. Posts naming no sport ("PE lead support", "Sports day ideas")
are left alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.wordgroups import NameGroups

__all__ = ["SPORTS", "sport_masks"]

# Sports primary schools play, one group each (at most 62); each name is matched as a whole
# word, case-insensitively, with a plural "s".
SPORTS: tuple[tuple[str, ...], ...] = (
    ("netball",), ("football", "soccer"), ("rugby", "tag rugby"),
    ("cricket", "kwik cricket"), ("rounders",), ("hockey", "unihoc"),
    ("athletics", "sportshall", "quad kids", "quadkids"), ("cross country", "cross-country"),
    ("swimming", "swim", "swimming gala"), ("gymnastics",), ("dance",),
    ("tennis",), ("table tennis",), ("basketball",), ("badminton",), ("handball",),
    ("dodgeball",), ("orienteering",), ("golf", "tri-golf", "tri golf"), ("boccia",),
    ("kurling", "new age kurling"), ("volleyball",), ("lacrosse",), ("judo",),
    ("karate",), ("climbing",), ("archery",), ("fencing",), ("skiing",),
    ("sailing",), ("kayaking", "canoeing", "paddleboarding"), ("cycling",),
)

_NAMES = NameGroups(SPORTS, plural=True)
_STEMS = _NAMES.stems


def sport_masks(titles: Sequence[str], descriptions: Sequence[str],
                tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the sports it names as a bit set (0: none)."""
    return _NAMES.masks(titles, descriptions, tags)
