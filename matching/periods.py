"""Which periods of history a post names.

The taxonomy files a Roman artefact box, a Viking day and a WW2 evacuee study under the same
history concepts, so "viking costumes & replica weapons" and "Roman artefact handling box -
loan" look like the same topic. A school teaching the Vikings is not helped by Roman
artefacts, so the matcher treats such pairs as it treats different sports (its
``period_penalty``): the request names periods, the offer names periods, and they share none.
Posts naming no period ("History deep dive") are left alone. Across the graded sets no pair
that names different periods only was judged a fit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.wordgroups import NameGroups

__all__ = ["PERIODS", "period_masks"]

# Periods and civilisations the primary history curriculum teaches, one group each; each
# name is matched as a whole word, case-insensitively, with a plural "s". "Roman" is not
# "Romanian", and a "Greek" speaker is only read where a request is about history.
PERIODS: tuple[tuple[str, ...], ...] = (
    ("stone age", "bronze age", "iron age", "prehistory", "prehistoric", "stonehenge",
     "skara brae"),
    ("roman", "roman britain", "romans in britain", "hadrian's wall"),
    ("anglo-saxon", "anglo saxon", "saxon"), ("viking",),
    ("ancient egypt", "egyptian"), ("ancient greece", "ancient greek", "greek"),
    ("maya", "mayan"), ("benin",), ("shang", "shang dynasty"), ("indus valley",),
    ("sumer", "sumerian"), ("early islamic civilisation", "baghdad"),
    ("norman", "1066", "norman conquest"), ("tudor",), ("stuart",), ("georgian",),
    ("victorian",),
    # Local studies of the mill towns: "Real objects for our Industrial Revolution topic" and a
    # cotton mills artefacts box, not an Egyptian one (set 52).
    ("industrial revolution", "cotton mill", "textile mill", "woollen mill", "mill town",
     "cotton industry", "luddite"),
    ("ww1", "wwi", "world war 1", "world war one", "first world war", "great war"),
    ("ww2", "wwii", "world war 2", "world war two", "second world war", "blitz", "evacuee"),
    ("great fire of london", "great fire"), ("gunpowder plot",), ("moon landing",),
)

_NAMES = NameGroups(PERIODS, plural=True)


def period_masks(titles: Sequence[str], descriptions: Sequence[str],
                 tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the periods of history it names as a bit set (0: none)."""
    return _NAMES.masks(titles, descriptions, tags)
