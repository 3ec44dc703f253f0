"""Chunked top-k is exactly the exhaustive (dense, fully sorted) top-k."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matching.bench import generate
from matching.candidates import _ChunkProduct, top_k, top_k_exhaustive
from matching.engine import Matcher
from matching.schema import validate


def same(a, b) -> bool:
    return (np.array_equal(a.request, b.request) and np.array_equal(a.offer, b.offer)
            and np.array_equal(a.score, b.score))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_sparse_rows_with_many_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)

    def rows(n: int) -> sp.csr_matrix:
        m = sp.random(n, 40, density=0.1, random_state=rng, format="csr", dtype=np.float32)
        # Coarse values (lots of exact ties) plus some fine ones (near-ties within buckets).
        m.data = np.where(rng.random(m.nnz) < 0.5, np.round(m.data * 4) / 4, m.data)
        return m

    q, d = rows(250), rows(300)
    rx, ox = rng.integers(0, 30, 250), rng.integers(0, 30, 300)
    kwargs = dict(
        min_score=0.05,
        request_format=rng.integers(0, 3, 250),
        offer_format=rng.integers(0, 3, 300),
        request_school=rng.integers(0, 25, 250),
        offer_school=rng.integers(0, 25, 300),
        exclude=[(int(rng.integers(250)), int(rng.integers(300))) for _ in range(150)],
    )
    for tie in (None, lambda r, o: np.abs(rx[r] - ox[o])):
        for resolution in (0.0, 0.1):
            for k in (1, 5, 12):
                fast = top_k(q, d, k, chunk_size=23, n_jobs=2, tie_break=tie,
                             resolution=resolution, **kwargs)
                slow = top_k_exhaustive(q, d, k, tie_break=tie, resolution=resolution, **kwargs)
                assert same(fast, slow)
            assert np.all(np.bincount(fast.request, minlength=250) <= k)


def test_generated_posts_through_the_matcher_match_the_exhaustive_baseline() -> None:
    problem = validate(generate(600, 500, seed=3))
    model = Matcher(candidates=10)
    texts = model._analyse(problem)
    model._fit(texts)
    run = model._prepare(problem, texts)
    fast = model._candidates(run, 10)
    slow = top_k_exhaustive(
        run.q, run.d, 10, min_score=model.min_score, request_format=run.req_format,
        offer_format=run.off_format, request_school=run.req_school,
        offer_school=run.off_school, exclude=model._exclusions(run),
        tie_break=model._tie_break(run), resolution=model.resolution,
    )
    assert len(fast.request) > 1000
    assert same(fast, slow)


def test_k_must_be_positive() -> None:
    m = sp.csr_matrix(np.eye(3, dtype=np.float32))
    with pytest.raises(ValueError):
        top_k(m, m, 0)


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_chunk_product_is_the_sparse_product_entry_for_entry(index_dtype: type) -> None:
    # The per-row sample bound reads entries in the product's order, so not only the values
    # but their order must be those of a @ b, chunk after chunk through reused buffers.
    rng = np.random.default_rng(5)
    a = sp.random(300, 60, density=0.08, random_state=rng, format="csr", dtype=np.float32)
    b = sp.random(60, 500, density=0.1, random_state=rng, format="csr", dtype=np.float32)
    for m in (a, b):
        m.indptr, m.indices = m.indptr.astype(index_dtype), m.indices.astype(index_dtype)
    product = _ChunkProduct()
    for lo in (0, 100, 200, 0):
        chunk = a[lo : lo + 100]
        data, indices, indptr = product(chunk, b)
        expected = chunk @ b
        assert np.array_equal(indptr, expected.indptr)
        assert np.array_equal(indices, expected.indices)
        assert np.array_equal(data, expected.data)
