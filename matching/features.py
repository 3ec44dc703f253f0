"""Turning posts into vectors: a taxonomy concept block and a discriminative term block.

Each post (a mapping with "title", optional "description" and "tags") is read for the taxonomy
concepts it names (as a tag, or as a phrase in its title or description) and for the words the
taxonomy did not account for. The score of a request-offer pair is::

    concept_weight * concept score + (1 - concept_weight) * term cosine

(a post lacking one block puts all its weight on the other). The concept score credits a concept
named by both posts in full, and a concept one post names directly while the other names a
narrower concept below it at ``ancestor_weight`` per level ("PSHE" meets "relationships and sex
education"), with IDF weights. Two posts that merely share a category (autism, dyslexia) get no
concept credit: that is not a fit, and it would make nearly every pair in a category a candidate.
The term block is a sublinear TF-IDF over the leftover words, without stop words and very common
terms, so the sparse product of requests and offers stays sparse at national scale.

The concept credit is symmetric but computed as one sparse product of two layouts: requests
(queries) are rows ``[direct | ancestors-only | terms]`` and offers (documents) ``[direct +
ancestors | direct | terms]``, so that ``query . document = direct.expanded + ancestors.direct``
(plus terms). Rows have unit length, so the score is a cosine in [0, 1]. Optionally
(``pivot_slope`` < 1) documents get pivoted length normalisation, which penalises an offer that
covers several topics less than cosine does; on the team's set it made no difference to the
ranking, and at national scale it turns long offers into hubs that top thousands of lists, so
it is off by default.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.utils.validation import check_is_fitted

from matching.taxonomy import Taxonomy, _raw_tokens, expand_are, fold

__all__ = ["STOP_WORDS", "AnalysedPosts", "PostText", "PostVectorizer", "analyse_batch",
           "analyse_post", "phrase_words"]

# Words every post uses ("we can offer support to schools") carry no topic. The English list
# is scikit-learn's; the rest is the vocabulary of asking and offering itself.
_GENERIC = (
    "school", "schools", "primary", "help", "helping", "support", "supporting", "need", "needs",
    "needed", "offer", "offering", "offered", "request", "looking", "happy", "share", "sharing",
    "would", "like", "love", "want", "wanting", "keen", "anyone", "someone", "could", "can",
    "able", "come", "visit", "visiting", "us", "staff", "colleague", "colleagues", "team",
    "teacher", "teachers", "teaching", "idea", "ideas", "advice", "experience", "experienced",
    "work", "working", "time", "week", "day", "days", "term", "year", "years", "please", "thank",
    "thanks", "get", "getting", "make", "making", "go", "going", "good", "great", "really",
    "also", "just", "one", "two", "child", "children", "pupil", "pupils", "use", "using", "used",
    "way", "ways", "lot", "lots", "thing", "things", "usually", "actually", "probably", "maybe",
    "currently", "recently", "basically", "literally", "honestly", "bit", "sit", "sitting",
)
STOP_WORDS = frozenset(fold(w) for w in (*ENGLISH_STOP_WORDS, *_GENERIC))


@dataclass(slots=True)
class PostText:
    """What the taxonomy found in one post, before weighting.

    concepts: id -> weight of its strongest source (tag or title 1, description lower);
    terms: leftover words (title words repeated); mentions: times named, if more than once.
    """

    concepts: dict[str, float] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)
    mentions: dict[str, int] = field(default_factory=dict)


# Folded lower-case form and "is it a topic word" per raw token: posts reuse a small
# vocabulary, so this saves most of the per-token work at national scale.
_TOKEN_CACHE: dict[str, tuple[str, bool]] = {}
_TOKEN_CACHE_MAX = 2_000_000


def _token_info(raw: str) -> tuple[str, bool]:
    info = _TOKEN_CACHE.get(raw)
    if info is None:
        low = fold(raw.lower())
        # Bare numbers ("3 teachers", "2024") say nothing about the topic; "y5" stays.
        keep = not (low in STOP_WORDS or low.isdigit() or len(low) < 2)
        info = (low, keep)
        if len(_TOKEN_CACHE) >= _TOKEN_CACHE_MAX:
            _TOKEN_CACHE.clear()
        _TOKEN_CACHE[raw] = info
    return info


def surface_form(text: str, term: str) -> str | None:
    """How `text` writes a folded term (e.g. "Maths Hub" for "math"), if it does."""
    for raw in _raw_tokens(text):
        if _token_info(raw)[0] == term:
            return raw
    return None


def phrase_words(text: str, taxonomy: Taxonomy) -> set[str]:
    """The folded words of `text` that lie inside phrases naming a concept."""
    raw = _raw_tokens(text)
    if not raw:
        return set()
    low = [_token_info(t)[0] for t in raw]
    return {w for _cid, start, end in taxonomy._scan(raw, low) for w in low[start:end]}


def analyse_post(
    post: Mapping[str, Any],
    taxonomy: Taxonomy,
    *,
    description_weight: float = 0.5,
    title_repeat: int = 2,
    residual_text: bool = True,
    title_phrase_repeat: int = 1,
    context_categories: Sequence[str] = ("key-stages",),
) -> PostText:
    """Concepts (id -> source weight) and leftover terms of one post.

    With ``residual_text``, words that name a concept are left to the concept, except that a
    title's such words also count ``title_phrase_repeat`` times as words, unless the concept
    is context (a year group or key stage, in ``context_categories``): two titles naming a
    topic with the same words ("whole class reading") say more than a shared concept.
    """
    concepts: dict[str, float] = {}
    terms: list[str] = []
    mentions: dict[str, int] = {}

    def scan(text: str, weight: float, repeat: int, phrase_repeat: int = 0) -> None:
        raw = _raw_tokens(text)
        if not raw:
            return
        cache = _TOKEN_CACHE
        info = [cache.get(t) or _token_info(t) for t in raw]
        low = [i[0] for i in info]
        keep = [i[1] for i in info]
        topical = list(keep)
        for cid, start, end in taxonomy._scan(raw, low):
            mentions[cid] = mentions.get(cid, 0) + 1
            if weight > concepts.get(cid, 0.0):
                concepts[cid] = weight
            if residual_text:
                keep[start:end] = [False] * (end - start)
                if taxonomy.category(cid) in context_categories:
                    topical[start:end] = [False] * (end - start)
        words = [t for t, k in zip(low, keep, strict=True) if k]
        terms.extend(words * repeat)
        if phrase_repeat and residual_text:
            named = [t for t, k, w in zip(low, keep, topical, strict=True) if w and not k]
            terms.extend(named * phrase_repeat)

    for tag in post.get("tags") or ():
        cid = taxonomy.concept_for_tag(tag)
        if cid is not None:
            concepts[cid] = 1.0
            mentions[cid] = mentions.get(cid, 0) + 1
        else:
            # A free tag is short free text: it may still name a concept inside it.
            scan(tag, 1.0, 1)
    scan(post.get("title") or "", 1.0, title_repeat, max(int(title_phrase_repeat), 0))
    scan(post.get("description") or "", description_weight, 1)
    # Most concepts are named once; keeping only repeats saves memory on large runs.
    return PostText(concepts, terms, {c: n for c, n in mentions.items() if n > 1})


# Batch reading -------------------------------------------------------------------------------
#
# analyse_post() reads one text at a time, which costs a few microseconds of Python per token
# at national scale. analyse_batch() reads the same texts with the same rules in blocks: one
# regular-expression pass over a block's joined texts, one dictionary look-up per token (in C,
# through map), and the phrase search as a walk down a trie of the taxonomy's phrases over
# integer token arrays. Its output is identical to analyse_post()'s, and it also keeps flat
# arrays (concepts and term ids per post) that let PostVectorizer skip per-post Python loops.

_SEP = "\ue000"  # joins a block's texts; a text containing it is read one by one instead
_PUNCT_OR_SEP = re.compile(r"[^\w\s\ue000]+", re.UNICODE)
_BLOCK = 16_384
_REGISTRY_MAX = 2_000_000


class _Trie:
    """Phrases (tuples of token ids) as a trie walked over whole token arrays at once."""

    def __init__(self, phrases: Mapping[tuple[int, ...], int], n_tokens: int) -> None:
        first = np.full(max(n_tokens, 1), -1, dtype=np.int64)
        children: dict[int, int] = {}
        terminal = [-1]
        n_nodes = 0
        for key, value in phrases.items():
            node = int(first[key[0]])
            if node < 0:
                node = first[key[0]] = n_nodes
                n_nodes += 1
                terminal.append(-1)
            for tok in key[1:]:
                edge = (node << 32) | tok
                nxt = children.get(edge)
                if nxt is None:
                    nxt = children[edge] = n_nodes
                    n_nodes += 1
                    terminal.append(-1)
                node = nxt
            terminal[node] = value
        self.first = first
        keys = np.array(sorted(children), dtype=np.int64)
        self.child_keys = keys
        self.child_nodes = np.array([children[k] for k in keys.tolist()], dtype=np.int64)
        self.terminal = np.array(terminal[:n_nodes] if n_nodes else [-1], dtype=np.int64)

    def longest(self, tok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(length, value) of the longest phrase starting at each position (0, -1 if none)."""
        n = len(tok)
        length = np.zeros(n, dtype=np.int64)
        value = np.full(n, -1, dtype=np.int64)
        inside = tok < len(self.first)
        node = np.where(inside, self.first[np.where(inside, tok, 0)], -1)
        pos = np.flatnonzero(node >= 0)
        node = node[pos]
        size = 1
        keys = self.child_keys
        while len(pos):
            term = self.terminal[node]
            hit = term >= 0
            length[pos[hit]] = size
            value[pos[hit]] = term[hit]
            nxt = pos + size
            ok = nxt < n
            pos, node, nxt = pos[ok], node[ok], nxt[ok]
            if not len(keys) or not len(pos):
                break
            key = (node << 32) | tok[nxt]
            j = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            found = keys[j] == key
            pos, node = pos[found], self.child_nodes[j[found]]
            size += 1
        return length, value


class _Registry:
    """Token ids for one taxonomy: raw tokens, their folded forms, and the phrase tries."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.raw_index: dict[str, int] = {}
        self.low_index: dict[str, int] = {}
        self.low_strings: list[str] = []
        self._raw_low: list[int] = []
        self._raw_keep: list[bool] = []
        self._raw_drop: list[bool] = []
        self.raw_low = np.zeros(0, dtype=np.int64)
        self.raw_keep = np.zeros(0, dtype=bool)
        self.raw_drop = np.zeros(0, dtype=bool)
        self.concept_ids = taxonomy.ids
        code = {cid: i for i, cid in enumerate(self.concept_ids)}
        phrases = {tuple(self.low(t) for t in key): code[cid]
                   for key, cid in taxonomy._phrases.items()}
        abbrs = {tuple(self.raw(t) for t in key): code[cid]
                 for key, cid in taxonomy._abbreviations.items()}
        self.sep = self.raw(_SEP)
        self.phrases = _Trie(phrases, len(self.low_strings))
        self.abbreviations = _Trie(abbrs, len(self.raw_index))
        self._arrays()

    def low(self, word: str) -> int:
        lid = self.low_index.get(word)
        if lid is None:
            lid = self.low_index[word] = len(self.low_strings)
            self.low_strings.append(word)
        return lid

    def raw(self, token: str) -> int:
        rid = self.raw_index.get(token)
        if rid is None:
            rid = self.raw_index[token] = len(self._raw_low)
            low, keep = _token_info(token)
            if token == _SEP:
                low, keep = _SEP, False
            self._raw_low.append(self.low(low))
            self._raw_keep.append(keep)
            self._raw_drop.append(token in ("s", "S"))
        return rid

    def _arrays(self) -> None:
        # Only the tokens registered since the last call are converted: a national run
        # registers new tokens in nearly every block, and the lists grow to 100k entries.
        done = len(self.raw_low)
        self.raw_low = np.concatenate([self.raw_low, np.array(self._raw_low[done:], np.int64)])
        self.raw_keep = np.concatenate([self.raw_keep, np.array(self._raw_keep[done:], bool)])
        self.raw_drop = np.concatenate([self.raw_drop, np.array(self._raw_drop[done:], bool)])

    def ids(self, tokens: list[str]) -> np.ndarray:
        """Raw token ids, registering new tokens (in sorted order)."""
        index = self.raw_index
        # One look-up per token; only the few misses are collected (a set of every token
        # would hash each of them a second time).
        out = np.fromiter(map(index.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
        missing = np.flatnonzero(out < 0).tolist()
        if missing:
            misses = [tokens[i] for i in missing]
            for token in sorted(set(misses)):
                self.raw(token)
            self._arrays()
            out[missing] = np.fromiter(map(index.__getitem__, misses), dtype=np.int64,
                                       count=len(misses))
        return out

    @property
    def size(self) -> int:
        return len(self.raw_index) + len(self.low_strings)


_REGISTRIES: weakref.WeakKeyDictionary[Taxonomy, _Registry] = weakref.WeakKeyDictionary()


def _registry(taxonomy: Taxonomy) -> _Registry:
    reg = _REGISTRIES.get(taxonomy)
    if reg is None or reg.size > _REGISTRY_MAX:
        reg = _REGISTRIES[taxonomy] = _Registry(taxonomy)
    return reg


@dataclass
class _Field:
    """One field (titles or descriptions) read in batch: per text, concept and term runs."""

    concept_ptr: np.ndarray  # text -> range in concept
    concept: np.ndarray  # concept codes in order of mention
    term_ptr: np.ndarray  # text -> range in term
    term: np.ndarray  # kept token ids (registry low ids)
    named_ptr: np.ndarray  # text -> range in named
    named: np.ndarray  # topic words inside the concepts' phrases (registry low ids)


# Per code point: seen yet, and whether _PUNCT_OR_SEP matches it (or it is "_").
_CHAR_KNOWN = np.zeros(0x110000, dtype=bool)
_CHAR_BLANK = np.zeros(0x110000, dtype=bool)


def _ascii_blank_table() -> bytes:
    table = bytearray(range(256))
    for c in range(128):
        if c == 0x5F or _PUNCT_OR_SEP.fullmatch(chr(c)) is not None:
            table[c] = 0x20
    return bytes(table)


_ASCII_BLANK = _ascii_blank_table()


def _blank_punctuation(text: str) -> str:
    """``_PUNCT_OR_SEP.sub(" ", text).replace("_", " ")`` up to runs of spaces (the same
    words for str.split()), one array pass instead of a regular-expression scan.

    Each character is classified once, by the pattern itself, so the two cannot disagree.
    """
    if not text:
        return text
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) == len(text) + 2 * text.count(_SEP):
        # ASCII apart from separators (3 bytes each, left alone like every byte >= 0x80):
        # one byte-table pass, with the same classification as below.
        return raw.translate(_ASCII_BLANK).decode("utf-8", "surrogatepass")
    code = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    new = np.unique(code[~_CHAR_KNOWN[code]])
    for c in new.tolist():
        _CHAR_BLANK[c] = c == 0x5F or _PUNCT_OR_SEP.fullmatch(chr(c)) is not None
        _CHAR_KNOWN[c] = True
    code[_CHAR_BLANK[code]] = 0x20
    return code.tobytes().decode("utf-32-le", "surrogatepass")


def _read_field(texts: list[str], reg: _Registry, residual_text: bool,
                named: np.ndarray | None = None) -> _Field | None:
    """Concepts and kept words per text; with ``named`` (per concept code: its phrases' words
    count as words), also the topic words those concepts' phrases covered."""
    n = len(texts)
    cptr = [np.zeros(1, dtype=np.int64)]
    tptr = [np.zeros(1, dtype=np.int64)]
    nptr = [np.zeros(1, dtype=np.int64)]
    concepts, terms, names = [], [], []
    c_done = t_done = n_done = 0
    for lo in range(0, n, _BLOCK):
        m = min(_BLOCK, n - lo)
        block = _SEP.join(texts[lo : lo + _BLOCK])
        if block.count(_SEP) != m - 1:
            return None
        block = expand_are(block.replace("&", " and "))
        block = _blank_punctuation(block).replace(_SEP, " " + _SEP + " ")
        rid = reg.ids(block.split())
        del block
        rid = rid[~reg.raw_drop[rid]]
        is_sep = rid == reg.sep
        text_of = np.cumsum(is_sep)  # text within the block of each token
        lid = reg.raw_low[rid]
        plen, pval = reg.phrases.longest(lid)
        alen, aval = reg.abbreviations.longest(rid)
        use_abbr = alen > plen
        length = np.where(use_abbr, alen, plen)
        value = np.where(use_abbr, aval, pval)
        starts = np.flatnonzero(length > 0)
        # Longest match first, left to right: a phrase inside an accepted one is skipped.
        accepted = []
        end = -1
        for p, size in zip(starts.tolist(), length[starts].tolist(), strict=True):
            if p >= end:
                accepted.append(p)
                end = p + size
        acc = np.asarray(accepted, dtype=np.int64)
        keep = reg.raw_keep[rid]
        named_words = np.zeros(len(rid), dtype=bool)
        if residual_text and len(acc):
            cover = np.zeros(len(rid) + 1, dtype=np.int64)
            np.add.at(cover, acc, 1)
            np.add.at(cover, acc + length[acc], -1)
            if named is not None:
                by = acc[named[value[acc]]]
                words = np.zeros(len(rid) + 1, dtype=np.int64)
                np.add.at(words, by, 1)
                np.add.at(words, by + length[by], -1)
                named_words = keep & (np.cumsum(words[:-1]) > 0)
            keep &= np.cumsum(cover[:-1]) == 0
        if named is not None:
            hit = np.flatnonzero(named_words)
            names.append(lid[hit])
            nptr.append(n_done + np.cumsum(np.bincount(text_of[hit], minlength=m))[:m])
            n_done += len(hit)
        c_text = text_of[acc]
        concepts.append(value[acc])
        cptr.append(c_done + np.cumsum(np.bincount(c_text, minlength=m))[:m])
        c_done += len(acc)
        kept = np.flatnonzero(keep)
        terms.append(lid[kept])
        tptr.append(t_done + np.cumsum(np.bincount(text_of[kept], minlength=m))[:m])
        t_done += len(kept)
    empty = np.zeros(0, dtype=np.int64)
    return _Field(np.concatenate(cptr), np.concatenate(concepts) if concepts else empty,
                  np.concatenate(tptr), np.concatenate(terms) if terms else empty,
                  np.concatenate(nptr) if named is not None else np.zeros(n + 1, dtype=np.int64),
                  np.concatenate(names) if names else empty)


def _fields(posts: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str],
                                                         list[Sequence[str]]]:
    posts = posts if isinstance(posts, Sequence) else list(posts)
    return ([p.get("title") or "" for p in posts], [p.get("description") or "" for p in posts],
            [p.get("tags") or () for p in posts])


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenated aranges [starts[i], starts[i] + lengths[i]) (a gather index)."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shift


class AnalysedPosts(Sequence[PostText]):
    """analyse() output: a sequence of PostText, built on access from flat arrays.

    Per post (CSR-style ``*_ptr`` ranges): its concepts in order of first mention (taxonomy
    codes, source weight, times named; a weight of 0 marks a concept named but not counted)
    and its terms as registry ids, in PostText.terms order. PostVectorizer reads the arrays
    directly, without a Python loop over posts.
    """

    def __init__(self, registry: _Registry, concept_ptr: np.ndarray, concept_code: np.ndarray,
                 concept_weight: np.ndarray, concept_count: np.ndarray, term_ptr: np.ndarray,
                 term_id: np.ndarray) -> None:
        self.registry = registry
        self.concept_ptr = concept_ptr
        self.concept_code = concept_code
        self.concept_weight = concept_weight
        self.concept_count = concept_count
        self.term_ptr = term_ptr
        self.term_id = term_id

    def __len__(self) -> int:
        return len(self.concept_ptr) - 1

    def _post(self, i: int) -> PostText:
        ids, strings = self.registry.concept_ids, self.registry.low_strings
        a, b = int(self.concept_ptr[i]), int(self.concept_ptr[i + 1])
        codes = self.concept_code[a:b].tolist()
        weights = self.concept_weight[a:b].tolist()
        counts = self.concept_count[a:b].tolist()
        concepts = {ids[c]: w for c, w in zip(codes, weights, strict=True) if w > 0}
        mentions = {ids[c]: n for c, n in zip(codes, counts, strict=True) if n > 1}
        a, b = int(self.term_ptr[i]), int(self.term_ptr[i + 1])
        return PostText(concepts, [strings[t] for t in self.term_id[a:b].tolist()], mentions)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self._post(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        j = int(i)
        if j < 0:
            j += n
        if not 0 <= j < n:
            raise IndexError("post index out of range")
        return self._post(j)

    @classmethod
    def concat(cls, parts: Sequence[Sequence[PostText]]) -> Sequence[PostText]:
        """The posts of several analyse() outputs, keeping the flat arrays when possible."""
        if (not parts or not all(isinstance(p, AnalysedPosts) for p in parts)
                or any(p.registry is not parts[0].registry for p in parts)):
            return [post for part in parts for post in part]
        ptrs = {}
        for name in ("concept_ptr", "term_ptr"):
            pieces, off = [np.zeros(1, dtype=np.int64)], 0
            for p in parts:
                ptr = getattr(p, name)
                pieces.append(ptr[1:] + off)
                off += int(ptr[-1])
            ptrs[name] = np.concatenate(pieces)
        flat = {name: np.concatenate([getattr(p, name) for p in parts])
                for name in ("concept_code", "concept_weight", "concept_count", "term_id")}
        return cls(parts[0].registry, ptrs["concept_ptr"], flat["concept_code"],
                   flat["concept_weight"], flat["concept_count"], ptrs["term_ptr"],
                   flat["term_id"])


def analyse_batch(
    posts: Sequence[Mapping[str, Any]] | None,
    taxonomy: Taxonomy,
    *,
    description_weight: float = 0.5,
    title_repeat: int = 2,
    residual_text: bool = True,
    title_phrase_repeat: int = 1,
    context_categories: Sequence[str] = ("key-stages",),
    titles: list[str] | None = None,
    descriptions: list[str] | None = None,
    tags: list[Sequence[str]] | None = None,
) -> Sequence[PostText]:
    """[analyse_post(p, ...) for p in posts], read in batch (an AnalysedPosts when possible).

    Instead of posts, the fields can be given as lists (titles, descriptions, tags).
    """
    if posts is not None:
        titles, descriptions, tags = _fields(posts)
    if titles is None or descriptions is None or tags is None:
        raise ValueError("give posts, or titles, descriptions and tags")
    reg = _registry(taxonomy)
    flat_tags = list(chain.from_iterable(tags))
    phrase_repeat = max(int(title_phrase_repeat), 0) if residual_text else 0
    read = None
    if not any(_SEP in t for t in flat_tags):
        named = None
        if phrase_repeat:
            # Per concept code: whether its phrases' words count as words (not context).
            named = np.array([taxonomy.category(cid) not in context_categories
                              for cid in reg.concept_ids], dtype=bool)
        read = [_read_field(titles, reg, residual_text, named=named),
                _read_field(descriptions, reg, residual_text)]
    if read is None or read[0] is None or read[1] is None:
        return [
            analyse_post({"title": t, "description": d, "tags": g}, taxonomy,
                         description_weight=description_weight, title_repeat=title_repeat,
                         residual_text=residual_text, title_phrase_repeat=title_phrase_repeat,
                         context_categories=context_categories)
            for t, d, g in zip(titles, descriptions, tags, strict=True)
        ]
    title, desc = read
    n = len(titles)
    code = {cid: i for i, cid in enumerate(reg.concept_ids)}

    # Tags: a whole tag names a concept, or is short free text read like a title. Each
    # distinct tag is read once.
    unique = list(dict.fromkeys(flat_tags))
    u_concepts: list[int] = []
    u_terms: list[int] = []
    u_nc, u_nt = [], []
    for tag in unique:
        cid = taxonomy.concept_for_tag(tag)
        if cid is not None:
            found, words = [code[cid]], []
        else:
            raw = _raw_tokens(tag)
            low = [_token_info(t)[0] for t in raw]
            found = [code[c] for c, _s, _e in taxonomy._scan(raw, low)]
            words = [reg.low(w) for w in analyse_post(
                {"title": tag}, taxonomy, title_repeat=1, residual_text=residual_text,
                title_phrase_repeat=0).terms]
        u_concepts.extend(found)
        u_terms.extend(words)
        u_nc.append(len(found))
        u_nt.append(len(words))
    position = {tag: j for j, tag in enumerate(unique)}
    tag_of = np.fromiter(map(position.__getitem__, flat_tags), dtype=np.int64,
                         count=len(flat_tags))
    tag_post = np.repeat(np.arange(n), np.fromiter(map(len, tags), dtype=np.int64, count=n))
    u_nc_a = np.asarray(u_nc, dtype=np.int64)
    u_nt_a = np.asarray(u_nt, dtype=np.int64)
    gather = _ranges((np.cumsum(u_nc_a) - u_nc_a)[tag_of], u_nc_a[tag_of])
    g_concept = np.asarray(u_concepts, dtype=np.int64)[gather]
    g_post = np.repeat(tag_post, u_nc_a[tag_of])
    gather = _ranges((np.cumsum(u_nt_a) - u_nt_a)[tag_of], u_nt_a[tag_of])
    g_term = np.asarray(u_terms, dtype=np.int64)[gather]
    g_term_post = np.repeat(tag_post, u_nt_a[tag_of])

    # Concepts: every mention in order (tags, title, description) with its source weight; a
    # post keeps each concept once, at its first mention, with its strongest positive weight.
    t_post = np.repeat(np.arange(n), np.diff(title.concept_ptr))
    d_post = np.repeat(np.arange(n), np.diff(desc.concept_ptr))
    post = np.concatenate([g_post, t_post, d_post])
    concept = np.concatenate([g_concept, title.concept, desc.concept])
    weight = np.concatenate([np.ones(len(g_post) + len(t_post)),
                             np.full(len(d_post), float(description_weight))])
    order = np.argsort(post, kind="stable")
    post, concept, weight = post[order], concept[order], weight[order]
    n_codes = max(len(reg.concept_ids), 1)
    keys, first, inverse, counts = np.unique(post * n_codes + concept, return_index=True,
                                             return_inverse=True, return_counts=True)
    best = np.zeros(len(keys))
    np.maximum.at(best, inverse.ravel(), weight)
    groups = np.argsort(first, kind="stable")  # by post, then first mention
    g_keys = keys[groups]
    concept_ptr = np.concatenate([[0], np.cumsum(np.bincount(g_keys // n_codes, minlength=n))])

    # Terms per post: tag words, title words (title_repeat times), the title's words that
    # named concepts (title_phrase_repeat times), description words.
    t_rows = np.repeat(np.arange(n), np.diff(title.term_ptr))
    n_rows = np.repeat(np.arange(n), np.diff(title.named_ptr))
    d_rows = np.repeat(np.arange(n), np.diff(desc.term_ptr))
    repeat = max(int(title_repeat), 0)
    rows = np.concatenate([g_term_post, np.tile(t_rows, repeat),
                           np.tile(n_rows, phrase_repeat), d_rows])
    term = np.concatenate([g_term, np.tile(title.term, repeat),
                           np.tile(title.named, phrase_repeat), desc.term])
    order = np.argsort(rows, kind="stable")
    term_ptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])
    return AnalysedPosts(reg, concept_ptr.astype(np.int64), g_keys % n_codes, best[groups],
                         counts[groups].astype(np.int64), term_ptr.astype(np.int64),
                         term[order])


def _l2_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


class PostVectorizer(TransformerMixin, BaseEstimator):
    """Posts -> sparse rows; ``transform_queries(R) @ transform(O).T`` are the scores.

    ``transform`` gives the document (offer) layout, ``transform_queries`` the query (request)
    layout (see the module docstring). Scores are in [0, 1] for ``pivot_slope=1``; below 1 a
    long offer can score slightly above 1, and the matcher caps scores at 1.

    Parameters
    ----------
    taxonomy : Taxonomy or None
        Concepts to recognise (None: the shipped taxonomy).
    concept_weight : float
        Share of the score given to concept overlap when both posts name concepts.
    ancestor_weight : float
        A concept counts this much (per level) towards its parent, grandparent, ...
    description_weight : float
        Weight of a concept found only in the description (tags and title count 1).
    title_repeat : int
        How many times title words count in the term block (titles are the densest signal).
    max_df : float
        Terms in more than this share of posts are dropped (they would make the product dense).
    residual_text : bool
        Leave words that named a concept out of the term block (they are counted as concepts).
    title_phrase_repeat : int
        With ``residual_text``, a title's words that named a concept still count this many
        times in the term block: two posts naming a concept with the same words ("whole class
        reading") say more than two that only share the concept.
    context_categories : tuple of str
        Categories that describe context rather than expertise (year groups, key stages) ...
    context_weight : float
        ... and the weight their concepts get.
    concept_tf : bool
        Weigh a concept by 1 + log(times it is named) in the post.
    pivot_slope : float
        Document length normalisation: 1 is plain cosine; below 1 long offers are penalised
        less (pivoted normalisation; scores are then capped at 1).
    dtype : numpy dtype
        Float type of the output rows.
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        *,
        concept_weight: float = 0.6,
        ancestor_weight: float = 0.5,
        description_weight: float = 0.5,
        title_repeat: int = 2,
        max_df: float = 0.2,
        residual_text: bool = True,
        title_phrase_repeat: int = 1,
        context_categories: tuple[str, ...] = ("key-stages",),
        context_weight: float = 0.0,
        concept_tf: bool = True,
        pivot_slope: float = 1.0,
        dtype: Any = np.float32,
    ) -> None:
        self.taxonomy = taxonomy
        self.concept_weight = concept_weight
        self.ancestor_weight = ancestor_weight
        self.description_weight = description_weight
        self.title_repeat = title_repeat
        self.max_df = max_df
        self.residual_text = residual_text
        self.title_phrase_repeat = title_phrase_repeat
        self.context_categories = context_categories
        self.context_weight = context_weight
        self.concept_tf = concept_tf
        self.pivot_slope = pivot_slope
        self.dtype = dtype

    # Fitting ----------------------------------------------------------------------------

    def _taxonomy(self) -> Taxonomy:
        return self.taxonomy if self.taxonomy is not None else Taxonomy.load()

    def analyse(self, posts: Iterable[Mapping[str, Any]]) -> list[PostText]:
        """The taxonomy's reading of each post (concepts and leftover terms)."""
        return self.analyse_fields(*_fields(posts))

    def analyse_fields(self, titles: list[str], descriptions: list[str],
                       tags: list[Sequence[str]]) -> Sequence[PostText]:
        """analyse() for posts given as parallel lists of titles, descriptions and tags."""
        taxonomy = getattr(self, "taxonomy_", None) or self._taxonomy()
        return analyse_batch(
            None,
            taxonomy,
            description_weight=self.description_weight,
            title_repeat=self.title_repeat,
            residual_text=self.residual_text,
            title_phrase_repeat=self.title_phrase_repeat,
            context_categories=self.context_categories,
            titles=titles,
            descriptions=descriptions,
            tags=tags,
        )

    def fit(self, posts: Sequence[Mapping[str, Any]], y: Any = None) -> PostVectorizer:
        """Learn concept and term IDF from the posts (offers and requests together)."""
        self.taxonomy_ = self._taxonomy()
        return self.fit_analysed(self.analyse(posts))

    def fit_transform(
        self, posts: Sequence[Mapping[str, Any]], y: Any = None, **fit_params: Any
    ) -> sp.csr_matrix:
        """Fit on the posts and return their document rows."""
        self.taxonomy_ = self._taxonomy()
        analysed = self.analyse(posts)
        return self.fit_analysed(analysed).transform_analysed(analysed)

    def fit_analysed(self, analysed: Sequence[PostText]) -> PostVectorizer:
        """Fit from analyse() output (saves analysing the same posts twice)."""
        for name in ("concept_weight", "ancestor_weight", "context_weight"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if not hasattr(self, "taxonomy_"):
            self.taxonomy_ = self._taxonomy()
        tax = self.taxonomy_
        n = len(analysed)
        self.concepts_ = tax.ids
        self.concept_index_ = {cid: i for i, cid in enumerate(self.concepts_)}
        self.n_concepts_ = len(self.concepts_)
        context = set(self.context_categories)
        self.concept_scale_ = np.array(
            [self.context_weight if tax.category(c) in context else 1.0 for c in self.concepts_]
        )
        depth = max((len(tax.ancestors(c)) for c in self.concepts_), default=0)
        table = np.full((self.n_concepts_, max(depth, 1)), -1, dtype=np.int64)
        for i, cid in enumerate(self.concepts_):
            for level, up in enumerate(tax.ancestors(cid)):
                table[i, level] = self.concept_index_[up]
        self.ancestor_table_ = table
        direct, above = self._expanded(analysed)
        concept_df = np.bincount(direct.indices, minlength=self.n_concepts_) + np.bincount(
            above.indices, minlength=self.n_concepts_)
        self.concept_idf_ = np.log((1 + n) / (1 + concept_df)) + 1.0

        # Terms: one pass assigns provisional ids, then document frequencies decide the kept
        # vocabulary. A term shared by only a couple of posts is always kept: on a small
        # partnership a share-based cut-off would otherwise drop real topics.
        if self._flat(analysed):
            # Registry ids stand in for the provisional ids (only their names matter below).
            # Registry ids are small non-negative integers: a count table gives the sorted
            # distinct ids and each entry's position among them without sorting.
            present = np.bincount(analysed.term_id) > 0
            used = np.flatnonzero(present)
            position = np.cumsum(present) - 1
            names = np.array(analysed.registry.low_strings, dtype=object)[used]
            cols, indptr = position[analysed.term_id], analysed.term_ptr
        else:
            vocab: dict[str, int] = {}
            cols_list: list[int] = []
            indptr_list = [0]
            for a in analysed:
                cols_list.extend([vocab.setdefault(t, len(vocab)) for t in a.terms])
                indptr_list.append(len(cols_list))
            names = np.array(list(vocab), dtype=object)
            cols, indptr = np.asarray(cols_list, dtype=np.int64), np.asarray(indptr_list)
        counts = sp.csr_matrix(
            (np.ones(len(cols)), cols, indptr),
            shape=(n, len(names)),
        )
        counts.sum_duplicates()
        df = np.bincount(counts.indices, minlength=len(names))
        limit = max(self.max_df * n, 2)
        kept_ids = np.flatnonzero(df <= limit)
        order = np.argsort(names[kept_ids].astype(str), kind="stable")
        kept_ids = kept_ids[order]
        self.terms_ = names[kept_ids].tolist()
        self.term_index_ = {t: i for i, t in enumerate(self.terms_)}
        self.term_idf_ = np.log((1 + n) / (1 + df[kept_ids].astype(float))) + 1.0
        self.stop_terms_ = frozenset(names[df > limit].tolist())
        self.term_offset_ = 2 * self.n_concepts_
        self.n_features_out_ = self.term_offset_ + len(self.terms_)

        # The pivot is the average length of a post's block, over posts that have the block.
        lengths = self._norms(self._idf_concepts(direct) + self._idf_concepts(above))
        self.concept_pivot_ = float(lengths[lengths > 0].mean()) if (lengths > 0).any() else 1.0
        lengths = self._norms(self._raw_terms(analysed))
        self.term_pivot_ = float(lengths[lengths > 0].mean()) if (lengths > 0).any() else 1.0
        return self

    def _expanded(self, analysed: Sequence[PostText]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(direct, ancestors-only) concept weights per post, before IDF."""
        if self._flat(analysed):
            counted = analysed.concept_weight > 0
            r = np.repeat(np.arange(len(analysed)), np.diff(analysed.concept_ptr))[counted]
            c = analysed.concept_code[counted]
            w = analysed.concept_weight[counted]
            mentions = analysed.concept_count[counted]
        else:
            rows: list[int] = []
            cols: list[int] = []
            weights: list[float] = []
            mention_list: list[int] = []
            index = self.concept_index_
            for i, a in enumerate(analysed):
                for cid, wt in a.concepts.items():
                    rows.append(i)
                    cols.append(index[cid])
                    weights.append(wt)
                    mention_list.append(a.mentions.get(cid, 1))
            r = np.asarray(rows, dtype=np.int64)
            c = np.asarray(cols, dtype=np.int64)
            w = np.asarray(weights, dtype=float)
            mentions = mention_list
        if self.concept_tf:
            # A concept named three times is the post's topic; one named once may be an aside.
            w = w * (1.0 + np.log(np.maximum(np.asarray(mentions, dtype=float), 1.0)))
        shape = (len(analysed), self.n_concepts_)
        direct = sp.csr_matrix((w, (r, c)), shape=shape)
        # Each level up counts ancestor_weight times less ("phonics scheme" is mostly about
        # phonics); a concept reached several ways keeps its strongest weight.
        up_r, up_c, up_w = [], [], []
        for level in range(self.ancestor_table_.shape[1]):
            anc = self.ancestor_table_[c, level]
            has = anc >= 0
            up_r.append(r[has])
            up_c.append(anc[has])
            up_w.append(w[has] * self.ancestor_weight ** (level + 1))
        ar, ac, aw = (np.concatenate(x) for x in (up_r, up_c, up_w))
        key = ar * self.n_concepts_ + ac
        # Drop ancestors the post also names directly (membership by binary search in the
        # sorted direct keys: cheaper than isin's sort of both arrays together).
        named = np.sort(r * self.n_concepts_ + c)
        if len(named):
            at = np.minimum(np.searchsorted(named, key), len(named) - 1)
            fresh = named[at] != key
        else:
            fresh = np.ones(len(key), dtype=bool)
        key, aw = key[fresh], aw[fresh]
        order = np.lexsort((-aw, key))
        key, aw = key[order], aw[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        key, aw = key[first], aw[first]
        above = sp.csr_matrix(
            (aw, (key // self.n_concepts_, key % self.n_concepts_)), shape=shape
        )
        return direct, above

    def _flat(self, analysed: Sequence[PostText]) -> bool:
        """Whether analysed carries flat arrays for this vectorizer's taxonomy."""
        return (isinstance(analysed, AnalysedPosts)
                and analysed.registry.taxonomy is getattr(self, "taxonomy_", None))

    def _idf_concepts(self, m: sp.csr_matrix) -> sp.csr_matrix:
        return sp.csr_matrix(m @ sp.diags(self.concept_idf_ * self.concept_scale_))

    # Transforming -----------------------------------------------------------------------

    def transform(self, posts: Sequence[Mapping[str, Any]]) -> sp.csr_matrix:
        """Document (offer) rows for posts."""
        check_is_fitted(self, "terms_")
        return self.transform_analysed(self.analyse(posts))

    def transform_queries(self, posts: Sequence[Mapping[str, Any]]) -> sp.csr_matrix:
        """Query (request) rows for posts."""
        check_is_fitted(self, "terms_")
        return self.transform_analysed(self.analyse(posts), queries=True)

    def _raw_terms(self, analysed: Sequence[PostText]) -> sp.csr_matrix:
        index = self.term_index_
        if self._flat(analysed):
            strings = analysed.registry.low_strings
            used = np.flatnonzero(np.bincount(analysed.term_id))
            column = np.full(len(strings), -1, dtype=np.int64)
            column[used] = [index.get(strings[t], -1) for t in used.tolist()]
            all_cols = column[analysed.term_id]
            known = all_cols >= 0
            cols = all_cols[known]
            indptr = np.concatenate([[0], np.cumsum(known)])[analysed.term_ptr]
        else:
            cols_list: list[int] = []
            indptr_list = [0]
            for a in analysed:
                cols_list.extend([index[t] for t in a.terms if t in index])
                indptr_list.append(len(cols_list))
            cols, indptr = np.asarray(cols_list, dtype=np.int64), np.asarray(indptr_list)
        m = sp.csr_matrix(
            (np.ones(len(cols)), cols, indptr),
            shape=(len(analysed), len(self.terms_)),
        )
        m.sum_duplicates()
        m.data = (1.0 + np.log(m.data)) * self.term_idf_[m.indices]
        return m

    def _divisors(self, norms: np.ndarray, pivot: float, queries: bool) -> sp.dia_matrix:
        # Queries get unit length. Documents get pivoted length normalisation (Singhal et al.
        # 1996): an offer that names more topics is penalised less than plain cosine would,
        # since the question is whether it covers the request, not whether it is only that.
        b = 1.0 if queries else self.pivot_slope
        div = (1.0 - b) * pivot + b * norms
        return sp.diags(np.divide(1.0, div, out=np.zeros_like(norms), where=norms > 0))

    @staticmethod
    def _norms(m: sp.csr_matrix) -> np.ndarray:
        return np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())

    def concept_matrices(
        self, analysed: Sequence[PostText], *, queries: bool = False
    ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """(direct, ancestors-only) IDF-weighted concept rows, normalised together."""
        direct, above = (self._idf_concepts(m) for m in self._expanded(analysed))
        scale = self._divisors(self._norms(direct + above), self.concept_pivot_, queries)
        return sp.csr_matrix(scale @ direct), sp.csr_matrix(scale @ above)

    def term_matrix(self, analysed: Sequence[PostText], *, queries: bool = False) -> sp.csr_matrix:
        """Sublinear TF-IDF rows over the kept terms, normalised."""
        terms = self._raw_terms(analysed)
        return sp.csr_matrix(self._divisors(self._norms(terms), self.term_pivot_, queries) @ terms)

    def transform_analysed(
        self, analysed: Sequence[PostText], *, queries: bool = False
    ) -> sp.csr_matrix:
        """Rows for analyse() output: document layout, or query layout if queries=True."""
        check_is_fitted(self, "terms_")
        direct, above = self.concept_matrices(analysed, queries=queries)
        terms = self.term_matrix(analysed, queries=queries)
        has_c = (np.diff(direct.indptr) + np.diff(above.indptr)) > 0
        has_t = np.diff(terms.indptr) > 0
        # A post with only one block puts all its weight there, so scores stay comparable.
        wc = sp.diags(np.sqrt(np.where(has_t, self.concept_weight, 1.0) * has_c))
        wt = sp.diags(np.sqrt(np.where(has_c, 1.0 - self.concept_weight, 1.0) * has_t))
        if queries:
            blocks = [wc @ direct, wc @ above, wt @ terms]
        else:
            blocks = [wc @ (direct + above), wc @ direct, wt @ terms]
        out = sp.hstack(blocks, format="csr")
        out.eliminate_zeros()
        out.sort_indices()
        return out.astype(self.dtype)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Feature names: "concept:<id>", "concept-direct:<id>", then "term:<word>"."""
        check_is_fitted(self, "terms_")
        return np.array(
            [f"concept:{c}" for c in self.concepts_]
            + [f"concept-direct:{c}" for c in self.concepts_]
            + [f"term:{t}" for t in self.terms_],
            dtype=object,
        )
