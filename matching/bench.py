"""Benchmark: ``python -m matching.bench --offers N --requests N [--seed S] [--k K] [--json]``.

Generates seeded synthetic posts from the taxonomy (titles from aliases and filler words, a
long tail of rarer words as real posts have, varied tags, formats and capacities; schools
spread over a region), then times the pipeline without reason strings: validate, vectorise,
candidates (exact chunked top-k), distance re-rank and assignment. In the same run it times the
bare chunked sparse product of the same matrices (requests x offers^T, same threads and chunk
size, results discarded): once as scipy's ``a @ b`` on the matrices as the vectoriser made
them, the yardstick, and once the way the pipeline multiplies them (scipy's kernel into reused
buffers without ``a @ b``'s counting pass, offers in the candidate search's column order), so
the pipeline's overhead can be read against either. And, when requests x offers
<= --baseline-max-pairs, it runs the exhaustive dense reference (every pair scored, every row
sorted) and checks that the top-k lists are identical. Memory is the process's peak resident
set size (resource.getrusage ru_maxrss), which includes the generated input itself; the size
before the pipeline is printed too, and so is the peak of the second process that reads the
posts' wording at this scale (matching.wording).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from matching.candidates import (
    _ChunkProduct,
    _neighbourly_order,
    top_k,
    top_k_exhaustive,
    workers,
)
from matching.engine import Matcher
from matching.schema import validate
from matching.taxonomy import Taxonomy

__all__ = ["generate", "run"]

_OFFER_TITLES = [
    "{A}", "Our {a} approach", "Can share our {a} work", "{A} \u2013 come and see",
    "Happy to help with {a}", "{A} support and training", "Experienced {a} lead",
    "{A} and {b}", "We can show {a} in action", "{A} at {w}", "{A}: our {w} approach",
]
_REQUEST_TITLES = [
    "{A}", "Help with {a}", "{A} \u2013 where do we start?", "Looking for {a} support",
    "New to {a}", "Advice on {a} please", "{A} and {b}", "Anyone strong on {a}?",
    "{A} for our {w} classes", "{A} after {w}",
]
_SENTENCES = [
    "We have been working on {a} for {n} years with the {w} {w2} team.",
    "Our {role} would value a conversation about {a}, {w} and {w2}.",
    "We would like to see how another school manages {a} alongside {w} and {w2}.",
    "Happy to share planning and {w} materials from the {w2} project.",
    "Particularly interested in {a} in {y} since the {w} {w2} review.",
    "Recent {w} {w2} project with {y} classes.",
    "We use {w} and {w2} alongside {a}.",
    "Our {y} team changed {a} after visiting {w} in {w2}.",
]
_ROLES = ["head", "deputy", "SENCo", "subject lead", "phase leader", "business manager", "TA team"]
_YEARS = ["Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "EYFS", "KS1", "KS2", "reception"]
_SYLLABLES = ["ba", "co", "del", "fen", "gar", "hol", "in", "ket", "lin", "mor", "nor", "ock",
              "pen", "ros", "sal", "tor", "ul", "ven", "wick", "yar", "zen", "bry", "ston", "ley",
              "ash", "bur", "cas", "dun", "elm", "frith", "gow", "ham", "ing", "kirk", "lud", "mer",
              "nas", "orm", "pol", "quin"]


def _vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    # Pseudo-words stand in for the long tail of real posts: places, schemes, products, names.
    n = len(_SYLLABLES)
    codes = rng.choice(n**3, size=min(size, n**3), replace=False)
    return [_SYLLABLES[c // (n * n)] + _SYLLABLES[(c // n) % n] + _SYLLABLES[c % n]
            for c in codes.tolist()]


def generate(n_offers: int, n_requests: int, seed: int = 0,
             taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """A seeded synthetic matcher input (the command-line dict) of the given size."""
    rng = np.random.default_rng(seed)
    tax = taxonomy if taxonomy is not None else Taxonomy.load()
    concepts = tax.ids
    # Topic popularity is skewed (a few topics are asked about far more than most).
    weights = 1.0 / (np.arange(len(concepts)) + 5.0) ** 0.8
    rng.shuffle(weights)
    weights /= weights.sum()
    names = {c: [tax.label(c), *tax.concept(c).aliases, *tax.concept(c).abbreviations]
             for c in concepts}
    vocab = _vocabulary(rng, 30_000 if n_offers + n_requests > 5_000 else 3_000)
    zipf = 1.0 / (np.arange(len(vocab)) + 1.0) ** 1.05
    zipf /= zipf.sum()

    n_posts = n_offers + n_requests
    n_schools = max(20, n_posts // 15)
    if n_posts > 5_000:  # England-sized region for national scale, else one county
        lat = rng.uniform(50.6, 54.8, n_schools)
        lon = rng.uniform(-3.0, 1.5, n_schools)
    else:
        lat = rng.uniform(52.7, 53.7, n_schools)
        lon = rng.uniform(-0.8, 0.35, n_schools)
    schools = [{"id": f"s{i:06d}", "lat": round(float(lat[i]), 4), "lon": round(float(lon[i]), 4)}
               for i in range(n_schools)]

    # Calibrated to the team's graded posts: about 2.2 concepts and 3.5 distinctive words per
    # post, three in four with a description, about 20 words long.
    topic = rng.choice(len(concepts), (n_posts, 3), p=weights)
    n_topics = rng.choice([1, 2, 3], n_posts, p=[0.25, 0.4, 0.35])
    tail = rng.choice(len(vocab), (n_posts, 6), p=zipf)
    school_of = rng.integers(0, n_schools, n_posts)
    fmt = rng.choice(["in_person", "remote", "either"], n_posts, p=[0.35, 0.2, 0.45])
    capacity = rng.choice([1, 2, 3, 5], n_posts, p=[0.5, 0.3, 0.15, 0.05])
    n_sent = rng.choice([0, 1, 2, 3], n_posts, p=[0.25, 0.25, 0.3, 0.2])
    n_tags = rng.choice([0, 1, 2, 3], n_posts, p=[0.2, 0.35, 0.3, 0.15])
    picks = rng.random((n_posts, 14))

    def pick(options: Sequence[str], u: float) -> str:
        return options[min(int(u * len(options)), len(options) - 1)]

    offers, requests = [], []
    for i in range(n_posts):
        is_offer = i < n_offers
        u = picks[i]
        mine = [concepts[c] for c in topic[i, : int(n_topics[i])]]
        c1, c2 = mine[0], mine[min(1, len(mine) - 1)]
        a, b = pick(names[c1], u[0]), pick(names[c2], u[1])
        words = [vocab[t] for t in tail[i]]
        title = pick(_OFFER_TITLES if is_offer else _REQUEST_TITLES, u[2]).format(
            a=a, A=a[:1].upper() + a[1:], b=b, w=words[4])
        sentences = [
            pick(_SENTENCES, u[3 + j]).format(
                a=pick(names[mine[j % len(mine)]], u[6 + j]), n=1 + int(u[9] * 9),
                role=pick(_ROLES, u[10]), w=words[2 * j], w2=words[2 * j + 1],
                y=pick(_YEARS, u[11]))
            for j in range(int(n_sent[i]))
        ]
        tags = []
        for j in range(int(n_tags[i])):
            v = (u[12] + 0.37 * j) % 1.0
            tags.append(tax.label(c1) if v < 0.5 else pick(names[c2], v) if v < 0.8
                        else words[5 - j % 2])
        post: dict[str, Any] = {
            "id": f"{'o' if is_offer else 'r'}{i:07d}",
            "school": schools[int(school_of[i])]["id"],
            "title": title,
            "description": " ".join(sentences),
            "tags": tags,
            "format": str(fmt[i]),
        }
        if is_offer:
            post["capacity"] = int(capacity[i])
            offers.append(post)
        else:
            requests.append(post)
    exclude = [
        {"request": requests[int(r)]["id"], "offer": offers[int(o)]["id"]}
        for r, o in zip(rng.integers(0, max(n_requests, 1), n_requests // 100),
                        rng.integers(0, max(n_offers, 1), n_requests // 100), strict=True)
    ] if n_offers and n_requests else []
    waiting = {requests[int(r)]["id"]: int(rng.integers(1, 6))
               for r in rng.integers(0, max(n_requests, 1), n_requests // 3)} if n_requests else {}
    return {"schools": schools, "offers": offers, "requests": requests, "exclude": exclude,
            "waiting": waiting}


def _rss_mib() -> float:
    # ru_maxrss is KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _bare_product(q: Any, d: Any, chunk: int, n_workers: int,
                  as_pipeline: bool = False) -> tuple[float, int]:
    """Seconds and total non-zeros of the chunked product requests x offers^T (with
    `as_pipeline`, through the candidate search's product call and column order)."""
    if as_pipeline:
        d = d[np.argsort(_neighbourly_order(q, d))]
    dt = d.T.tocsr()
    product = _ChunkProduct()

    def work(lo: int) -> int:
        if as_pipeline:
            return len(product(q[lo : lo + chunk], dt)[0])
        return int((q[lo : lo + chunk] @ dt).nnz)

    start = time.perf_counter()
    starts = range(0, q.shape[0], chunk)
    if n_workers > 1:
        with ThreadPoolExecutor(n_workers) as pool:
            nnz = sum(pool.map(work, starts))
    else:
        nnz = sum(map(work, starts))
    return time.perf_counter() - start, nnz


def run(n_offers: int, n_requests: int, *, seed: int = 0, k: int = 20,
        baseline_max_pairs: float = 7e8, matcher: Matcher | None = None) -> dict[str, Any]:
    """Generate, run and time everything; returns the figures as a dict."""
    figures: dict[str, Any] = {
        "offers": n_offers, "requests": n_requests, "seed": seed, "k": k,
        "machine": f"{os.cpu_count()} cores, {platform.machine()}",
        "memory_measure": "peak RSS of the process (resource.getrusage ru_maxrss)",
    }
    t = time.perf_counter()
    data = generate(n_offers, n_requests, seed)
    figures["generate_s"] = round(time.perf_counter() - t, 2)
    figures["rss_before_pipeline_mib"] = round(_rss_mib(), 1)

    # The semantic extra embeds every post (about 220 a second on two cores): it is for a
    # partnership's few hundred posts, not national scale, so the bench measures without it.
    model = matcher if matcher is not None else Matcher(candidates=k, semantic="off")
    stages: dict[str, float] = {}
    rss: dict[str, float] = {}
    t0 = time.perf_counter()
    problem = validate(data)
    stages["validate"] = time.perf_counter() - t0
    rss["validate"] = round(_rss_mib(), 1)
    t = time.perf_counter()
    with model._wording(problem) as wording:  # a second process at this scale
        texts = model._analyse(problem)
        model._fit(texts)
        run_ = model._prepare(problem, texts, wording)
    stages["vectorise"] = time.perf_counter() - t
    rss["vectorise"] = round(_rss_mib(), 1)
    t = time.perf_counter()
    cands = model._candidates(run_, k)
    stages["candidates"] = time.perf_counter() - t
    rss["candidates"] = round(_rss_mib(), 1)
    t = time.perf_counter()
    lists = model._rerank(run_, cands)
    stages["rerank"] = time.perf_counter() - t
    rss["rerank"] = round(_rss_mib(), 1)
    t = time.perf_counter()
    edges, chosen = model._assign(run_, lists)
    stages["assignment"] = time.perf_counter() - t
    rss["assignment"] = round(_rss_mib(), 1)
    total = time.perf_counter() - t0
    figures["stages_s"] = {name: round(v, 3) for name, v in stages.items()}
    figures["peak_rss_after_stage_mib"] = rss
    figures["pipeline_s"] = round(total, 2)
    figures["solver"] = ("exact" if model.solver == "exact" or (
        model.solver == "auto" and len(edges.value) <= model.exact_max_edges) else "greedy")
    figures["pairs"] = len(chosen)
    figures["edges_above_threshold"] = len(edges.value)
    figures["peak_rss_after_pipeline_mib"] = round(_rss_mib(), 1)
    # The second process that reads the wording flags (None if the run used none) lives
    # within the vectorise stage, so its peak plus this process's peak by the end of that
    # stage bounds the two processes' total then; the run's bound is the larger of that and
    # this process's own peak.
    child = wording.child_peak_mib
    figures["peak_rss_second_process_mib"] = child
    figures["peak_rss_both_processes_at_most_mib"] = round(
        max(_rss_mib(), rss["vectorise"] + (child or 0.0)), 1)
    q, d = run_.q, run_.d
    figures["features"] = int(q.shape[1])
    figures["nnz_per_post"] = round((q.nnz + d.nnz) / max(q.shape[0] + d.shape[0], 1), 2)

    n_workers = workers(model.n_jobs)
    bare_s, nnz = _bare_product(q, d, model.chunk_size, n_workers)
    figures["bare_product_s"] = round(bare_s, 2)
    figures["product_nnz"] = nnz
    figures["product_density"] = nnz / max(q.shape[0] * d.shape[0], 1)
    figures["pipeline_over_bare_product"] = round(total / bare_s, 2) if bare_s else None
    figures["candidates_over_bare_product"] = round(stages["candidates"] / bare_s, 2) if bare_s \
        else None
    same_s, same_nnz = _bare_product(q, d, model.chunk_size, n_workers, as_pipeline=True)
    assert same_nnz == nnz
    figures["bare_product_as_pipeline_s"] = round(same_s, 2)
    figures["pipeline_over_bare_product_as_pipeline"] = round(total / same_s, 2) if same_s \
        else None

    if q.shape[0] * d.shape[0] <= baseline_max_pairs:
        kwargs = dict(
            min_score=model.min_score, request_format=run_.req_format,
            offer_format=run_.off_format, request_school=run_.req_school,
            offer_school=run_.off_school, exclude=model._exclusions(run_),
            tie_break=model._tie_break(run_), resolution=model.resolution,
        )
        t = time.perf_counter()
        ref = top_k_exhaustive(q, d, k, **kwargs)
        figures["exhaustive_s"] = round(time.perf_counter() - t, 2)
        again = top_k(q, d, k, chunk_size=model.chunk_size, n_jobs=n_workers, **kwargs)
        figures["topk_identical_to_exhaustive"] = bool(
            np.array_equal(ref.request, cands.request)
            and np.array_equal(ref.offer, cands.offer)
            and np.array_equal(ref.score, cands.score)
            and np.array_equal(again.offer, cands.offer)
        )
    else:
        figures["exhaustive_s"] = None
        figures["topk_identical_to_exhaustive"] = None
    figures["peak_rss_mib"] = round(_rss_mib(), 1)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(prog="python -m matching.bench",
                                     description="Time the matcher on synthetic posts.")
    parser.add_argument("--offers", type=int, required=True)
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, default=20,
                        help="candidates kept per request (the matcher's default is 20)")
    parser.add_argument("--baseline-max-pairs", type=float, default=7e8,
                        help="run the exhaustive reference up to this many pairs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.offers < 1 or args.requests < 1 or args.k < 1:
        parser.error("--offers, --requests and --k must be at least 1")
    figures = run(args.offers, args.requests, seed=args.seed, k=args.k,
                  baseline_max_pairs=args.baseline_max_pairs)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:<30} {value}")
        ok = figures["topk_identical_to_exhaustive"]
        if ok is False:
            print("TOP-K DIFFERS FROM THE EXHAUSTIVE BASELINE", file=sys.stderr)
    return 0 if figures["topk_identical_to_exhaustive"] is not False else 1


if __name__ == "__main__":
    sys.exit(main())
