"""The matcher: rank offers for each request, explain each suggestion, and choose this week's pairs.

Steps: validate the input; vectorise every post (features.PostVectorizer, fitted on this run's
offers and requests); find each request's `candidates` best allowed offers by content
(candidates.top_k: exact, chunked, never the full matrix); with the optional semantic extra,
add the offers closest in meaning and raise scores by that closeness (matching.semantic);
discount in-person pairs by travel distance; rank; assign pairs above the confidence threshold
(assign.assign); write reasons.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from matching import semantic
from matching.assign import EXACT_MAX_EDGES, Edges, assign, presorted_order, sort_order
from matching.candidates import COMPATIBLE, FORMAT_CODES, Candidates, top_k, workers
from matching.days import day_masks
from matching.ehcp import ehcp_step_masks
from matching.facets import (
    SUBJECTS,
    clash,
    facet_masks,
    headline_only,
    stage_bits,
    subject_bits,
    title_stages,
    with_title_stages,
)
from matching.faiths import faith_masks
from matching.features import (
    AnalysedPosts,
    PostText,
    PostVectorizer,
    phrase_words,
    surface_form,
)
from matching.gcpause import gc_paused
from matching.hours import out_of_hours_offers
from matching.instruments import instrument_masks, title_instrument_masks
from matching.languages import (
    about_languages,
    language_masks,
    offers_a_speaker,
)
from matching.needs import (
    LIFEGUARD,
    documents_only,
    for_staff,
    lends_a_space,
    mentions_a_space,
    mentions_parents,
    offers_a_lifeguard,
    offers_a_person,
    offers_a_residential,
    recruits_governors,
    service_flags,
    things_alone,
    trains_drivers,
    unmet,
    unmet_by_offers,
)
from matching.periods import period_masks
from matching.schema import Problem, validate
from matching.sports import sport_masks
from matching.taxonomy import Taxonomy
from matching.things import (
    ALL_THINGS,
    HIRED_KINDS,
    SPACE,
    VEHICLE,
    kind_names,
    lent_kinds,
    lent_thing_masks,
    says_free,
    sought_things,
    thing_masks,
)
from matching.wording import WordingReader

__all__ = ["Matcher", "haversine_miles", "match"]

EARTH_RADIUS_MILES = 3958.8


def haversine_miles(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in miles (numpy-broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    return Taxonomy.load()


def _lower_first(label: str, lower_words: frozenset[str] = frozenset()) -> str:
    """The label for mid-sentence use: "Early reading" -> "early reading", "Ofsted" kept."""
    # Lower-case a capitalised first word only when the taxonomy writes that word in lower case
    # elsewhere and no later word is a capitalised name: "Ofsted inspection", "Key Stage 2"
    # and "SEND" keep their capitals.
    words = re.findall(r"[A-Za-z]+", label)
    if not words or not label.startswith(words[0]):
        return label
    first = words[0]
    if len(first) < 2 or not (first[0].isupper() and first[1:].islower()):
        return label
    if any(w[0].isupper() and w[1:].islower() for w in words[1:] if len(w) > 1):
        return label
    if first.lower() not in lower_words:
        return label
    return first.lower() + label[len(first):]


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _list_order(request: np.ndarray, rounded: np.ndarray, offer: np.ndarray) -> np.ndarray:
    """``sort_order(request, -rounded, offer)`` for scores rounded to 9 decimals in [0, 1].

    Such a score is a whole number of billionths (under 2**30), so request and score pack
    into one integer. Candidates arrive by request, then content score, then offer, so a
    stable sort of the packed keys already leaves equal keys in offer order wherever equal
    final scores come from equal content scores (nearly always); other ties are sorted out.
    """
    steps = np.rint(rounded * 1e9)
    if (not len(steps) or not np.isfinite(steps).all() or steps.min() < 0
            or steps.max() >= 2**30 or request.min() < 0 or int(request.max()) >= 2**33):
        return sort_order(request, -rounded, offer)
    key = (request.astype(np.int64) << 30) | ((2**30 - 1) - steps.astype(np.int64))
    return presorted_order(key, offer)


@dataclass
class _Run:
    """Arrays and look-ups for one predict() call."""

    problem: Problem
    texts_req: Sequence[PostText]
    texts_off: Sequence[PostText]
    q: sp.csr_matrix
    d: sp.csr_matrix
    req_format: np.ndarray
    off_format: np.ndarray
    req_school: np.ndarray
    off_school: np.ndarray
    # Latitude and longitude in radians and cos(latitude): distances are computed for many
    # pairs, so the per-post trigonometry is done once.
    req_phi: np.ndarray
    req_lam: np.ndarray
    req_cos: np.ndarray
    off_phi: np.ndarray
    off_lam: np.ndarray
    off_cos: np.ndarray
    # Requests that ask for a service, supplier, loan or someone's time (matching.needs).
    req_service: np.ndarray
    # People or things each request's title names or its description says it needs
    # (needs.wanted_roles bits).
    req_roles: np.ndarray
    # Requests for a service whose title names a person (needs.person_requests).
    req_person: np.ndarray
    # Kinds of thing each request asks for, by its title or by asking for spares in its
    # description (things.wanted_things bits; 0: none).
    req_thing: np.ndarray
    # Requests that ask to be trained or shown how (needs.asks_to_be_shown).
    req_shown: np.ndarray
    # Key stages and subjects each post names, as bit sets (matching.facets; 0: none or all).
    req_stage: np.ndarray
    off_stage: np.ndarray
    req_subject: np.ndarray
    off_subject: np.ndarray
    # Languages each request needs a speaker of (matching.languages; 0: not such a request).
    req_language: np.ndarray
    # Requests among those that ask for an interpreter, a translator or a speaker.
    req_interpreter: np.ndarray
    # And those whose title itself asks for one.
    req_interpreter_title: np.ndarray
    # Steps of an EHCP each request names (matching.ehcp; 0: none).
    req_step: np.ndarray
    # Requests needed in the school day (matching.hours).
    req_daytime: np.ndarray
    # Requests for governors to join the board (needs.asks_for_governors).
    req_governors: np.ndarray
    # Requests for minibus drivers to be trained (needs.asks_for_driver_training).
    req_driver_training: np.ndarray
    # Requests whose title names a residential trip (needs.asks_for_residential).
    req_residential: np.ndarray
    # Days of the week each request's title names (matching.days; 0: none).
    req_day: np.ndarray
    # Languages a request about teaching a language names (0: none, or not such a request).
    req_taught: np.ndarray
    # Sports each request names (matching.sports; 0: none).
    req_sport: np.ndarray
    # Periods of history each history request names (matching.periods; 0: none).
    req_period: np.ndarray
    # Faiths each RE request names (matching.faiths; 0: none).
    req_faith: np.ndarray
    # Instruments each request's title names (matching.instruments; 0: none).
    req_instrument: np.ndarray
    # Requests whose title asks for a session for parents (matching.needs).
    req_parents: np.ndarray
    # Offers whose title is only a session for parents ("Maths family mornings").
    off_parents: np.ndarray
    # Offers whose title is speakers of the languages it names (matching.languages).
    off_speakers: np.ndarray
    # Kinds of thing each offer's title names that it may lend or give (things.offered_things).
    off_thing: np.ndarray
    # Unit sentence embeddings per post, with the semantic extra in use (else None).
    req_emb: np.ndarray | None = None
    off_emb: np.ndarray | None = None


class Matcher(BaseEstimator):
    """Ranks offers for requests and assigns this week's pairs (scikit-learn style).

    ``fit(data)`` learns the vocabulary and IDF weights from the input's posts; ``predict(data)``
    returns the command-line output dict; ``score(data, judgements)`` returns nDCG@5.

    Parameters
    ----------
    taxonomy : Taxonomy or None
        Concepts to recognise (None: the taxonomy shipped in matching/data).
    concept_weight, ancestor_weight, description_weight, title_repeat, max_df, residual_text,
    title_phrase_repeat, context_weight, concept_tf, pivot_slope
        Passed to features.PostVectorizer.
    min_score : float
        Lowest content score for an offer to be listed for a request at all.
    threshold : float
        Lowest score for a pair to be suggested this week ...
    covered_threshold, min_coverage : float
        ... or this lower score when the offer names at least `min_coverage` of the request's
        topic weight: a short request ("SEMH") scores low against a longer offer only because
        the offer says more. Every pair needs a content score (before any lift from the
        semantic extra) of at least `covered_threshold`.
    relative_threshold : float
        A pair must also score at least this share of the request's best candidate.
    candidates : int
        Offers kept per request by the content search before distance re-ranking.
    resolution : float
        In that search, content scores within this step count as equal and the nearer offer
        wins (then the lower id). 0 (default): only exactly equal scores; on synthetic
        national data 0.01 or 0.02 changed pairs by under 1%.
    half_life_miles : float
        Distance at which an in-person pair has lost half of `distance_penalty`.
    distance_penalty : float
        Largest share of the score an in-person pair loses to distance.
    stage_penalty : float
        Share of the score a pair loses when the request and the offer name different key
        stages and no stage in common ("Y6" and "KS1"; see matching.facets).
    subject_penalty : float
        The same for subjects ("Deep dive - geography" and a history deep dive); a post's
        subject is the one its title or tags name, if any, else its description's.
    subjects : tuple of tuples of str
        Concept ids of each curriculum subject (see matching.facets.SUBJECTS).
    language_penalty : float
        The same for a request for an interpreter or speaker of some languages and an offer
        that names only other languages ("Arabic interpreter?" and "Letter translation -
        Punjabi, Urdu, Polish"; see matching.languages).
    sport_penalty : float
        The same for a request and an offer that name different sports ("Netball league"
        and "Tag rugby festival"; see matching.sports). Such a pair, like the language one,
        also loses the lower bar for a covered topic: the concept they share is not the sport.
    instrument_penalty : float
        The same for a request whose title names some instruments and an offer that names
        only others ("Recorders for Y3" and a ukulele class set; see matching.instruments).
    period_penalty : float
        The same for a history request and an offer that name different periods ("viking
        costumes" and a Roman artefact box; see matching.periods), or different steps of an
        EHCP ("EHCNA request" and annual review templates; see matching.ehcp), or an RE
        request and an offer that name different faiths (a gurdwara visit and a mosque's
        contact; see matching.faiths), or a request whose title names days and an offer
        free only on others ("minibus - Tuesdays" and "minibus - Fridays"; see
        matching.days). Pairs of different faiths or days are never suggested either.
    service_penalty : float
        The same for a request that asks for a service, a loan or someone's time and an
        offer of know-how only (see matching.needs): it is still listed, below offers that
        provide, and it is never paired with the request.
    audience_penalty : float
        The same for a request whose title asks for a session for parents ("Phonics
        workshop for parents") and an offer that never mentions parents or families, and
        the other way round (an offer that is only a session for parents, "Maths family
        mornings", and a request that never mentions them); such a pair cannot use the
        lower bar for a covered topic either (see matching.needs).
    semantic : str
        The optional semantic extra (matching.semantic): "auto" uses it when its package is
        installed, "on" requires it, "off" never uses it.
    semantic_weight, semantic_floor : float
        How much closeness in meaning raises a pair's score, and the similarity below which
        it adds nothing (see semantic.blend).
    semantic_candidates : int
        Offers closest in meaning added to each request's candidates.
    thing_candidates : int
        For a request that asks for a kind of thing (a minibus, devices, a hall; see
        matching.things), the nearest offers whose titles name that kind added to its
        candidates, scored at least `threshold` (0: none).
    waiting_boost : float
        Each run a request has waited raises its pairs' value by this share ...
    waiting_cap : int
        ... for at most this many runs.
    offer_penalty, school_penalty : float
        Load-spreading costs (see matching.assign).
    solver : str
        "auto", "exact" or "greedy".
    exact_max_edges : int
        "auto" uses the exact solver up to this many candidate pairs.
    chunk_size : int
        Requests per block of the sparse product.
    n_jobs : int or None
        Threads for the sparse product (None: up to 2); with more than one, a run of at least
        `background_min_posts` posts also reads its wording flags (matching.wording) in a
        second process while this one vectorises.
    background_min_posts : int
        See `n_jobs`. The second process costs about 0.2 s to start and feed, so a
        partnership's few hundred posts are read in this one.
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        *,
        concept_weight: float = 0.6,
        ancestor_weight: float = 0.5,
        description_weight: float = 0.5,
        title_repeat: int = 2,
        max_df: float = 0.02,
        residual_text: bool = True,
        title_phrase_repeat: int = 1,
        context_weight: float = 0.0,
        concept_tf: bool = True,
        pivot_slope: float = 1.0,
        min_score: float = 0.1,
        threshold: float = 0.3,
        covered_threshold: float = 0.15,
        min_coverage: float = 0.8,
        relative_threshold: float = 0.85,
        candidates: int = 20,
        resolution: float = 0.0,
        half_life_miles: float = 20.0,
        distance_penalty: float = 0.3,
        stage_penalty: float = 0.5,
        subject_penalty: float = 0.5,
        subjects: tuple[tuple[str, ...], ...] = SUBJECTS,
        language_penalty: float = 0.5,
        sport_penalty: float = 0.5,
        instrument_penalty: float = 0.5,
        period_penalty: float = 0.5,
        service_penalty: float = 0.5,
        audience_penalty: float = 0.5,
        semantic: str = "auto",
        semantic_weight: float = 0.7,
        semantic_floor: float = 0.2,
        semantic_candidates: int = 5,
        thing_candidates: int = 5,
        waiting_boost: float = 0.05,
        waiting_cap: int = 6,
        offer_penalty: float = 0.05,
        school_penalty: float = 0.05,
        solver: str = "auto",
        exact_max_edges: int = EXACT_MAX_EDGES,
        chunk_size: int = 512,
        n_jobs: int | None = None,
        background_min_posts: int = 20_000,
    ) -> None:
        self.taxonomy = taxonomy
        self.concept_weight = concept_weight
        self.ancestor_weight = ancestor_weight
        self.description_weight = description_weight
        self.title_repeat = title_repeat
        self.max_df = max_df
        self.residual_text = residual_text
        self.title_phrase_repeat = title_phrase_repeat
        self.context_weight = context_weight
        self.concept_tf = concept_tf
        self.pivot_slope = pivot_slope
        self.min_score = min_score
        self.threshold = threshold
        self.covered_threshold = covered_threshold
        self.min_coverage = min_coverage
        self.relative_threshold = relative_threshold
        self.candidates = candidates
        self.resolution = resolution
        self.half_life_miles = half_life_miles
        self.distance_penalty = distance_penalty
        self.stage_penalty = stage_penalty
        self.subject_penalty = subject_penalty
        self.subjects = subjects
        self.language_penalty = language_penalty
        self.sport_penalty = sport_penalty
        self.instrument_penalty = instrument_penalty
        self.period_penalty = period_penalty
        self.service_penalty = service_penalty
        self.audience_penalty = audience_penalty
        self.semantic = semantic
        self.semantic_weight = semantic_weight
        self.semantic_floor = semantic_floor
        self.semantic_candidates = semantic_candidates
        self.thing_candidates = thing_candidates
        self.waiting_boost = waiting_boost
        self.waiting_cap = waiting_cap
        self.offer_penalty = offer_penalty
        self.school_penalty = school_penalty
        self.solver = solver
        self.exact_max_edges = exact_max_edges
        self.chunk_size = chunk_size
        self.n_jobs = n_jobs
        self.background_min_posts = background_min_posts

    # scikit-learn API --------------------------------------------------------------------

    def _problem(self, data: Mapping[str, Any] | Problem) -> Problem:
        return data if isinstance(data, Problem) else validate(data)

    def _vectorizer(self) -> PostVectorizer:
        return PostVectorizer(
            self.taxonomy if self.taxonomy is not None else _default_taxonomy(),
            concept_weight=self.concept_weight,
            ancestor_weight=self.ancestor_weight,
            description_weight=self.description_weight,
            title_repeat=self.title_repeat,
            max_df=self.max_df,
            residual_text=self.residual_text,
            title_phrase_repeat=self.title_phrase_repeat,
            context_weight=self.context_weight,
            concept_tf=self.concept_tf,
            pivot_slope=self.pivot_slope,
        )

    def fit(self, data: Mapping[str, Any] | Problem, y: Any = None) -> Matcher:
        """Learn term and concept weights from the input's offers and requests."""
        problem = self._problem(data)
        self._fit(self._analyse(problem))
        return self

    @gc_paused()
    def _analyse(self, problem: Problem) -> tuple[Sequence[PostText], Sequence[PostText]]:
        vec = getattr(self, "vectorizer_", None) or self._vectorizer()
        return tuple(  # type: ignore[return-value]
            vec.analyse_fields([p.title for p in posts], [p.description for p in posts],
                               [p.tags for p in posts])
            for posts in (problem.offers, problem.requests)
        )

    @gc_paused()
    def _fit(self, texts: tuple[Sequence[PostText], Sequence[PostText]]) -> None:
        if not 0.0 <= self.min_score <= self.threshold <= 1.0:
            raise ValueError("need 0 <= min_score <= threshold <= 1")
        if not (0.0 <= self.covered_threshold <= 1.0 and 0.0 <= self.min_coverage <= 1.0):
            raise ValueError("covered_threshold and min_coverage must be in [0, 1]")
        lowest = min(self.threshold, max(self.covered_threshold, self.min_score))
        if self.offer_penalty + self.school_penalty >= max(lowest, 1e-9):
            raise ValueError("offer_penalty + school_penalty must stay below the thresholds")
        if not (0.0 <= self.stage_penalty <= 1.0 and 0.0 <= self.subject_penalty <= 1.0):
            raise ValueError("stage_penalty and subject_penalty must be in [0, 1]")
        if self.semantic not in ("auto", "on", "off"):
            raise ValueError("semantic must be 'auto', 'on' or 'off'")
        if self.semantic_weight < 0 or not -1.0 <= self.semantic_floor < 1.0 \
                or self.semantic_candidates < 0 or self.thing_candidates < 0:
            raise ValueError("need semantic_weight >= 0, -1 <= semantic_floor < 1, "
                             "semantic_candidates >= 0 and thing_candidates >= 0")
        if self.semantic == "on" and not semantic.available():
            raise ImportError("semantic='on' needs the semantic extra: "
                              "pip install -r requirements-semantic.txt")
        self.semantic_ = self.semantic == "on" or (self.semantic == "auto"
                                                    and semantic.available())
        vec = self._vectorizer()
        vec.fit_analysed(AnalysedPosts.concat(texts))
        self.vectorizer_ = vec
        self.stage_bits_ = stage_bits(vec.taxonomy_, vec.context_categories)
        self.subject_bits_ = subject_bits(vec.taxonomy_, self.subjects)
        words = set()
        for cid in vec.taxonomy_.ids:
            concept = vec.taxonomy_.concept(cid)
            for text in (concept.label, *concept.aliases):
                words.update(w for w in re.findall(r"[A-Za-z]+", text) if w.islower())
        self.lower_words_ = frozenset(words)

    @gc_paused()
    def fit_predict(self, data: Mapping[str, Any] | Problem, y: Any = None, *,
                    top: int = 5) -> dict[str, Any]:
        """fit() then predict() on the same input (each post is read once)."""
        if top < 1:
            raise ValueError("top must be at least 1")
        problem = self._problem(data)
        with self._wording(problem) as wording:
            texts = self._analyse(problem)
            self._fit(texts)
            run = self._prepare(problem, texts, wording)
        lists = self._rank(run, top)
        edges, chosen = self._assign(run, lists)
        return self._output(run, lists, top, edges, chosen)

    @gc_paused()
    def predict(self, data: Mapping[str, Any] | Problem, *, top: int = 5) -> dict[str, Any]:
        """The output dict: {"ranked": ..., "pairs": [...], "unmatched": [...]}."""
        check_is_fitted(self, "vectorizer_")
        if top < 1:
            raise ValueError("top must be at least 1")
        problem = self._problem(data)
        with self._wording(problem) as wording:
            run = self._prepare(problem, wording=wording)
        lists = self._rank(run, top)
        edges, chosen = self._assign(run, lists)
        return self._output(run, lists, top, edges, chosen)

    def score(self, data: Mapping[str, Any] | Problem, y: Mapping[str, Mapping[str, int]]) -> float:
        """Mean nDCG@5 of the ranked lists against graded judgements {request: {offer: 0-2}}."""
        from matching.evaluate import ndcg_at

        out = self.predict(data, top=5)
        values = [
            ndcg_at([o["offer"] for o in out["ranked"][r]], grades, 5)
            for r, grades in y.items()
            if r in out["ranked"] and any(g >= 1 for g in grades.values())
        ]
        return float(np.mean(values)) if values else 0.0

    # Steps -------------------------------------------------------------------------------

    def _wording(self, problem: Problem) -> WordingReader:
        """The wording flags' reader (use it as a context manager): a second process at
        national scale, when n_jobs allows one."""
        n_posts = len(problem.offers) + len(problem.requests)
        return WordingReader(
            [r.title for r in problem.requests], [r.description for r in problem.requests],
            [r.tags for r in problem.requests], [o.title for o in problem.offers],
            in_background=workers(self.n_jobs) > 1 and n_posts >= self.background_min_posts)

    @gc_paused()
    def _prepare(self, problem: Problem,
                 texts: tuple[Sequence[PostText], Sequence[PostText]] | None = None,
                 wording: WordingReader | None = None) -> _Run:
        vec = self.vectorizer_
        texts_off, texts_req = texts if texts is not None else self._analyse(problem)
        off_schools = [o.school for o in problem.offers]
        req_schools = [r.school for r in problem.requests]
        school_ids = sorted({*off_schools, *req_schools})
        code = {s: i for i, s in enumerate(school_ids)}
        off_school = np.fromiter(map(code.__getitem__, off_schools), dtype=int,
                                 count=len(off_schools))
        req_school = np.fromiter(map(code.__getitem__, req_schools), dtype=int,
                                 count=len(req_schools))
        # Coordinates per school, then per post (NaN for an unknown or unlocated school).
        school_lat = np.full(len(school_ids), np.nan)
        school_lon = np.full(len(school_ids), np.nan)
        for i, s in enumerate(school_ids):
            school = problem.schools.get(s)
            if school is not None and school.lat is not None:
                school_lat[i], school_lon[i] = school.lat, school.lon
        req_lat, req_lon = school_lat[req_school], school_lon[req_school]
        off_lat, off_lon = school_lat[off_school], school_lon[off_school]
        req_subject = facet_masks(texts_req, vec.taxonomy_, self.subject_bits_,
                                  headline_first=True)
        fields = dict(
            problem=problem,
            texts_req=texts_req,
            texts_off=texts_off,
            q=vec.transform_analysed(texts_req, queries=True),
            d=vec.transform_analysed(texts_off),
            req_format=np.array([FORMAT_CODES[r.format] for r in problem.requests], dtype=int),
            off_format=np.array([FORMAT_CODES[o.format] for o in problem.offers], dtype=int),
            req_school=req_school,
            off_school=off_school,
            req_phi=np.radians(req_lat),
            req_lam=np.radians(req_lon),
            req_cos=np.cos(np.radians(req_lat)),
            off_phi=np.radians(off_lat),
            off_lam=np.radians(off_lon),
            off_cos=np.cos(np.radians(off_lat)),
            req_stage=self._stages(texts_req, problem.requests),
            off_stage=self._stages(texts_off, problem.offers),
            req_subject=req_subject,
            off_subject=facet_masks(texts_off, vec.taxonomy_, self.subject_bits_,
                                    headline_first=True),
            # With no PE in a coordinator's taxonomy every request is read for sports (a sport
            # is a sport whatever the taxonomy); with no MFL none is read for languages, since
            # a language named outside a request to teach one ("our Polish families") is not
            # what it asks for.
            req_sport=self._names_about(problem.requests, req_subject, "pe", sport_masks,
                                        all_without_it=True),
            req_instrument=self._names_about(problem.requests, req_subject, "music",
                                             title_instrument_masks, all_without_it=True),
            req_period=self._names_about(problem.requests, req_subject, "history",
                                         period_masks, all_without_it=True),
            req_faith=self._names_about(problem.requests, req_subject, "re", faith_masks,
                                        all_without_it=True),
            req_taught=self._names_about(problem.requests, req_subject, "mfl", language_masks,
                                         all_without_it=False),
            req_emb=self._embed(problem.requests) if self.semantic_ else None,
            off_emb=self._embed(problem.offers) if self.semantic_ else None,
        )
        # Last, so that a second process reading the wording has had all the time above.
        if wording is None:  # read here: a reader not entered starts no process
            wording = self._wording(problem)
        return _Run(**fields, **vars(wording.result()))

    def _stages(self, texts: Sequence[PostText], posts: Sequence[Any]) -> np.ndarray:
        """Per post, the key stages it names: through its concepts, and the year groups
        and key stages its title writes, which a longer phrase may have taken in."""
        return with_title_stages(
            facet_masks(texts, self.vectorizer_.taxonomy_, self.stage_bits_,
                        headline_bits=headline_only(self.stage_bits_)),
            title_stages([p.title for p in posts], self.stage_bits_), self.stage_bits_)

    def _names_about(self, requests: Sequence[Any], subject: np.ndarray, concept: str,
                     masks: Callable[[list[str], list[str], list[Sequence[str]]], np.ndarray],
                     *, all_without_it: bool) -> np.ndarray:
        """``masks`` (names as bit sets) of the requests whose subject is ``concept``, 0 for
        the rest. Only those requests are read (a few per cent at national scale); where the
        taxonomy lacks the subject, every request is read (``all_without_it``) or none."""
        bit = self.subject_bits_.get(concept, 0)
        if bit:
            read = np.flatnonzero(subject & bit)
        else:
            read = np.arange(len(requests) if all_without_it else 0)
        out = np.zeros(len(requests), dtype=np.int64)
        if len(read):
            posts = [requests[i] for i in read.tolist()]
            out[read] = masks([p.title for p in posts], [p.description for p in posts],
                              [p.tags for p in posts])
        return out

    @staticmethod
    def _embed(posts: Sequence[Any]) -> np.ndarray:
        return semantic.embed([semantic.post_text(p.title, p.description, p.tags)
                               for p in posts])

    def _distance_factor(self, run: _Run, req: np.ndarray, off: np.ndarray) -> tuple[
        np.ndarray, np.ndarray
    ]:
        """(miles or NaN, score multiplier) per pair; only in-person pairs are discounted."""
        # Only in-person pairs are measured (the same arithmetic as over every pair): a
        # remote pair, like an unlocated one, keeps a factor of exactly 1.
        live = np.flatnonzero((run.req_format[req] == 0) | (run.off_format[off] == 0))
        miles = np.full(len(req), np.nan)
        factor = np.ones(len(req))
        if len(live):
            miles[live] = self._miles(run, req[live], off[live])
            decay = 1.0 - 0.5 ** (np.nan_to_num(miles[live], nan=0.0) / self.half_life_miles)
            factor[live] = 1.0 - self.distance_penalty * decay
        return miles, factor

    @staticmethod
    def _miles(run: _Run, req: np.ndarray, off: np.ndarray) -> np.ndarray:
        """Great-circle miles between the pairs' schools (NaN if either is unlocated)."""
        a = (np.sin((run.off_phi[off] - run.req_phi[req]) / 2) ** 2
             + run.req_cos[req] * run.off_cos[off]
             * np.sin((run.off_lam[off] - run.req_lam[req]) / 2) ** 2)
        return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))

    def _exclusions(self, run: _Run) -> list[tuple[int, int]]:
        """Excluded pairs as (request index, offer index), for posts in this run."""
        problem = run.problem
        off_index = {o.id: i for i, o in enumerate(problem.offers)}
        req_index = {r.id: i for i, r in enumerate(problem.requests)}
        return sorted(
            (req_index[r], off_index[o])
            for r, o in problem.exclude
            if r in req_index and o in off_index
        )

    def _candidates(self, run: _Run, k: int) -> Candidates:
        """The k best allowed offers per request by content score (exact)."""
        return top_k(
            run.q,
            run.d,
            k,
            min_score=self.min_score,
            request_format=run.req_format,
            offer_format=run.off_format,
            request_school=run.req_school,
            offer_school=run.off_school,
            exclude=self._exclusions(run),
            tie_break=self._tie_break(run),
            resolution=self.resolution,
            chunk_size=self.chunk_size,
            n_jobs=self.n_jobs,
        )

    def _tie_break(self, run: _Run) -> Any:
        """Among offers with equal content scores, nearer in-person ones first (tenths of a
        mile; remote or unlocated pairs count as 0), as the final score would order them."""

        def tie(req: np.ndarray, off: np.ndarray) -> np.ndarray:
            out = np.zeros(len(req), dtype=np.int64)
            live = np.flatnonzero((run.req_format[req] == 0) | (run.off_format[off] == 0))
            if len(live):
                miles = self._miles(run, req[live], off[live])
                out[live] = np.round(np.nan_to_num(miles, nan=0.0) * 10).astype(np.int64)
            return out

        return tie

    def _rerank(self, run: _Run, cands: Candidates) -> _Lists:
        """Candidates re-ranked by score adjusted for distance, key stages, subjects, and the
        languages, sports or instruments a request names."""
        miles, factor = self._distance_factor(run, cands.request, cands.offer)
        factor[clash(run.req_stage[cands.request], run.off_stage[cands.offer])] *= (
            1.0 - self.stage_penalty)
        subjects = clash(run.req_subject[cands.request], run.off_subject[cands.offer])
        factor[subjects] *= 1.0 - self.subject_penalty
        # A request for a speaker of some languages and an offer naming only others; a
        # request to teach a language and an offer naming only others, unless the subject
        # rule has already told them apart (Spanish and French are subjects of their own,
        # Latin and BSL are not); a request and an offer naming different sports.
        languages = _offer_clash(run, cands, run.req_language, language_masks)
        # Where the title itself asks for the interpreter ("Mandarin interpreter - parents'
        # evening"), speakers of other languages are no fit at all (set 46: a Korean-speaking
        # liaison; set 47: Romanian and Lithuanian interpreters for a Polish translation).
        wrong_speaker = languages & run.req_interpreter_title[cands.request]
        # A request for an interpreter or a speaker and an offer with no speaker to give.
        languages |= _offer_lacks(run, cands.request, cands.offer, run.req_interpreter,
                                  offers_a_speaker)
        # And speakers of some languages offered to a request with no language need at all
        # ("Phonics workshop for Rec parents" and "Punjabi / Urdu / Polish speakers").
        languages |= _request_lacks(run, cands.request, cands.offer, run.off_speakers,
                                    about_languages)
        languages |= _offer_clash(run, cands, run.req_taught, language_masks) & ~subjects
        factor[languages] *= 1.0 - self.language_penalty
        sports = _offer_clash(run, cands, run.req_sport, sport_masks)
        factor[sports] *= 1.0 - self.sport_penalty
        instruments = _offer_clash(run, cands, run.req_instrument, instrument_masks)
        factor[instruments] *= 1.0 - self.instrument_penalty
        periods = _offer_clash(run, cands, run.req_period, period_masks)
        # Steps of an EHCP are weighed the same way ("EHCNA request" and "Annual review
        # templates").
        periods |= _offer_clash(run, cands, run.req_step, ehcp_step_masks)
        # And faiths and days: a gurdwara visit is not met by a mosque's contact at all
        # (matching.faiths), nor "minibus - Tuesdays" by "minibus - Fridays" (matching.days),
        # so such pairs are also held back with know-how below.
        apart = _offer_clash(run, cands, run.req_faith, faith_masks)
        # Days count where the offer gives something (a minibus, a pool, someone's time): a
        # know-how offer naming a day ("our Friday Tea & Talk") is not saying when it is free.
        days = _offer_clash(run, cands, run.req_day, day_masks)
        apart |= days & ~_lacks(days, cands.offer, run.problem.offers, _provides_service)
        periods |= apart
        factor[periods] *= 1.0 - self.period_penalty
        # A session for parents and an offer that never mentions parents: staff training.
        audience = _offer_lacks(run, cands.request, cands.offer, run.req_parents,
                                mentions_parents)
        # And the other way round: a session for parents offered to a request that never
        # mentions parents or families ("new maths lead" and "Maths family mornings").
        audience |= _request_lacks(run, cands.request, cands.offer, run.off_parents,
                                   mentions_parents)
        factor[audience] *= 1.0 - self.audience_penalty
        # A thing asked for ("minibus for swimming"): an offer that names none of its kind
        # cannot meet it, and one that does ("Minibus share", "Old iPads (x20)") offers the
        # thing itself, however it words the lending.
        want = run.req_thing[cands.request]
        named = _offer_named(run, cands, run.req_thing, thing_masks)
        misses = (want != 0) & ((want & named) == 0)
        offers = run.problem.offers
        lent = want & lent_kinds(named, lambda i: offers[int(cands.offer[i])].title)
        # A hall, a kitchen, instruments or chess sets named are the thing asked for where the
        # offer also lends, hires out or gives them ("Hall available evenings/weekends" for
        # "Venue - joint dance festival", set 46); named alone they may be a subject taught.
        rest = want & named & ~lent & HIRED_KINDS
        hired = (rest != 0) & ~_lacks(rest != 0, cands.offer, offers, _provides_service)
        lent[hired] |= rest[hired]
        names_thing = lent != 0
        # Know-how for a request that asks for a service is listed lower and never paired.
        know_how = _offer_lacks(run, cands.request, cands.offer, run.req_service,
                                _provides_service) & ~names_thing
        # So is an offer that leaves what the request asks for to the other school ("bring
        # your own instructor") or says it cannot do it.
        know_how |= _leaves_to_request(run, cands.request, cands.offer)
        # And a person asked for, where the offer names nobody to come with it.
        know_how |= _offer_lacks(run, cands.request, cands.offer, run.req_person,
                                 offers_a_person)
        know_how |= misses | wrong_speaker | apart
        # A hall or a pool let only evenings and weekends, for a request needed in the school
        # day ("Hall for daytime PE", set 47).
        know_how |= _offer_lacks(run, cands.request, cands.offer, run.req_daytime,
                                 _negated(out_of_hours_offers))
        # Governors to find ("Governor with finance skills wanted") and an offer that finds
        # none: governor training, an induction pack (sets 41-48).
        know_how |= _offer_lacks(run, cands.request, cands.offer, run.req_governors,
                                 recruits_governors)
        # Drivers to train ("MiDAS") and an offer that trains none: a minibus to borrow,
        # even with its own MiDAS driver (sets 11-49).
        know_how |= _offer_lacks(run, cands.request, cands.offer, run.req_driver_training,
                                 trains_drivers)
        # A lifeguard asked for and an offer that names none: swimming places or a pool's
        # slots (sets 44 and 59, where no offer fits such a request).
        know_how |= _offer_lacks(run, cands.request, cands.offer,
                                 (run.req_roles & LIFEGUARD) != 0, offers_a_lifeguard)
        # A residential asked for and an offer that names none: spare coach seats to a
        # castle for "Join someone's residential?" (set 61).
        know_how |= _offer_lacks(run, cands.request, cands.offer, run.req_residential,
                                 offers_a_residential)
        # A space lent and a request that mentions no space or event: a hall for INSET days
        # and "Sketchbooks staff meeting", a hall for evening events and "Cleaning contract"
        # (set 61). Every graded fit of such an offer mentions one (sets 1-61).
        space = run.off_thing[cands.offer] == SPACE
        space &= ~_lacks(space, cands.offer, offers, lends_a_space)
        know_how |= _lacks(space, cands.request, run.problem.requests, mentions_a_space)
        # And the other way round: a minibus asked for and an offer that trains drivers but
        # lends none ("Minibus" and "MiDAS assessor on staff", set 56; none of the 8 such
        # pairs in sets 1-57 was judged a fit).
        know_how |= _offer_lacks(run, cands.request, cands.offer,
                                 (run.req_thing & VEHICLE) != 0,
                                 _negated(trains_drivers)) & ((lent & VEHICLE) == 0)
        # Things lent or given with nobody to come with them, or documents to send, for a
        # request to be trained or shown how ("RWI refresher for whole staff" and "Free to a
        # good home: RWI books"; "Online safety training for staff" and a template).
        know_how |= _offer_lacks(run, cands.request, cands.offer, run.req_shown,
                                 _negated(_sent_without_anyone)) & ~names_thing
        # A session for parents offered to a request for its staff ("Online safety training
        # for staff" and "Online safety session for parents").
        know_how |= _request_lacks(run, cands.request, cands.offer, run.off_parents,
                                   _negated(for_staff))
        factor[know_how] *= 1.0 - self.service_penalty
        # With pivoted normalisation (pivot_slope < 1) a long offer can score a little over 1.
        final = np.minimum(cands.score.astype(np.float64), 1.0) * factor
        content = final if cands.content is None else np.minimum(cands.content, 1.0) * factor
        # Best first by distance-adjusted score; ties by offer id (index order).
        order = _list_order(cands.request, np.round(final, 9), cands.offer)
        return _Lists(cands.request[order], cands.offer[order], final[order], miles[order],
                      cands.best_own_school, cands.best_excluded, content[order],
                      (languages | sports | instruments | periods | audience)[order],
                      know_how[order], lent[order])

    def _rank(self, run: _Run, top: int) -> _Lists:
        """Each request's candidates, re-ranked by distance-adjusted score."""
        cands = self._candidates(run, max(self.candidates, top))
        if run.req_emb is not None:
            cands = self._with_meaning(run, cands)
        cands = self._with_things(run, cands)
        return self._rerank(run, cands)

    def _allowed(self, run: _Run) -> Any:
        """``allowed(req, off)``: which index pairs the hard rules permit."""
        n_off = len(run.problem.offers)
        excluded = np.array([r * n_off + o for r, o in self._exclusions(run)], dtype=np.int64)

        def allowed(req: np.ndarray, off: np.ndarray) -> np.ndarray:
            ok = run.req_school[req] != run.off_school[off]
            ok &= COMPATIBLE[run.req_format[req], run.off_format[off]]
            if len(excluded):
                ok &= ~np.isin(req.astype(np.int64) * n_off + off, excluded)
            return ok

        return allowed

    def _with_meaning(self, run: _Run, cands: Candidates) -> Candidates:
        """Candidates plus each request's offers closest in meaning, all scored by
        semantic.blend (content score raised by closeness in meaning)."""
        assert run.req_emb is not None and run.off_emb is not None
        n_off = len(run.problem.offers)
        near_r, near_o, _ = semantic.nearest(
            run.req_emb, run.off_emb, self.semantic_candidates, self._allowed(run),
            floor=self.semantic_floor, chunk_size=self.chunk_size)
        known = cands.request.astype(np.int64) * n_off + cands.offer
        new = ~np.isin(near_r.astype(np.int64) * n_off + near_o, known)
        near_r, near_o = near_r[new], near_o[new]
        req = np.concatenate([cands.request, near_r]).astype(cands.request.dtype)
        off = np.concatenate([cands.offer, near_o]).astype(cands.offer.dtype)
        content = np.concatenate([np.asarray(cands.score, dtype=np.float64),
                                  self._content(run, near_r, near_o)])
        score = self._lifted(run, req, off, content)
        keep = np.flatnonzero(score >= self.min_score)
        req, off, score, content = req[keep], off[keep], score[keep], content[keep]
        order = np.lexsort((off, -score, req))
        return Candidates(req[order], off[order], score[order],
                          cands.best_own_school, cands.best_excluded, content[order])

    def _lifted(self, run: _Run, req: np.ndarray, off: np.ndarray,
                content: np.ndarray) -> np.ndarray:
        """Content scores raised by the pairs' closeness in meaning (semantic.blend)."""
        assert run.req_emb is not None and run.off_emb is not None
        # Rounded so that the last-bit differences between batches of the model (a text's
        # vector varies by about 1e-7 with what it was embedded beside) cannot reorder a list.
        closeness = np.round(np.einsum("ij,ij->i", run.req_emb[req], run.off_emb[off]), 6)
        return semantic.blend(content, closeness, self.semantic_weight, self.semantic_floor)

    def _with_things(self, run: _Run, cands: Candidates) -> Candidates:
        """Candidates plus, for each request that asks for a kind of thing, the nearest
        `thing_candidates` allowed offers whose titles name that kind; every offer whose
        title names it scores at least `threshold`. "Devices for Y6 coding unit" shares no
        word with "15 Chromebooks on loan", nor "Venue for SENCo cluster" with "Meeting room
        for cluster meetings"."""
        wanted = run.req_thing & ALL_THINGS
        asking = np.flatnonzero(wanted)
        named = np.flatnonzero(run.off_thing)
        if not self.thing_candidates or not len(asking) or not len(named):
            return cands
        wanted[asking] = sought_things([run.problem.requests[r].title for r in asking.tolist()],
                                       wanted[asking])
        asking = np.flatnonzero(wanted)
        allowed = self._allowed(run)
        found_r, found_o = [], []
        for r in asking.tolist():
            offs = named[(run.off_thing[named] & wanted[r]) != 0]
            offs = offs[allowed(np.full(len(offs), r), offs)]
            if not len(offs):
                continue
            # Nearest first (remote or unlocated pairs count as 0 miles), then by index.
            miles, _ = self._distance_factor(run, np.full(len(offs), r), offs)
            near = np.lexsort((offs, np.nan_to_num(miles, nan=0.0)))[:self.thing_candidates]
            found_r.append(np.full(len(near), r))
            found_o.append(offs[near])
        n_off = len(run.problem.offers)
        known = cands.request.astype(np.int64) * n_off + cands.offer
        new_r = np.concatenate([np.zeros(0, dtype=np.int64), *found_r])
        new_o = np.concatenate([np.zeros(0, dtype=np.int64), *found_o])
        fresh = ~np.isin(new_r.astype(np.int64) * n_off + new_o, known)
        new_r, new_o = new_r[fresh], new_o[fresh]
        content = self._content(run, new_r, new_o)
        score = content if run.req_emb is None else self._lifted(run, new_r, new_o, content)
        req = np.concatenate([cands.request, new_r]).astype(cands.request.dtype)
        off = np.concatenate([cands.offer, new_o]).astype(cands.offer.dtype)
        scores = np.concatenate([np.asarray(cands.score, dtype=np.float64), score])
        contents = None
        if cands.content is not None:
            contents = np.concatenate([np.asarray(cands.content, dtype=np.float64), content])
        # The pairs whose offer's title names the kind asked for and that says it lends,
        # hires out or gives something: "iPad management - Jamf School" names iPads but
        # lends none (set 56).
        kinds = run.off_thing[off] & wanted[req]
        if kinds.any():
            check = np.unique(off[kinds != 0])
            posts = [run.problem.offers[o] for o in check.tolist()]
            titles = [p.title for p in posts]
            descriptions = [p.description for p in posts]
            lends = check[_provides_service(titles, descriptions, [p.tags for p in posts])
                          | says_free(titles, descriptions)]
            kinds[~np.isin(off, lends)] = 0
        # Being the same kind of thing is itself what the two share: such a pair scores at
        # least the threshold, and an offer added here without one is dropped.
        same = kinds != 0
        keep = np.flatnonzero(same | (np.arange(len(req)) < len(cands.request)))
        scores[same] = np.maximum(scores[same], self.threshold)
        if contents is not None:
            contents[same] = np.maximum(contents[same], self.threshold)
        req, off, scores = req[keep], off[keep], scores[keep]
        order = np.lexsort((off, -scores, req))
        return Candidates(req[order], off[order], scores[order], cands.best_own_school,
                          cands.best_excluded,
                          None if contents is None else contents[keep][order])

    @staticmethod
    def _content(run: _Run, req: np.ndarray, off: np.ndarray) -> np.ndarray:
        """Content (words and concepts) score of each (request, offer) pair."""
        if not len(req):
            return np.zeros(0)
        return np.asarray(run.q[req].multiply(run.d[off]).sum(axis=1), dtype=np.float64).ravel()

    @gc_paused()
    def _assign(self, run: _Run, lists: _Lists) -> tuple[Edges, np.ndarray]:
        """The candidate pairs above threshold as Edges, and the chosen edge indices."""
        problem = run.problem
        # A pair must clear the absolute threshold and come close to the request's best offer:
        # when the best is full, a much weaker second choice is a poor suggestion.
        # The best is taken over the offers that could meet the request: know-how that
        # scores higher does not hold back the one offer that lends what a request asks for.
        n_req = len(problem.requests)
        meets = ~lists.know_how
        best = np.zeros(n_req)
        np.maximum.at(best, lists.request[meets], lists.final[meets])
        near_best = meets & (lists.final >= self.relative_threshold * best[lists.request])
        ok = np.flatnonzero(near_best & self._confident(run, lists, near_best))
        req = lists.request[ok]
        waited = np.array([problem.waiting.get(r.id, 0) for r in problem.requests], dtype=float)
        boost = 1.0 + self.waiting_boost * np.minimum(waited, self.waiting_cap)
        edges = Edges(
            request=req,
            offer=lists.offer[ok],
            value=lists.final[ok] * boost[req],
            capacity=np.array([o.capacity for o in problem.offers], dtype=np.int64),
            offer_school=run.off_school,
            offer_penalty=self.offer_penalty,
            school_penalty=self.school_penalty,
        )
        edges.position = ok  # where each edge sits in `lists`
        return edges, assign(edges, self.solver, self.exact_max_edges)

    def _confident(self, run: _Run, lists: _Lists, wanted: np.ndarray) -> np.ndarray:
        """Per listed pair: clears the threshold, or the lower one with the topic covered
        (coverage is only worked out where `wanted`)."""
        # Closeness in meaning raises scores but never carries a pair on its own: every pair
        # must share at least the lower bar's worth of words and concepts (with the extra on,
        # this kept out an unanswerable request on fresh set 5 and lost no fitting pair).
        shares = lists.content >= self.covered_threshold
        confident = shares & (lists.final >= self.threshold)
        # The thing asked for ("iPads for EYFS" and "Old iPads (x20)") is the whole request,
        # whatever else its title names; and being the same kind of thing is itself what the
        # two share, so closeness in meaning may carry such a pair past the full threshold on
        # few shared words ("spare chairs for hall" and "spare tables & chairs").
        confident |= lists.lends & (shares | (lists.final >= self.threshold))
        maybe = np.flatnonzero(wanted & shares & ~confident & ~lists.uncovered)
        if len(maybe):
            confident[maybe] = self._coverage(
                run, lists.request[maybe], lists.offer[maybe]) >= self.min_coverage
        return confident

    def _coverage(self, run: _Run, req: np.ndarray, off: np.ndarray) -> np.ndarray:
        """Share of each request's topic (concept) weight that the paired offer also names.

        A request's concept counts as named when the offer names it or something narrower
        ("wellbeing" is covered by "senior mental health lead"); a request's broader concept
        when the offer names that broader concept itself. Shares are of the squared weights
        the score is built from; a request with no concepts has coverage 0.
        """
        width = 2 * self.vectorizer_.n_concepts_  # the two concept blocks come first
        q = run.q[req][:, :width]
        q = q.multiply(q).tocsr()
        named = run.d[off][:, :width]
        named.data = np.ones_like(named.data)
        hit = np.asarray(q.multiply(named).sum(axis=1)).ravel()
        total = np.asarray(q.sum(axis=1)).ravel()
        return np.divide(hit, total, out=np.zeros_like(hit), where=total > 0)

    def _output(self, run: _Run, lists: _Lists, top: int, edges: Edges,
                chosen: np.ndarray) -> dict[str, Any]:
        problem = run.problem
        ranked: dict[str, list[dict[str, Any]]] = {}
        starts = np.searchsorted(lists.request, np.arange(len(problem.requests) + 1))
        for r, request in enumerate(problem.requests):
            items = []
            for j in range(starts[r], min(starts[r + 1], starts[r] + top)):
                o = int(lists.offer[j])
                items.append({
                    "offer": problem.offers[o].id,
                    "score": round(float(lists.final[j]), 3),
                    "reasons": self._reasons(run, r, o, float(lists.miles[j]),
                                             int(lists.lent[j])),
                })
            ranked[request.id] = items
        pairs = []
        paired = set()
        ordered = sorted(chosen.tolist(), key=lambda e: (edges.request[e], edges.offer[e]))
        for e in ordered:
            j = int(edges.position[e])
            r, o = int(lists.request[j]), int(lists.offer[j])
            paired.add(r)
            reasons = self._reasons(run, r, o, float(lists.miles[j]), int(lists.lent[j]))
            w = problem.waiting.get(problem.requests[r].id, 0)
            if w >= 1:
                reasons.append(f"Your request has waited {_plural(w, 'week')}")
            pairs.append({
                "request": problem.requests[r].id,
                "offer": problem.offers[o].id,
                "score": round(float(lists.final[j]), 3),
                "reasons": reasons,
            })
        fitting = np.bincount(edges.request, minlength=len(problem.requests)) > 0
        unmatched = [
            {"request": request.id, "reason": self._unmatched_reason(run, lists, r, fitting[r])}
            for r, request in enumerate(problem.requests)
            if r not in paired
        ]
        return {"ranked": ranked, "pairs": pairs, "unmatched": unmatched}

    # Explanations ------------------------------------------------------------------------

    def _is_context(self, cid: str) -> bool:
        """A concept that describes context (year group), not expertise."""
        vec = self.vectorizer_
        return bool(vec.concept_scale_[vec.concept_index_[cid]] < 1.0)

    def _label(self, cid: str) -> str:
        return _lower_first(self.vectorizer_.taxonomy_.label(cid), self.lower_words_)

    def _topic_reasons(self, run: _Run, r: int, o: int) -> list[str]:
        tax = self.vectorizer_.taxonomy_
        idf = self.vectorizer_.concept_idf_
        index = self.vectorizer_.concept_index_
        mine = run.texts_req[r].concepts
        theirs = run.texts_off[o].concepts

        def weight(c: str) -> float:
            return float(idf[index[c]])

        reasons = []
        shared = set(mine) & set(theirs)
        # "Both about White Rose Maths" says enough; its category "maths" adds nothing.
        above = {a for c in shared for a in tax.ancestors(c)}
        # Expertise before context (year groups), rarer concepts first.
        shared = sorted(shared - above, key=lambda c: (self._is_context(c), -weight(c), c))
        if shared:
            reasons.append(f"Both about {self._label(shared[0])}")
        if len(shared) > 1:
            reasons.append(f"Also both about {self._label(shared[1])}")
        mine = {c: w for c, w in mine.items() if not self._is_context(c)}
        theirs = {c: w for c, w in theirs.items() if not self._is_context(c)}
        narrower = sorted(
            (b, a) for b in theirs if b not in mine for a in tax.ancestors(b) if a in mine
        )
        if narrower and not shared:
            b, a = narrower[0]
            reasons.append(f"{tax.label(b)} is part of {self._label(a)}")
        broader = sorted(
            (a, b) for b in mine if b not in theirs for a in tax.ancestors(b) if a in theirs
        )
        if broader and not shared and not narrower:
            a, b = broader[0]
            reasons.append(
                f"The offer covers {self._label(a)}, which includes "
                f"{self._label(b)}"
            )
        # Words both posts use, strongest first. A word both use inside a concept's phrase
        # ("local history") is already said by "Both about ...".
        q, d = run.q[r], run.d[o]
        both = q.multiply(d).tocoo()
        vec = self.vectorizer_
        terms = [
            (float(v), vec.terms_[j - vec.term_offset_])
            for j, v in zip(both.col.tolist(), both.data.tolist(), strict=True)
            if j >= vec.term_offset_
        ]
        if terms:
            def named(post: Any) -> set[str]:
                return set().union(*(phrase_words(text, tax)
                                     for text in (post.title, post.description, *post.tags)))

            both_named = named(run.problem.requests[r]) & named(run.problem.offers[o])
            terms = [(v, t) for v, t in terms if t not in both_named]
        terms.sort(key=lambda t: (-t[0], t[1]))
        if terms:
            shown = [f"\u201c{self._surface(run, r, o, t)}\u201d" for _v, t in terms[:3]]
            reasons.append(f"Both mention {_join(shown)}")
        return reasons

    def _surface(self, run: _Run, r: int, o: int, term: str) -> str:
        """A term as the posts write it: the request's spelling, lower case unless both
        posts capitalise it ("fluency", "Maths Hub", "NCETM")."""
        forms = []
        for post in (run.problem.requests[r], run.problem.offers[o]):
            for text in (post.title, post.description, *post.tags):
                form = surface_form(text, term)
                if form is not None:
                    forms.append(form)
                    break
        if not forms:
            return term
        if any(f == f.lower() for f in forms):
            return forms[0].lower()
        capitalised = [f for f in forms if not (f[0].isupper() and f[1:].islower())]
        return capitalised[0] if capitalised else forms[0]

    def _reasons(self, run: _Run, r: int, o: int, miles: float, lent: int = 0) -> list[str]:
        """Why offer o is listed for request r; `lent`: the kinds of thing asked for that
        the offer lends (_Lists.lent)."""
        reasons = self._topic_reasons(run, r, o)
        kinds = kind_names(lent)
        if kinds:
            # What the request asked for comes first: "Sound desk & radio mics to borrow" and
            # a PA system had led with "Both about poetry and drama" (a leavers' show).
            reasons.insert(0, f"Offers the {kinds[0]} you asked for")
        if not reasons:
            shares_words = run.req_emb is None or self._content(
                run, np.array([r]), np.array([o]))[0] > 0
            reasons.append("Similar wording" if shares_words else "Close in meaning")
        in_person = run.req_format[r] == 0 or run.off_format[o] == 0
        if not in_person:
            reasons.append("Can be done remotely")
        elif math.isnan(miles):
            reasons.append("In person")
        elif miles < 1:
            reasons.append("Less than a mile away")
        else:
            reasons.append(f"{_plural(round(miles), 'mile')} away")
        return reasons

    def _unmatched_reason(self, run: _Run, lists: _Lists, r: int, fitting: bool) -> str:
        if fitting:
            return "The only fitting offers are full this week"
        if lists.best_own_school[r] >= self.threshold:
            return "Only offers from your own school fit"
        if lists.best_excluded[r] >= self.threshold:
            return "The only fitting offers have been ruled out for this request"
        blocked = self._best_other_format(run, r)
        if blocked is not None:
            return blocked
        start = int(np.searchsorted(lists.request, r))
        listed = start < len(lists.request) and lists.request[start] == r
        # A thing wanted ("Tables & chairs - new class") is a loan or a gift too: the nearest
        # offer is not "Infant to junior transition".
        if listed and (run.req_service[r] or run.req_thing[r]):
            # The nearest offer worth naming is one that could lend or provide what is asked.
            end = int(np.searchsorted(lists.request, r, side="right"))
            posts = [run.problem.offers[o] for o in lists.offer[start:end].tolist()]
            provides = _could_provide(posts) | lists.lends[start:end]
            # Not one that leaves the person asked for to the request's school ("you bring
            # your own instructor"), or names nobody to come (lists.know_how), nor one close
            # in meaning only: a maths visit "available" on Thursdays is no near miss for
            # "Swimming teacher needed".
            gives = np.flatnonzero(provides & ~lists.know_how[start:end]
                                   & ((lists.content[start:end] >= self.min_score)
                                      | lists.lends[start:end]))
            if len(gives):
                start += int(gives[0])
            elif lists.final[start] >= self.covered_threshold and not provides.any():
                return ("This asks for a service, a loan or someone\u2019s time; no school "
                        "offers that yet, only know-how on the topic")
            else:
                # Naming weak know-how as "the nearest offer" ("Hall for Christmas concert"
                # and a ukulele scheme) reads as a near miss; say what is missing instead.
                return ("This asks for a service, a loan or someone\u2019s time; no school "
                        "offers that yet")
        idf = self.vectorizer_.concept_idf_
        index = self.vectorizer_.concept_index_
        mine = sorted(
            (c for c in run.texts_req[r].concepts if not self._is_context(c)),
            key=lambda c: (-idf[index[c]], c),
        )
        gap = f"No open offer covers {' or '.join(self._label(c) for c in mine[:2])} yet"
        if listed:
            nearest = int(lists.offer[start])
            title = run.problem.offers[nearest].title
            # The nearest offer shares only words or meaning, none of the request's topics:
            # name the topics, so coordinators see the gap and not only a near miss.
            if mine and self._coverage(run, np.array([r]), np.array([nearest]))[0] == 0:
                return f"{gap}; the nearest offer is \u201c{title}\u201d"
            # Something related exists, just not close enough to suggest.
            return f"Nothing fits closely enough yet; the nearest offer is \u201c{title}\u201d"
        if mine:
            return gap
        return "No open offer matches this request yet"

    def _best_other_format(self, run: _Run, r: int) -> str | None:
        fmt = run.req_format[r]
        if fmt == FORMAT_CODES["either"]:
            return None
        other = FORMAT_CODES["remote"] if fmt == FORMAT_CODES["in_person"] else FORMAT_CODES[
            "in_person"]
        cols = np.flatnonzero((run.off_format == other) & (run.off_school != run.req_school[r]))
        if not len(cols):
            return None
        scores = (run.q[r] @ run.d[cols].T).toarray().ravel()
        near = cols[scores >= self.threshold]
        if not len(near):
            return None
        if run.req_service[r] or run.req_thing[r]:
            # For a service or a thing asked for, an offer of know-how is no fit in any
            # format ("Tree survey - need an arborist" and a remote compliance checklist).
            posts = [run.problem.offers[o] for o in near.tolist()]
            if not _could_provide(posts, int(run.req_thing[r])).any():
                return None
        if other == FORMAT_CODES["remote"]:
            return "The only fitting offers are remote; this request is in person only"
        return "The only fitting offers are in person; this request is remote only"


def _could_provide(offers: Sequence[Any], wanted: int = 0) -> np.ndarray:
    """Per offer: it says it provides a service, or lends a kind of thing in ``wanted``
    (a bit set of things.THINGS)."""
    titles = [o.title for o in offers]
    descriptions = [o.description for o in offers]
    tags = [o.tags for o in offers]
    flags = service_flags(titles, descriptions, requests=False, tags=tags)
    if wanted:
        flags |= (lent_thing_masks(titles, descriptions, tags) & wanted) != 0
    return flags


def _offer_groups(run: _Run, cands: Candidates, wanted: np.ndarray,
                  masks: Callable[[list[str], list[str], list[Sequence[str]]], np.ndarray],
                  compare: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """Per candidate: ``compare(request groups, offer groups)`` where the request names some
    groups (``wanted``, a bit set per request), False elsewhere. The offer's groups are
    ``masks`` of its title, description and tags, read only where a request names a group."""
    want = wanted[cands.request]
    out = np.zeros(len(want), dtype=bool)
    ask = np.flatnonzero(want != 0)
    if len(ask):
        out[ask] = compare(want[ask], _offer_named(run, cands, wanted, masks)[ask])
    return out


def _offer_named(run: _Run, cands: Candidates, wanted: np.ndarray,
                 masks: Callable[[list[str], list[str], list[Sequence[str]]], np.ndarray],
                 ) -> np.ndarray:
    """Per candidate: the groups its offer names (``masks`` of its title, description and
    tags), read only where the request names a group (``wanted``); 0 elsewhere."""
    ask = np.flatnonzero(wanted[cands.request] != 0)
    out = np.zeros(len(cands.request), dtype=np.int64)
    if not len(ask):
        return out
    offers = np.unique(cands.offer[ask])
    posts = [run.problem.offers[o] for o in offers.tolist()]
    named = np.zeros(len(run.problem.offers), dtype=np.int64)
    named[offers] = masks([p.title for p in posts], [p.description for p in posts],
                          [p.tags for p in posts])
    out[ask] = named[cands.offer[ask]]
    return out


def _offer_clash(run: _Run, cands: Candidates, wanted: np.ndarray,
                 masks: Callable[[list[str], list[str], list[Sequence[str]]], np.ndarray],
                 ) -> np.ndarray:
    """Per candidate: the request names some groups, the offer names groups too and they
    share none (different sports, instruments, periods of history)."""
    return _offer_groups(run, cands, wanted, masks, clash)


def _offer_misses(run: _Run, cands: Candidates, wanted: np.ndarray,
                  masks: Callable[[list[str], list[str], list[Sequence[str]]], np.ndarray],
                  ) -> np.ndarray:
    """Per candidate: the request names some groups and the offer names none of them (a
    minibus asked for, and an offer with no vehicle)."""
    return _offer_groups(run, cands, wanted, masks, lambda want, named: (want & named) == 0)


def _offer_lacks(run: _Run, req: np.ndarray, off: np.ndarray, asks: np.ndarray,
                 reads: Callable[[list[str], list[str], list[Sequence[str]]], np.ndarray],
                 ) -> np.ndarray:
    """Per pair: the request is one that ``asks`` (a flag per request) and the offer lacks
    what ``reads`` looks for in its titles, descriptions and tags: know-how for a request
    that asks for a service, staff training for a parents' session, an offer with no
    speaker for an interpreter request. Offers are only read where such a request lists
    them."""
    return _lacks(asks[req], off, run.problem.offers, reads)


def _request_lacks(run: _Run, req: np.ndarray, off: np.ndarray, gives: np.ndarray,
                   reads: Callable[[list[str], list[str], list[Sequence[str]]], np.ndarray],
                   ) -> np.ndarray:
    """Per pair: the offer is one that ``gives`` (a flag per offer) and the request lacks
    what ``reads`` looks for in its title, description and tags. Requests are only read
    where such an offer is listed for them."""
    return _lacks(gives[off], req, run.problem.requests, reads)


def _lacks(flagged: np.ndarray, side: np.ndarray, posts: Sequence[Any],
           reads: Callable[[list[str], list[str], list[Sequence[str]]], np.ndarray],
           ) -> np.ndarray:
    """Per pair: ``flagged`` and the post at ``side`` (an index into ``posts``) lacks what
    ``reads`` looks for; only the posts of flagged pairs are read."""
    if not flagged.any():
        return flagged
    chosen = np.unique(side[flagged])
    read = [posts[i] for i in chosen.tolist()]
    has = np.zeros(len(posts), dtype=bool)
    has[chosen] = reads([p.title for p in read], [p.description for p in read],
                        [p.tags for p in read])
    return flagged & ~has[side]


def _sent_without_anyone(titles: list[str], descriptions: list[str],
                         tags: list[Sequence[str]]) -> np.ndarray:
    """Per offer: things lent or given, or documents sent, with nobody to come with them."""
    return things_alone(titles, descriptions, tags) | documents_only(titles, descriptions, tags)


def _negated(reads: Callable[[list[str], list[str], list[Sequence[str]]], np.ndarray],
             ) -> Callable[[list[str], list[str], list[Sequence[str]]], np.ndarray]:
    """A reader flagging the posts ``reads`` does not (for _lacks: pairs whose post has it)."""
    return lambda titles, descriptions, tags: ~reads(titles, descriptions, tags)


def _leaves_to_request(run: _Run, req: np.ndarray, off: np.ndarray) -> np.ndarray:
    """Per pair: the request asks for what the offer leaves to the other school, or its
    title names what the offer says it cannot do (needs.unmet). Only listed offers are
    read."""
    out = np.zeros(len(req), dtype=bool)
    if not len(req):
        return out
    offers = np.unique(off)
    posts = [run.problem.offers[o] for o in offers.tolist()]
    found = unmet_by_offers([p.title for p in posts], [p.description for p in posts])
    said = {int(offers[i]): f for i, f in found.items()}
    if not said:
        return out
    requests = run.problem.requests
    for i in np.flatnonzero(np.isin(off, np.fromiter(said, dtype=np.int64))).tolist():
        roles, cannot = said[int(off[i])]
        r = int(req[i])
        out[i] = unmet(requests[r].title, roles, int(run.req_roles[r]), cannot)
    return out


def _provides_service(titles: list[str], descriptions: list[str],
                      tags: list[Sequence[str]]) -> np.ndarray:
    """Per offer: it provides a service, a loan or someone's time (needs.service_flags)."""
    return service_flags(titles, descriptions, requests=False, tags=tags)


@dataclass
class _Lists:
    """Candidates after distance re-ranking, flat and sorted by request then rank."""

    request: np.ndarray
    offer: np.ndarray
    final: np.ndarray
    miles: np.ndarray
    best_own_school: np.ndarray
    best_excluded: np.ndarray
    # The final score before any lift from closeness in meaning (semantic.blend).
    content: np.ndarray
    # Pairs whose shared concepts do not cover the request: they name different languages,
    # sports, instruments or periods of history (so they cannot clear the lower bar for a
    # covered topic).
    uncovered: np.ndarray
    # Pairs that cannot meet the request's kind of need: know-how only for a service, an
    # offer that leaves the person asked for to the other school or names nobody to give.
    know_how: np.ndarray
    # Per pair, the kinds of thing (things.THINGS bits) the request's title asks for that
    # the offer names (not training about them): the thing asked for, so its topic counts
    # as covered. 0: none.
    lent: np.ndarray
    # Pairs where the offer is the thing asked for (lent != 0), worked out once: the
    # unmatched reasons read it per request.
    lends: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.lends = self.lent != 0


def match(
    data: Mapping[str, Any], *, top: int = 5, taxonomy: Taxonomy | None = None, **params: Any
) -> dict[str, Any]:
    """Rank offers for every request and choose this week's pairs (the CLI contract)."""
    problem = validate(data)
    return Matcher(taxonomy, **params).fit_predict(problem, top=top)
