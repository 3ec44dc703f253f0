"""Groups of names (languages, sports) found in a post as a bit set, one bit per group."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from matching.needs import posts_with_stems

__all__ = ["NameGroups", "post_text"]


def post_text(title: str, description: str, tags: Sequence[str]) -> str:
    """A post's title, description and tags as one text to search."""
    return f"{title}\n{description}\n{', '.join(tags)}"


class NameGroups:
    """Whole-word, case-insensitive names in groups (at most 62, so a mask fits an int64).

    ``mask(text)`` sets bit i for each group i the text names. The longest name is tried
    first, so "table tennis" is not read as tennis; ``plural`` also accepts a final "s".
    """

    def __init__(self, groups: Sequence[Sequence[str]], *, plural: bool = False) -> None:
        if len(groups) > 62:
            raise ValueError("at most 62 groups fit a mask")
        self.group = {name: i for i, names in enumerate(groups) for name in names}
        names = sorted((re.escape(n) for n in self.group), key=len, reverse=True)
        self.pattern = re.compile(r"\b(" + "|".join(names) + r")" + ("s?" if plural else "")
                                  + r"\b", re.IGNORECASE)
        # For a cheap first pass: the names themselves (case-folded), leaving out any that
        # contains a shorter one ("tag rugby" is found by "rugby").
        folded = sorted({name.casefold() for name in self.group})
        self.stems = tuple(n for n in folded if not any(m != n and m in n for m in folded))

    def masks(self, titles: Sequence[str], descriptions: Sequence[str],
              tags: Sequence[Sequence[str]]) -> np.ndarray:
        """Per post, the groups it names as a bit set (0: none). Only posts with one of the
        names' stems are read by the pattern (needs.posts_with_stems)."""
        texts = [post_text(t, d, g) for t, d, g in zip(titles, descriptions, tags, strict=True)]
        out = np.zeros(len(texts), dtype=np.int64)
        for i in posts_with_stems(texts, self.stems):
            out[i] = self.mask(texts[i])
        return out

    def mask(self, text: str) -> int:
        mask = 0
        for match in self.pattern.finditer(text):
            mask |= 1 << self.group[match.group(1).lower()]
        return mask
