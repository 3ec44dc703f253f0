"""Which faiths an RE post names.

The taxonomy files a gurdwara visit, a mosque visit and a church visit under the same concept
(faith visits), so "Gurdwara visit contact" and "Mosque visit - contact and visit pack" look
like the same topic. A class visiting a gurdwara is not helped by a mosque's contact, so the
matcher treats such pairs as it treats different periods of history (its ``period_penalty``):
the request names faiths, the offer names faiths, and they share none. Posts naming no faith
("Place of worship visit?") are left alone, and so is a faith named to rule it out ("not
church"). Across the graded sets no pair naming different faiths only was judged a fit (96
such pairs, sets 1-54).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from matching.wordgroups import NameGroups

__all__ = ["FAITHS", "faith_masks"]

# The six principal religions of the RE curriculum, one group each, by the faith, its
# followers, its places of worship and its best-known festivals; matched as whole words,
# case-insensitively, with a plural "s".
FAITHS: tuple[tuple[str, ...], ...] = (
    ("christian", "christianity", "church", "churches", "cathedral", "chapel", "vicar"),
    ("islam", "islamic", "muslim", "mosque", "quran", "qur'an", "eid", "ramadan"),
    ("sikh", "sikhism", "gurdwara", "guru nanak", "vaisakhi"),
    ("hindu", "hinduism", "mandir", "diwali"),
    ("jewish", "judaism", "jew", "synagogue", "shabbat", "hanukkah", "passover"),
    ("buddhist", "buddhism", "buddha", "vihara"),
)

_NAMES = NameGroups(FAITHS, plural=True)
# A faith named to rule it out: "place of worship (not church)", "other than a church".
_RULED_OUT = re.compile(r"\b(?:not|except|other than|apart from|rather than|besides)\s+"
                        r"(?:a |an |the )?[a-z']+", re.IGNORECASE)


def faith_masks(titles: Sequence[str], descriptions: Sequence[str],
                tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the faiths it names as a bit set (0: none)."""
    return _NAMES.masks([_RULED_OUT.sub(" ", t) for t in titles],
                        [_RULED_OUT.sub(" ", d) for d in descriptions], tags)
