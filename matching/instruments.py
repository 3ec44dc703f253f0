"""Which musical instruments a post names.

The taxonomy puts ukuleles, recorders, brass and choirs under one concept (instrumental
teaching and music hubs), so "Recorders for Y3" and "Ukulele class set + first lessons" look
like the same topic. A school wanting recorders is not helped by ukuleles, so the matcher
treats such pairs as it treats different sports (its ``instrument_penalty``). A request's
instruments are read from its title only: "Instruments for the summer concert", whose
description mentions recorders, is glad of any class set.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.needs import posts_with_stems
from matching.wordgroups import NameGroups, post_text

__all__ = ["INSTRUMENTS", "instrument_masks", "title_instrument_masks"]

# One group per instrument family a primary school teaches; each name is matched as a whole
# word, case-insensitively, with a plural "s".
INSTRUMENTS: tuple[tuple[str, ...], ...] = (
    ("violin", "viola", "cello", "double bass", "strings", "fiddle"),
    ("brass", "trumpet", "cornet", "trombone", "tuba", "euphonium", "tenor horn"),
    ("woodwind", "clarinet", "flute", "oboe", "saxophone", "sax", "bassoon"),
    ("recorder",), ("ukulele", "uke"), ("guitar",),
    ("drum", "drumming", "samba", "djembe", "percussion", "steel pan", "steel band"),
    ("piano", "keyboard"), ("glockenspiel", "xylophone"), ("harp",),
    ("choir", "singing"),
)

_NAMES = NameGroups(INSTRUMENTS, plural=True)
_NAME_LIST = sorted({name.casefold() for group in INSTRUMENTS for name in group})
_STEMS = tuple(n for n in _NAME_LIST if not any(m != n and m in n for m in _NAME_LIST))


def instrument_masks(titles: Sequence[str], descriptions: Sequence[str],
                     tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the instrument families it names anywhere, as a bit set (0: none)."""
    texts = [post_text(t, d, g) for t, d, g in zip(titles, descriptions, tags, strict=True)]
    out = np.zeros(len(texts), dtype=np.int64)
    for i in posts_with_stems(texts, _STEMS):
        out[i] = _NAMES.mask(texts[i])
    return out


def title_instrument_masks(titles: Sequence[str], descriptions: Sequence[str],
                           tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the instrument families its title names (what a request asks for)."""
    return instrument_masks(titles, [""] * len(titles), [()] * len(titles))
