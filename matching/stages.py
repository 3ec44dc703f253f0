"""Which key stages a post is for, so that a Y6 request is not met by a KS1 offer.

Year groups and key stages are context, not expertise: they add nothing to a pair's score
(see PostVectorizer's context categories). But when a request and an offer both name stages
and share none ("Y6 writing moderation" and "End of KS1 moderation"), the offer rarely fits,
however close the topic. Stages are the leaves of the context categories (KS1, lower KS2,
upper KS2 in the shipped taxonomy); a broader concept names all the leaves below it. A stage
word inside a longer taxonomy phrase ("Year 6 writing moderation" is one alias) is not seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from matching.features import AnalysedPosts, PostText
from matching.taxonomy import Taxonomy

__all__ = ["stage_bits", "stage_clash", "stage_masks"]

# Masks are int64 bit sets; a taxonomy with more stages than this is not checked.
_MAX_STAGES = 62


def stage_bits(taxonomy: Taxonomy, context_categories: Iterable[str]) -> dict[str, int]:
    """Concept id -> bit set of the stages (context leaves) it names; {} if too many."""
    context = set(context_categories)
    members = [c for c in taxonomy.ids if taxonomy.category(c) in context]
    leaves = [c for c in members if not taxonomy.descendants(c)]
    if len(leaves) > _MAX_STAGES:
        return {}
    bit = {c: 1 << i for i, c in enumerate(leaves)}
    out = {}
    for c in members:
        mask = bit.get(c, 0)
        for d in taxonomy.descendants(c):
            mask |= bit.get(d, 0)
        out[c] = mask
    return out


def stage_masks(posts: Sequence[PostText], taxonomy: Taxonomy, bits: dict[str, int]) -> np.ndarray:
    """Per post, the stages it names (0 when it names none, or every one)."""
    everything = 0
    for mask in bits.values():
        everything |= mask
    out = np.zeros(len(posts), dtype=np.int64)
    if not bits:
        return out
    if isinstance(posts, AnalysedPosts):
        # The flat arrays, without building a PostText per post (national scale).
        code_bits = np.array([bits.get(c, 0) for c in taxonomy.ids], dtype=np.int64)
        entry = code_bits[posts.concept_code] * (posts.concept_weight > 0)
        post = np.repeat(np.arange(len(posts)), np.diff(posts.concept_ptr))
        np.bitwise_or.at(out, post, entry)
    else:
        for i, text in enumerate(posts):
            for cid in text.concepts:
                out[i] |= bits.get(cid, 0)
    out[out == everything] = 0
    return out


def stage_clash(request: np.ndarray, offer: np.ndarray) -> np.ndarray:
    """Per pair of masks: both name stages and they share none."""
    return (request != 0) & (offer != 0) & ((request & offer) == 0)
