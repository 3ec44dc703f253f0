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

from matching.wordgroups import NameGroups

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
_STEMS = _NAMES.stems


def instrument_masks(titles: Sequence[str], descriptions: Sequence[str],
                     tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the instrument families it names anywhere, as a bit set (0: none)."""
    return _NAMES.masks(titles, descriptions, tags)


def title_instrument_masks(titles: Sequence[str], descriptions: Sequence[str],
                           tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the instrument families its title names (what a request asks for)."""
    return _NAMES.masks(titles, [""] * len(titles), [()] * len(titles))
