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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.utils.validation import check_is_fitted

from matching.taxonomy import Taxonomy, _raw_tokens, fold

__all__ = ["STOP_WORDS", "PostText", "PostVectorizer", "analyse_post"]

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
    "way", "ways", "lot", "lots", "thing", "things",
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


def analyse_post(
    post: Mapping[str, Any],
    taxonomy: Taxonomy,
    *,
    description_weight: float = 0.5,
    title_repeat: int = 2,
    residual_text: bool = True,
) -> PostText:
    """Concepts (id -> source weight) and leftover terms of one post."""
    concepts: dict[str, float] = {}
    terms: list[str] = []
    mentions: dict[str, int] = {}

    def scan(text: str, weight: float, repeat: int) -> None:
        raw = _raw_tokens(text)
        if not raw:
            return
        cache = _TOKEN_CACHE
        info = [cache.get(t) or _token_info(t) for t in raw]
        low = [i[0] for i in info]
        keep = [i[1] for i in info]
        for cid, start, end in taxonomy._scan(raw, low):
            mentions[cid] = mentions.get(cid, 0) + 1
            if weight > concepts.get(cid, 0.0):
                concepts[cid] = weight
            if residual_text:
                keep[start:end] = [False] * (end - start)
        words = [t for t, k in zip(low, keep, strict=True) if k]
        terms.extend(words * repeat)

    for tag in post.get("tags") or ():
        cid = taxonomy.concept_for_tag(tag)
        if cid is not None:
            concepts[cid] = 1.0
            mentions[cid] = mentions.get(cid, 0) + 1
        else:
            # A free tag is short free text: it may still name a concept inside it.
            scan(tag, 1.0, 1)
    scan(post.get("title") or "", 1.0, title_repeat)
    scan(post.get("description") or "", description_weight, 1)
    # Most concepts are named once; keeping only repeats saves memory on large runs.
    return PostText(concepts, terms, {c: n for c, n in mentions.items() if n > 1})


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
        taxonomy = getattr(self, "taxonomy_", None) or self._taxonomy()
        return [
            analyse_post(
                p,
                taxonomy,
                description_weight=self.description_weight,
                title_repeat=self.title_repeat,
                residual_text=self.residual_text,
            )
            for p in posts
        ]

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
        vocab: dict[str, int] = {}
        cols: list[int] = []
        indptr = [0]
        for a in analysed:
            cols.extend([vocab.setdefault(t, len(vocab)) for t in a.terms])
            indptr.append(len(cols))
        counts = sp.csr_matrix(
            (np.ones(len(cols)), np.asarray(cols, dtype=np.int64), indptr),
            shape=(n, len(vocab)),
        )
        counts.sum_duplicates()
        df = np.bincount(counts.indices, minlength=len(vocab))
        limit = max(self.max_df * n, 2)
        names = np.array(list(vocab), dtype=object)
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
        rows: list[int] = []
        cols: list[int] = []
        weights: list[float] = []
        mentions: list[int] = []
        index = self.concept_index_
        for i, a in enumerate(analysed):
            for cid, w in a.concepts.items():
                rows.append(i)
                cols.append(index[cid])
                weights.append(w)
                mentions.append(a.mentions.get(cid, 1))
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        w = np.asarray(weights, dtype=float)
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
        # Drop ancestors the post also names directly.
        fresh = ~np.isin(key, r * self.n_concepts_ + c)
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
        cols: list[int] = []
        indptr = [0]
        for a in analysed:
            cols.extend([index[t] for t in a.terms if t in index])
            indptr.append(len(cols))
        m = sp.csr_matrix(
            (np.ones(len(cols)), np.asarray(cols, dtype=np.int64), indptr),
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
