"""Exact top-k offers per request from sparse rows, without the full requests x offers matrix.

Requests are processed in chunks: each chunk's sparse product with the offers is cut to the
best k per request (ties broken by offer index, which is id order) and then dropped, so memory
is bounded by one chunk per worker. Format compatibility is applied before the product: offers
are ordered in-person | either | remote, so every request format meets one contiguous column
range, and within it offers that share their busiest features sit side by side (a quicker
product, see _neighbourly_order). Own-school and excluded offers are few per request, so the
chunk keeps k plus that many and removes them afterwards, which is still exact.

``top_k_exhaustive`` is the reference: it scores every pair densely and sorts every row fully.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

try:  # scipy's own kernel behind csr @ csr (see _ChunkProduct)
    from scipy.sparse._sparsetools import csr_matmat as _csr_matmat
except ImportError:  # pragma: no cover - a scipy without it: plain products
    _csr_matmat = None

__all__ = ["COMPATIBLE", "FORMAT_CODES", "Candidates", "top_k", "top_k_exhaustive", "workers"]

# Offer columns are grouped in this order so each request format reads one column range.
FORMAT_CODES = {"in_person": 0, "either": 1, "remote": 2}
# COMPATIBLE[request format, offer format]: in person never meets remote.
COMPATIBLE = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=bool)


@dataclass
class Candidates:
    """Top-k lists: flat arrays sorted by request, then score descending, then offer index."""

    request: np.ndarray
    offer: np.ndarray
    score: np.ndarray
    # Best score of an own-school / excluded offer that would have made each request's list.
    best_own_school: np.ndarray
    best_excluded: np.ndarray
    # Scores before the semantic extra raised them (None: `score` is the content score).
    content: np.ndarray | None = None

    def lists(self, n_requests: int) -> list[list[tuple[int, float]]]:
        """Per request: [(offer index, score), ...] best first."""
        out: list[list[tuple[int, float]]] = [[] for _ in range(n_requests)]
        for r, o, s in zip(self.request.tolist(), self.offer.tolist(), self.score.tolist(),
                           strict=True):
            out[r].append((o, s))
        return out


def workers(n_jobs: int | None) -> int:
    """The workers a matcher's ``n_jobs`` allows (None: up to 2, as the machine has)."""
    return n_jobs if n_jobs is not None else min(2, os.cpu_count() or 1)


def _pair_keys(req: np.ndarray, off: np.ndarray, n_offers: int) -> np.ndarray:
    return req.astype(np.int64) * n_offers + off.astype(np.int64)


def _blocked_sets(
    n_requests: int,
    n_offers: int,
    request_school: np.ndarray | None,
    offer_school: np.ndarray | None,
    exclude: Sequence[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray]:
    """How many offers each request must skip at most, and the sorted excluded pair keys."""
    extra = np.zeros(n_requests, dtype=np.int64)
    if request_school is not None and offer_school is not None:
        per_school = np.bincount(offer_school, minlength=int(max(
            offer_school.max(initial=-1), request_school.max(initial=-1)) + 1))
        extra += per_school[request_school]
    if len(exclude):
        pairs = np.asarray(exclude, dtype=np.int64).reshape(-1, 2)
        extra += np.bincount(pairs[:, 0], minlength=n_requests)
        keys = np.unique(_pair_keys(pairs[:, 0], pairs[:, 1], n_offers))
    else:
        keys = np.zeros(0, dtype=np.int64)
    return extra, keys


def _order_key(row: np.ndarray, val: np.ndarray, tie: np.ndarray | None) -> np.ndarray | None:
    """One int64 per entry that sorts by row, then score descending, then tie ascending.

    Positive float32 scores compare like their bit patterns, so (row, inverted score bits,
    tie) packs into 63 bits: one integer sort instead of a three-key lexsort. None if the
    values do not fit (then the caller falls back to lexsort).
    """
    tie_bits = int(tie.max(initial=0)).bit_length() if tie is not None else 0
    row_bits = int(row.max(initial=0)).bit_length()
    if row_bits + 31 + tie_bits > 63:
        return None
    bits = np.asarray(val, dtype=np.float32).view(np.int32).astype(np.int64)
    key = (row.astype(np.int64) << (31 + tie_bits)) | ((0x7FFFFFFF - bits) << tie_bits)
    if tie is not None:
        key |= tie.astype(np.int64)
    return key


_VMAX = 0x7FFFFFFF


def _value_key(val: np.ndarray, resolution: float) -> np.ndarray:
    """A non-negative int64 that orders scores (ascending), equal within `resolution`.

    With resolution 0 it is the float32 bit pattern (exact order); otherwise the index of the
    score's bucket of that width, so scores in one bucket count as equal.
    """
    if resolution > 0:
        return np.floor(np.asarray(val, dtype=np.float64) / resolution).astype(np.int64)
    return np.asarray(val, dtype=np.float32).view(np.int32).astype(np.int64)


def _row_thresholds(
    data: np.ndarray, indptr: np.ndarray, limit: np.ndarray, floor: float
) -> np.ndarray:
    """Per row, a score that at least `limit` of its entries reach (or `floor`).

    The limit-th best of an every-step-th subsample of a row is a lower bound on the row's
    limit-th best, so no entry of the row's true top list falls below it; so is anything
    lower, such as the lower edge of the histogram bucket that holds it (float32 scores are
    bucketed, not sorted). The step balances the sample's size against how many entries
    survive the bound (about step * limit).
    """
    m = len(indptr) - 1
    counts = np.diff(indptr)
    thresholds = np.full(m, floor, dtype=np.float64)
    big = counts > 4 * limit
    if not big.any():
        return thresholds
    step = max(2, int(np.sqrt(np.median(counts[big]) / max(np.median(limit[big]), 1))))
    # Every step-th entry; row r holds the multiples of step in [indptr[r], indptr[r + 1]).
    first = (np.asarray(indptr, dtype=np.int64) + (step - 1)) // step
    n_sample = np.diff(first)
    sample_val = np.ascontiguousarray(data[::step])  # one strided pass over the chunk
    rows = np.flatnonzero(big & (n_sample >= limit))
    sample_row = np.repeat(np.arange(m), n_sample)
    if sample_val.dtype == np.float32 and sample_val.min(initial=0.0) >= 0:
        # No sort: a histogram of the sample's scores (their float32 bit patterns, which order
        # like the scores, cut into at most 512 buckets) gives per row the bucket holding its
        # limit-th best, and that bucket's lowest bit pattern is a bound at or below it.
        # Scores under the floor never count, so they share the lowest bucket and the buckets
        # only span [floor, best].
        key = sample_val.view(np.int32).astype(np.int64)
        lo = max(int(key.min()) if len(key) else 0,
                 int(np.array(floor, dtype=np.float32).view(np.int32)))
        _, cut, shift = _histogram_cut(sample_row, key, limit, m, lo)
        # cut >= 0 for these rows: each has at least `limit` sampled entries.
        picked = (lo + (cut[rows] << shift)).astype(np.int32).view(np.float32)
    else:
        starts = np.cumsum(n_sample) - n_sample
        picks = starts[rows] + limit[rows] - 1
        key = _order_key(sample_row, sample_val, None)
        if key is None:
            order = np.lexsort((-sample_val, sample_row))
            sample_val = sample_val[order]
        else:
            key.sort()
            sample_val = (0x7FFFFFFF - (key & 0x7FFFFFFF)).astype(np.int32).view(np.float32)
        picked = sample_val[picks]
    thresholds[rows] = np.maximum(picked, floor)
    return thresholds


TieBreak = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _pack(*parts: tuple[np.ndarray, int]) -> np.ndarray | None:
    """Pack non-negative integer columns (value, bits) into one sortable int64, or None."""
    if sum(bits for _, bits in parts) > 63:
        return None
    key = np.zeros(len(parts[0][0]), dtype=np.int64)
    for values, bits in parts:
        key = (key << bits) | values.astype(np.int64)
    return key


def _bits(values: np.ndarray) -> int:
    return max(int(values.max(initial=0)).bit_length(), 1)


def _argsort_packed(*parts: tuple[np.ndarray, int]) -> np.ndarray | None:
    """A stable argsort by the packed parts, or None if they and the index need over 63 bits.

    Each key carries its own index in the low bits, so one np.sort of the keys (several times
    quicker than np.argsort) gives the order.
    """
    n = len(parts[0][0])
    index_bits = max((n - 1).bit_length(), 1)
    key = _pack(*parts, (np.arange(n), index_bits))
    if key is None:
        return None
    key.sort()
    return key & ((1 << index_bits) - 1)


def _select_top(
    row: np.ndarray,
    offer: np.ndarray,
    val: np.ndarray,
    limit: np.ndarray,
    m: int,
    req_of_row: np.ndarray,
    tie_break: TieBreak | None,
    resolution: float,
) -> np.ndarray:
    """Positions of the best `limit[row]` entries of each row, in (score desc, offer) order.

    Who gets in: score descending (scores within `resolution` count as equal), then
    tie_break(request, offer) ascending, then offer index. tie_break is only evaluated for
    the group of equal scores that straddles a row's cut.
    """
    vkey = _value_key(val, resolution)
    order = None
    if tie_break is not None:
        # Which entries are above or at a row's cut does not depend on the order of equal
        # scores (tie-break and offer decide that below), so row and score are enough here.
        order = _argsort_packed((row, _bits(row)), (_VMAX - vkey, 31))
    if order is None:
        packed = _pack((row, _bits(row)), (_VMAX - vkey, 31), (offer, _bits(offer)))
        order = np.argsort(packed) if packed is not None else np.lexsort((offer, -vkey, row))
    r, v = row[order], vkey[order]
    starts = np.searchsorted(r, np.arange(m))
    if tie_break is None:
        rank = np.arange(len(order)) - starts[r]
        chosen = order[rank < limit[r]]
    else:
        counts = np.bincount(r, minlength=m)
        full = np.flatnonzero(counts > limit)
        cut = np.full(m, -1, dtype=np.int64)  # rows that fit entirely keep everything
        cut[full] = v[starts[full] + limit[full] - 1]
        above = v > cut[r]
        boundary = np.flatnonzero(v == cut[r])
        room = limit - np.bincount(r[above], minlength=m)
        members = order[boundary]
        tie = tie_break(req_of_row[row[members]], offer[members])
        parts = ((row[members], _bits(row)), (tie, _bits(tie)), (offer[members], _bits(offer)))
        inner = _argsort_packed(*parts)
        if inner is None:
            key = _pack(*parts)
            inner = np.argsort(key) if key is not None else np.lexsort(
                (offer[members], tie, row[members]))
        members = members[inner]
        mr = row[members]
        first = np.searchsorted(mr, np.arange(m))
        taken = members[(np.arange(len(members)) - first[mr]) < room[mr]]
        chosen = np.concatenate([order[above], taken])
    # Canonical output order: score descending, then offer index.
    final = _order_key(row[chosen], val[chosen], offer[chosen])
    if final is None:
        return chosen[np.lexsort((offer[chosen], -val[chosen], row[chosen]))]
    return chosen[np.argsort(final)]


def _at_least(data: np.ndarray, indptr: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """Positions of the entries that reach their row's bound (CSR data and indptr).

    One comparison per row into a shared mask: cheaper than repeating the bounds over
    millions of entries.
    """
    mask = np.empty(len(data), dtype=bool)
    ends = indptr.tolist()
    for r, b in enumerate(bound.tolist()):
        np.greater_equal(data[ends[r] : ends[r + 1]], b, out=mask[ends[r] : ends[r + 1]])
    return np.flatnonzero(mask)


def _histogram_cut(row: np.ndarray, key: np.ndarray, limit: np.ndarray | int, m: int,
                   lo: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Each entry's histogram bucket and, per row, the bucket holding its limit-th best key.

    Keys from `lo` up are cut into at most 512 ordered buckets (keys under `lo` share the
    lowest); one counting pass finds, per row, the highest bucket with at least `limit` of
    the row's entries in it or above (-1: the row has fewer). Bucket b starts at key
    lo + (b << shift). Returns (bucket, cut, shift).
    """
    span = max(int(key.max(initial=lo)) - lo, 0)
    shift = max(0, span.bit_length() - 9)
    n_buckets = (span >> shift) + 1
    bucket = np.maximum(key - lo, 0) >> shift
    counts = np.bincount(row * n_buckets + bucket, minlength=m * n_buckets).reshape(
        m, n_buckets)
    # at_least[r, b]: entries of row r in bucket b or above (non-increasing in b).
    at_least = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]
    cut = (at_least >= np.broadcast_to(limit, (m,))[:, None]).sum(axis=1) - 1
    return bucket, cut, shift


def _tighten(row: np.ndarray, vkey: np.ndarray, k: int, m: int) -> np.ndarray:
    """Positions of the entries that can be among their row's k best, by a histogram.

    Per row, only entries in the bucket holding the k-th best key or above are kept
    (_histogram_cut). Every entry whose key reaches the k-th best key survives (ties
    included), so choosing among the survivors gives exactly the same lists.
    """
    if len(row) == 0:
        return np.zeros(0, dtype=np.int64)
    bucket, cut, _ = _histogram_cut(row, vkey, k, m, int(vkey.min()))
    return np.flatnonzero(bucket >= cut[row])


def _best_blocked(
    b_row: np.ndarray, b_val: np.ndarray, row: np.ndarray, val: np.ndarray, k: int, m: int
) -> np.ndarray:
    """Per row, the best blocked score that would have made the row's list (else 0).

    That is a blocked entry scoring at least the lowest of the k chosen, or any blocked entry
    when fewer than k were chosen. Every such entry is among the row's k + (blocked) best, so
    it passed the bound whatever sample set it: the figure does not depend on the sample.
    """
    lowest = np.full(m, np.inf)
    np.minimum.at(lowest, row, val)
    lowest[np.bincount(row, minlength=m) < k] = -np.inf
    best = np.zeros(m, dtype=np.float64)
    seen = b_val >= lowest[b_row]
    np.maximum.at(best, b_row[seen], b_val[seen])
    return best


class _ChunkProduct:
    """Products of request chunks with the offers, into buffers each thread reuses.

    ``a @ b`` runs scipy's kernel twice: once only to count the result's entries
    (csr_matmat_maxnnz), then to compute them into newly allocated arrays, whose pages the
    system must supply afresh for every chunk (70 MB for a national chunk). Here the count is
    bounded from row lengths alone (a row has at most one entry per multiply-add and one per
    column), and the same kernel (csr_matmat) writes into buffers kept for the thread's next
    chunk: at 250k x 250k the product took about a fifth less time. Same kernel, same inputs:
    the entries and their order are exactly those of ``a @ b``. Anything the kernel's 32-bit
    path does not cover (other index or value types, huge chunks) falls back to ``a @ b``.
    """

    def __init__(self) -> None:
        self.local = threading.local()

    def __call__(self, a: sp.csr_matrix, b: sp.csr_matrix) -> tuple[np.ndarray, ...]:
        """(data, indices, indptr) of ``a @ b``; valid until this thread's next call."""
        m, n = a.shape[0], b.shape[1]
        # Multiply-adds per row of a: the lengths of the rows of b its entries select.
        work = np.concatenate(([0], np.cumsum(np.diff(b.indptr).astype(np.int64)[a.indices])))
        cap = int(np.minimum(work[a.indptr[1:]] - work[a.indptr[:-1]], n).sum())
        i32 = np.dtype(np.int32)
        if (_csr_matmat is None or a.dtype != b.dtype or a.dtype not in (np.float32, np.float64)
                or any(x.dtype != i32 for x in (a.indptr, a.indices, b.indptr, b.indices))
                or max(cap, m, n) >= np.iinfo(np.int32).max):
            s = a @ b
            return s.data, s.indices, s.indptr
        buffers = getattr(self.local, "buffers", None)
        if buffers is None or len(buffers[0]) < cap or buffers[0].dtype != a.dtype:
            # A little headroom, so that a slightly larger chunk does not reallocate.
            size = cap if buffers is None else max(cap, len(buffers[0]) * 5 // 4)
            buffers = self.local.buffers = (np.empty(size, a.dtype), np.empty(size, i32))
        data, indices = buffers
        indptr = np.empty(m + 1, dtype=i32)
        _csr_matmat(m, n, a.indptr, a.indices, a.data, b.indptr, b.indices, b.data, indptr,
                    indices, data)
        nnz = int(indptr[-1])
        return data[:nnz], indices[:nnz], indptr


@dataclass
class _Layout:
    perm: np.ndarray  # column position -> offer index
    ranges: dict[int, tuple[int, int]]  # request format code -> column range
    slices: dict[int, sp.csr_matrix]  # request format code -> (features x columns) matrix


# How many of an offer's busiest features decide its column (see _neighbourly_order).
_ORDER_DEPTH = 3


def _neighbourly_order(q: sp.csr_matrix, d: sp.csr_matrix) -> np.ndarray:
    """One sort key per offer that puts offers sharing their busiest features side by side.

    The product's kernel adds each request feature's offers into a running row of scores, so
    its time goes on scattered reads and writes into that row. Offers ordered by their
    busiest features (those in most request x offer pairs), then the next busiest, turn the
    busiest features' offer lists into nearly contiguous runs of columns: at 250k x 250k the
    product took about 45% less time. Columns are only relabelled, so every score is the
    same; ties are still broken by offer index, never by column.
    """
    n_off, n_feat = d.shape
    busy = (np.bincount(q.indices, minlength=n_feat).astype(np.float64)
            * np.bincount(d.indices, minlength=n_feat))
    rank = np.empty(n_feat, dtype=np.int64)
    rank[np.argsort(-busy, kind="stable")] = np.arange(n_feat)  # 0: the busiest feature
    row = np.repeat(np.arange(n_off), np.diff(d.indptr))
    entry = np.lexsort((rank[d.indices], row))  # per offer, its features busiest first
    row, feat_rank = row[entry], rank[d.indices][entry]
    start = np.searchsorted(row, np.arange(n_off))
    count = np.diff(np.append(start, len(row)))
    keys = []
    for j in range(_ORDER_DEPTH):
        key = np.full(n_off, n_feat, dtype=np.int64)  # no j-th feature: after every feature
        has = count > j
        key[has] = feat_rank[start[has] + j]
        keys.append(key)
    order = np.lexsort((np.arange(n_off), *reversed(keys)))
    out = np.empty(n_off, dtype=np.int64)
    out[order] = np.arange(n_off)
    return out


def _layout(q: sp.csr_matrix, d: sp.csr_matrix, offer_format: np.ndarray | None) -> _Layout:
    n = d.shape[0]
    near = _neighbourly_order(q, d)
    if offer_format is None:
        perm = np.argsort(near, kind="stable")
        ranges = {c: (0, n) for c in FORMAT_CODES.values()}
    else:
        perm = np.lexsort((near, offer_format))
        n_in, n_either = (int((offer_format == c).sum()) for c in (0, 1))
        ranges = {0: (0, n_in + n_either), 1: (0, n), 2: (n_in, n)}
    dt = d[perm].T.tocsr()
    slices: dict[int, sp.csr_matrix] = {}
    for code, (lo, hi) in ranges.items():
        key = (lo, hi)
        same = next((slices[c] for c, r in ranges.items() if r == key and c in slices), None)
        slices[code] = same if same is not None else dt[:, lo:hi].tocsr()
    return _Layout(perm, ranges, slices)


def _chunks(request_format: np.ndarray | None, n: int, size: int) -> list[tuple[int, np.ndarray]]:
    codes = np.zeros(n, dtype=np.int64) if request_format is None else request_format
    # `either` (code 1) reads every column, which is also right when formats are unknown.
    if request_format is None:
        codes = np.ones(n, dtype=np.int64)
    out = []
    for code in (0, 1, 2):
        idx = np.flatnonzero(codes == code)
        out.extend((code, idx[i : i + size]) for i in range(0, len(idx), size))
    return out


def top_k(
    q: sp.csr_matrix,
    d: sp.csr_matrix,
    k: int,
    *,
    min_score: float = 0.0,
    request_format: np.ndarray | None = None,
    offer_format: np.ndarray | None = None,
    request_school: np.ndarray | None = None,
    offer_school: np.ndarray | None = None,
    exclude: Sequence[tuple[int, int]] = (),
    tie_break: TieBreak | None = None,
    resolution: float = 0.0,
    chunk_size: int = 512,
    n_jobs: int | None = None,
) -> Candidates:
    """The k best allowed offers (rows of d) for every request (row of q), score >= min_score.

    Formats are codes from FORMAT_CODES; schools are integer codes; `exclude` holds
    (request index, offer index) pairs. Scores are dot products of the rows. Equal scores are
    ordered by ``tie_break(request indices, offer indices)`` (small non-negative integers,
    smaller first; e.g. travel distance), then by offer index. With ``resolution`` > 0, scores
    in the same bucket of that width count as equal for this ordering (the returned scores are
    exact), so the tie-break can prefer, say, a nearer offer over a marginally higher score.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    q = sp.csr_matrix(q)
    d = sp.csr_matrix(d)
    n_req, n_off = q.shape[0], d.shape[0]
    extra, excluded = _blocked_sets(n_req, n_off, request_school, offer_school, exclude)
    has_exclusion = np.zeros(n_req, dtype=bool)
    has_exclusion[(excluded // max(n_off, 1)).astype(np.int64)] = True
    layout = _layout(q, d, offer_format)
    floor = max(float(min_score), np.finfo(np.float32).tiny)

    column_school: dict[int, np.ndarray] = {}
    if request_school is not None and offer_school is not None:
        # School of each column of each format's slice.
        for code, (lo_, hi_) in layout.ranges.items():
            column_school[code] = offer_school[layout.perm[lo_:hi_]]

    product = _ChunkProduct()

    def work(task: tuple[int, np.ndarray]) -> tuple[np.ndarray, ...]:
        code, idx = task
        m = len(idx)
        lo, _hi = layout.ranges[code]
        data, indices, indptr = product(q[idx], layout.slices[code])
        limit = k + extra[idx]
        # One cheap pass against a per-row lower bound leaves few entries to sort exactly.
        bound = _row_thresholds(data, indptr, limit, floor)
        if resolution > 0:
            # Keep the whole bucket that holds the cut (just below its lower edge), not
            # entries under the floor.
            edge = np.floor(bound / resolution) * resolution * (1 - 1e-6)
            bound = np.maximum(edge, floor)
        bound = bound.astype(data.dtype)
        keep = _at_least(data, indptr, bound)
        # Rows of the kept entries (keep is sorted, so one count per row).
        row = np.repeat(np.arange(m), np.diff(np.searchsorted(keep, indptr)))
        val = data[keep]
        cols = indices[keep]
        # The bound left at least k + (own-school and excluded offers) entries per row, so
        # dropping those offers here still leaves every row's true top k.
        own = np.zeros(len(row), dtype=bool)
        if request_school is not None and offer_school is not None:
            own = column_school[code][cols] == request_school[idx][row]
        banned = np.zeros(len(row), dtype=bool)
        if len(excluded):
            # Only rows with an exclusion need the (sorting) membership test.
            rows_ex = np.flatnonzero(has_exclusion[idx][row])
            if len(rows_ex):
                off_ex = layout.perm[cols[rows_ex].astype(np.int64) + lo]
                banned[rows_ex] = np.isin(_pair_keys(idx[row[rows_ex]], off_ex, n_off),
                                          excluded)
        own_row, own_val = row[own], val[own]
        ex_row, ex_val = row[banned & ~own], val[banned & ~own]
        ok = np.flatnonzero(~(own | banned))
        # The bound is loose (hundreds per row at national scale); a histogram of the allowed
        # entries narrows them to about k per row before the exact sort.
        ok = ok[_tighten(row[ok], _value_key(val[ok], resolution), k, m)]
        row, val = row[ok], val[ok]
        offer = layout.perm[cols[ok].astype(np.int64) + lo]
        pos = _select_top(row, offer, val, np.full(m, k), m, idx, tie_break, resolution)
        row, offer, val = row[pos], offer[pos], val[pos]
        best_own = _best_blocked(own_row, own_val, row, val, k, m)
        best_ex = _best_blocked(ex_row, ex_val, row, val, k, m)
        return idx[row], offer, val, idx, best_own, best_ex

    tasks = _chunks(request_format, n_req, chunk_size)
    n_workers = workers(n_jobs)
    if n_workers > 1 and len(tasks) > 1:
        # The sparse product and numpy release the GIL, so threads use both cores.
        with ThreadPoolExecutor(n_workers) as pool:
            results = list(pool.map(work, tasks))
    else:
        results = [work(t) for t in tasks]
    best_own = np.zeros(n_req)
    best_ex = np.zeros(n_req)
    parts_r, parts_o, parts_s = [], [], []
    for req, off, val, idx, bo, be in results:
        parts_r.append(req)
        parts_o.append(off)
        parts_s.append(val)
        best_own[idx] = bo
        best_ex[idx] = be
    req = np.concatenate(parts_r) if parts_r else np.zeros(0, dtype=np.int64)
    off = np.concatenate(parts_o) if parts_o else np.zeros(0, dtype=np.int64)
    val = np.concatenate(parts_s) if parts_s else np.zeros(0, dtype=q.dtype)
    # Chunks were grouped by format; put requests back in index order (stable keeps rank).
    order = np.argsort(req, kind="stable")
    return Candidates(req[order], off[order], val[order], best_own, best_ex)


def top_k_exhaustive(
    q: sp.csr_matrix,
    d: sp.csr_matrix,
    k: int,
    *,
    min_score: float = 0.0,
    request_format: np.ndarray | None = None,
    offer_format: np.ndarray | None = None,
    request_school: np.ndarray | None = None,
    offer_school: np.ndarray | None = None,
    exclude: Sequence[tuple[int, int]] = (),
    tie_break: TieBreak | None = None,
    resolution: float = 0.0,
    chunk_size: int = 256,
) -> Candidates:
    """Reference for top_k(): every pair scored into dense rows, every row fully sorted.

    best_own_school / best_excluded are worked out from every pair, not from a sample.
    """
    q = sp.csr_matrix(q)
    d = sp.csr_matrix(d)
    n_req = q.shape[0]
    dt = d.T.tocsr()
    floor = max(float(min_score), np.finfo(np.float32).tiny)
    ex = np.asarray(exclude, dtype=np.int64).reshape(-1, 2)
    parts_r, parts_o, parts_s = [], [], []
    best_own = np.zeros(n_req)
    best_ex = np.zeros(n_req)
    for lo in range(0, n_req, chunk_size):
        hi = min(lo + chunk_size, n_req)
        raw = (q[lo:hi] @ dt).toarray()
        scores = np.where(raw >= floor, raw.astype(np.float64), -np.inf)
        if request_format is not None and offer_format is not None:
            ok = COMPATIBLE[request_format[lo:hi][:, None], offer_format[None, :]]
            scores[~ok] = -np.inf
        own = np.zeros_like(scores, dtype=bool)
        if request_school is not None and offer_school is not None:
            own = offer_school[None, :] == request_school[lo:hi, None]
        banned = np.zeros_like(own)
        mine = (ex[:, 0] >= lo) & (ex[:, 0] < hi)
        banned[ex[mine, 0] - lo, ex[mine, 1]] = True
        own_scores = np.where(own, scores, -np.inf)
        ex_scores = np.where(banned & ~own, scores, -np.inf)
        scores[own | banned] = -np.inf
        order = np.argsort(-scores, axis=1, kind="stable")  # stable: ties by offer index
        for i in range(hi - lo):
            ranked = order[i][np.isfinite(scores[i, order[i]])]
            if len(ranked) > 1 and (tie_break is not None or resolution > 0):
                vkey = _value_key(raw[i, ranked], resolution)
                if len(ranked) > k:
                    # Everything at or above the k-th entry's score (bucket) competes.
                    cut = np.sort(vkey)[::-1][k - 1]
                    ranked, vkey = ranked[vkey >= cut], vkey[vkey >= cut]
                tie = (tie_break(np.full(len(ranked), lo + i), ranked) if tie_break is not None
                       else np.zeros(len(ranked), dtype=np.int64))
                ranked = ranked[np.lexsort((ranked, tie, -vkey))]
            ranked = ranked[:k]
            # Blocked offers that would have made the list: at least the lowest chosen score.
            lowest = raw[i, ranked].min() if len(ranked) == k else -np.inf
            for best, blocked in ((best_own, own_scores[i]), (best_ex, ex_scores[i])):
                best[lo + i] = max(0.0, blocked[blocked >= lowest].max(initial=0.0))
            # Canonical output order: score descending, then offer index.
            ranked = ranked[np.lexsort((ranked, -raw[i, ranked]))]
            parts_r.append(np.full(len(ranked), lo + i))
            parts_o.append(ranked)
            parts_s.append(raw[i, ranked])
    cat = np.concatenate
    return Candidates(
        cat(parts_r) if parts_r else np.zeros(0, dtype=np.int64),
        cat(parts_o) if parts_o else np.zeros(0, dtype=np.int64),
        cat(parts_s) if parts_s else np.zeros(0, dtype=q.dtype),
        best_own,
        best_ex,
    )
