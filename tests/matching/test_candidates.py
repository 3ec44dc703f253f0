"""Chunked top-k is exactly the exhaustive (dense, fully sorted) top-k."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from matching.bench import generate
from matching.candidates import (
    _ChunkProduct,
    _neighbourly_order,
    _row_thresholds,
    top_k,
    top_k_exhaustive,
)
from matching.engine import Matcher
from matching.schema import validate


def same(a, b) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in (
        "request", "offer", "score", "best_own_school", "best_excluded"))


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


@pytest.mark.parametrize("seed", [0, 1])
def test_row_bounds_never_cut_into_a_rows_top_list(seed: int) -> None:
    # Long rows (as at national scale), some with runs of equal scores, some short.
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 3000, 64)
    lengths[:4] = [0, 3, 50, 2999]
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    data = rng.random(indptr[-1]).astype(np.float32)
    data[: indptr[8]] = np.round(data[: indptr[8]] * 8) / 8
    limit = rng.integers(1, 40, 64)
    bound = _row_thresholds(data, indptr, limit, 0.01)
    for r in range(64):
        row = np.sort(data[indptr[r]:indptr[r + 1]])[::-1]
        if len(row) >= limit[r]:
            assert bound[r] <= row[limit[r] - 1]
        # The bound does its job: a long row of distinct scores keeps far fewer entries.
        if len(row) > 1000 and r >= 8:
            assert (row >= bound[r]).sum() < len(row) / 2


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


def test_offers_sharing_their_busiest_feature_get_neighbouring_columns() -> None:
    # Feature 0 is in every request and half the offers (the busiest); feature 1 in the rest.
    q = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 1]], dtype=np.float32))
    d = sp.csr_matrix(np.array([[1, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1], [1, 0, 0]],
                               dtype=np.float32))
    position = _neighbourly_order(q, d)
    assert sorted(position.tolist()) == [0, 1, 2, 3, 4]
    # Offers 0, 2 and 4 (feature 0) first, in a run; then 1 and 3.
    assert sorted(position[[0, 2, 4]].tolist()) == [0, 1, 2]
    assert sorted(position[[1, 3]].tolist()) == [3, 4]


def test_blocked_offers_count_only_if_they_would_have_made_the_list() -> None:
    # Request 0 (school 0): its own school's offer scores 0.5, under three allowed offers.
    q = sp.csr_matrix(np.array([[1.0, 0.0]], dtype=np.float32))
    d = sp.csr_matrix(np.array([[0.5, 0], [0.9, 0], [0.8, 0], [0.7, 0]], dtype=np.float32))
    kwargs = dict(request_school=np.array([0]), offer_school=np.array([0, 1, 2, 3]))
    for k, expected in ((2, 0.0), (3, 0.0), (4, 0.5)):
        fast = top_k(q, d, k, **kwargs)
        assert fast.best_own_school.tolist() == [expected]
        assert same(fast, top_k_exhaustive(q, d, k, **kwargs))
