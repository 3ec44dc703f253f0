"""What a post is for, beyond its topic: the key stages and the subjects it names.

A request and an offer that both name key stages and share none ("Y6 writing moderation" and
"End of KS1 moderation") rarely fit, however close the topic; nor do two that both name
subjects and share none ("Deep dive - geography" and "Surviving a history deep dive", or a
Spanish scheme and a French one). The matcher lowers such pairs' scores (its
``stage_penalty`` and ``subject_penalty``).

Each facet is a set of *groups* of concepts, one bit each: the leaves of the context
categories (KS1, lower KS2, upper KS2) for stages, and the curriculum subjects for subjects.
A concept names the group it or its nearest ancestor belongs to; a broader concept names every
group below it ("KS2" names lower and upper KS2; "Languages" every language), and so does a
concept whose nearest such ancestor does ("MFL leadership" under "Languages"). A stage word
inside a longer taxonomy phrase ("Year 6 writing moderation" is one alias) is not a concept
of its own, so the matcher also reads the year groups and key stages a title writes
(``title_stages``). The early years' statutory assessments (``EARLY_YEARS_ONLY``) are one
more stage, counted only where a title or tags name them (``headline_only``).

For subjects, what the title and tags name comes first (``headline_first``): a request titled
"KS2 Spanish scheme" that explains "we're switching from French" is about Spanish. Key stages
are read from the whole post: "Phonics catch-up for Y3" children who did not pass the check
in Y1 is met by a KS1 phonics offer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np

from matching.features import AnalysedPosts, PostText
from matching.taxonomy import Taxonomy

__all__ = ["EARLY_YEARS_ONLY", "IMPLIED_STAGES", "SUBJECTS", "clash", "facet_bits", "facet_masks",
           "headline_only", "stage_bits", "subject_bits", "title_stages", "with_title_stages"]

# Masks are int64 bit sets; a facet with more groups than this is not checked.
_MAX_GROUPS = 62

# The shipped taxonomy's curriculum subjects, one group each. Early reading and phonics is
# English; each language is its own subject (a Spanish request is not met by French).
SUBJECTS: tuple[tuple[str, ...], ...] = (
    ("english", "early-reading"), ("maths",), ("science",), ("history",), ("geography",),
    ("art",), ("dt",), ("computing",), ("music",), ("pe",), ("re",),
    ("mfl-french",), ("mfl-spanish",), ("mfl-german-latin",),
)


def facet_bits(taxonomy: Taxonomy, groups: Iterable[Iterable[str]]) -> dict[str, int]:
    """Concept id -> bit set of the groups it names (concepts naming none are left out).

    Ids the taxonomy lacks are ignored, so an edited taxonomy only loses those groups;
    {} if there are more than 62 groups.
    """
    bit: dict[str, int] = {}
    live = [[c for c in group if c in taxonomy] for group in groups]
    live = [group for group in live if group]
    if len(live) > _MAX_GROUPS:
        return {}
    for i, group in enumerate(live):
        for cid in group:
            bit[cid] = 1 << i
    below: dict[str, int] = {}
    for cid in taxonomy.ids:
        mask = 0
        for d in taxonomy.descendants(cid):
            mask |= bit.get(d, 0)
        below[cid] = mask
    out = {}
    for cid in taxonomy.ids:
        line = (cid, *taxonomy.ancestors(cid))
        mask = next((bit[a] for a in line if a in bit), 0)
        if not mask:
            mask = next((below[a] for a in line if below[a]), 0)
        if mask:
            out[cid] = mask
    return out


# Concepts about Reception alone: "EYFS profile moderation" is no help to "KS2 maths book
# moderation".
EARLY_YEARS_ONLY = ("eyfs-profile", "eyfs-rba")

# Topics that are about one key stage without naming it: moving up to secondary is Year 6's,
# starting Year 1 is key stage 1's. "Y6 to Y7 transition" is read as the transition concept
# (the longer phrase wins), so without this it named no stage and met "Continuous provision
# in Year 1?" on the word "transition".
IMPLIED_STAGES = (
    ("community-transition-secondary", "upper-key-stage-2"),
    ("community-transition-early", "key-stage-1"),
)


def stage_bits(taxonomy: Taxonomy, context_categories: Iterable[str],
               implied: Iterable[tuple[str, str]] = IMPLIED_STAGES) -> dict[str, int]:
    """Concept id -> bit set of the key stages (the context categories' leaves) it names,
    or implies (``implied``: pairs of a concept and the key stage it is about; pairs naming
    a concept the taxonomy lacks are skipped)."""
    context = set(context_categories)
    leaves = [c for c in taxonomy.ids
              if taxonomy.category(c) in context and not taxonomy.descendants(c)]
    bits = facet_bits(taxonomy, [(c,) for c in leaves])
    known = set(taxonomy.ids)
    for cid, stage in implied:
        if cid in known and stage in bits and cid not in bits:
            bits[cid] = bits[stage]
    # The early years' own statutory assessments are a stage of their own (one more bit).
    used = _every_group(bits).bit_length()
    if used and used < _MAX_GROUPS:
        for cid in EARLY_YEARS_ONLY:
            if cid in known and cid not in bits:
                bits[cid] = 1 << used
    return bits


def headline_only(bits: dict[str, int]) -> int:
    """The stage bits (``bits``: stage_bits) that count only where a post's title or tags
    name them: an EYFS lead's offer that mentions the profile in passing is not about
    Reception alone."""
    out = 0
    for cid in EARLY_YEARS_ONLY:
        out |= bits.get(cid, 0)
    return out


def subject_bits(taxonomy: Taxonomy,
                 subjects: Iterable[Iterable[str]] = SUBJECTS) -> dict[str, int]:
    """Concept id -> bit set of the subjects it names."""
    return facet_bits(taxonomy, subjects)


def facet_masks(posts: Sequence[PostText], taxonomy: Taxonomy, bits: dict[str, int], *,
                headline_first: bool = False, headline_bits: int = 0) -> np.ndarray:
    """Per post, the groups it names (0 when it names none, or every one).

    With ``headline_first``, what the title and tags name comes first: only when they name
    no group does the description count, so "KS2 Spanish scheme" whose description adds "we
    teach Spanish, not French" is about Spanish. A broader concept counts only if the post
    names nothing narrower within it: a post tagged "MFL" and about Spanish is about Spanish.
    """
    everything = _every_group(bits)
    if not bits:
        return np.zeros(len(posts), dtype=np.int64)
    if isinstance(posts, AnalysedPosts):
        # The flat arrays, without building a PostText per post (national scale).
        code_bits = np.array([bits.get(c, 0) for c in taxonomy.ids], dtype=np.int64)
        weight = posts.concept_weight
        entry = code_bits[posts.concept_code] * (weight > 0)
        post = np.repeat(np.arange(len(posts)), np.diff(posts.concept_ptr))
    else:
        named = [(i, bits.get(cid, 0), w) for i, text in enumerate(posts)
                 for cid, w in text.concepts.items()]
        post = np.array([i for i, _, _ in named], dtype=np.int64)
        entry = np.array([m for _, m, _ in named], dtype=np.int64)
        weight = np.array([w for _, _, w in named], dtype=np.float64)
    if headline_bits:
        # A description's mention of only such stages does not count ("every stage" does).
        entry = np.where((weight < 1.0) & ((entry & ~headline_bits) == 0), 0, entry)
    out = _groups(len(posts), post, entry)
    if headline_first:
        # Tags and the title carry source weight 1; the description less (features).
        headline = weight >= 1.0
        lead = _groups(len(posts), post[headline], entry[headline])
        out = np.where(lead != 0, lead & out, out)
    out[(out & everything) == everything] = 0
    return out


def _groups(n: int, post: np.ndarray, entry: np.ndarray) -> np.ndarray:
    """Per post, the union of its entries' groups, a broad entry only where no narrower one
    of its groups is named."""
    single = (entry & (entry - 1)) == 0  # one group (or none)
    out = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(out, post[single], entry[single])
    broad = np.flatnonzero(~single)
    keep = broad[(entry[broad] & out[post[broad]]) == 0]
    np.bitwise_or.at(out, post[keep], entry[keep])
    return out


def clash(request: np.ndarray, offer: np.ndarray) -> np.ndarray:
    """Per pair of masks: both name groups and they share none."""
    return (request != 0) & (offer != 0) & ((request & offer) == 0)


# Year groups and key stages written in a title, even inside a longer taxonomy phrase
# ("KS2 writing mod", "Y2 writing moderation afternoon" are one writing concept each).
# Read in case-folded text; the look-ahead on first letters lets the scan skip the rest.
_YEARS = re.compile(
    r"(?=[ykliju])\b(?:(?:y|yr|year)\s?([1-6])"
    r"(?:\s*(?:-|/|\u2013|&|and|to)\s*(?:y|yr|year)?\s?([1-6]))?\b"
    r"|(ks1|key stage 1|infants?|lks2|lower ks2|uks2|upper ks2|ks2|key stage 2|juniors?)\b)")
_STAGE_OF_YEAR = {1: "key-stage-1", 2: "key-stage-1", 3: "lower-key-stage-2",
                  4: "lower-key-stage-2", 5: "upper-key-stage-2", 6: "upper-key-stage-2"}
_STAGE_OF_WORD = {"ks1": "key-stage-1", "key stage 1": "key-stage-1", "infant": "key-stage-1",
                  "infants": "key-stage-1", "lks2": "lower-key-stage-2",
                  "lower ks2": "lower-key-stage-2", "uks2": "upper-key-stage-2",
                  "upper ks2": "upper-key-stage-2", "ks2": "key-stage-2",
                  "key stage 2": "key-stage-2", "junior": "key-stage-2",
                  "juniors": "key-stage-2"}


def title_stages(titles: Sequence[str], bits: dict[str, int]) -> np.ndarray:
    """Per title, the key stages (``bits``: stage_bits) its year groups and key-stage words
    name, ranges included ("Y3-6"); 0 when it names none, or every one."""
    out = np.zeros(len(titles), dtype=np.int64)
    # One scan of all the titles joined (a national run has 250k), each match mapped back
    # to its title by where the titles end; "\0" is neither a word nor a space, so no
    # match runs from one title into the next.
    folded = list(map(str.casefold, titles))
    ends = np.cumsum(np.fromiter(map(len, folded), dtype=np.int64, count=len(folded)) + 1)
    found = [(m.start(), m.groups()) for m in _YEARS.finditer("\0".join(folded))]
    if not found:
        return out
    which = np.searchsorted(ends, [at for at, _ in found], side="right")
    post, entry = [], []
    for i, (_, (first, last, word)) in zip(which.tolist(), found, strict=True):
        mask = 0
        if word:
            mask = bits.get(_STAGE_OF_WORD[word], 0)
        else:
            lo, hi = sorted((int(first), int(last or first)))
            for year in range(lo, hi + 1):
                mask |= bits.get(_STAGE_OF_YEAR[year], 0)
        post.append(i)
        entry.append(mask)
    # A broad word ("juniors") only where nothing narrower is named, as for concepts.
    out = _groups(len(titles), np.array(post, dtype=np.int64), np.array(entry, dtype=np.int64))
    every = _every_group(bits)
    out[(out & every) == every] = 0
    return out


def with_title_stages(named: np.ndarray, titled: np.ndarray, bits: dict[str, int]) -> np.ndarray:
    """Per post, the stages its concepts name (``named``, facet_masks) and its title writes
    (``titled``, title_stages) together; 0 when that is every one. As within the concepts,
    a broad title ("KS2 writing moderation") does not widen a post that names a narrower
    stage it covers ("for your Y6 team")."""
    broad = (titled & (titled - 1)) != 0
    both = np.where(broad & ((named & titled) != 0), named, named | titled)
    every = _every_group(bits)
    return np.where((both & every) == every, 0, both)


def _every_group(bits: dict[str, int]) -> int:
    """The mask naming every group (0 if there are none), the early years' assessments
    aside: a post naming every key stage counts as naming none ("anything goes"), with or
    without them."""
    every = 0
    for mask in bits.values():
        every |= mask
    return every & ~headline_only(bits)
