"""Choosing this week's pairs: each request at most one offer, each offer at most its capacity.

The objective is the total value of the chosen pairs (a pair's value is its score raised for a
request that has waited) minus a load-spreading cost: the k-th pair of the same offer, and of
the same school, costs ``penalty * (1 - 0.5 ** k)`` more (the first costs nothing). Marginal
costs only grow, so a flow formulation uses an offer's and a school's cheaper slots first, and
they stay below ``offer_penalty + school_penalty``, so a pair whose value exceeds that is never
dropped just to spread load.

Two solvers share this objective: ``assign_exact`` solves the flow problem
(requests -> offers -> offer slots -> schools -> school slots) as an integer programme with
scipy's HiGHS (the constraint matrix is a network matrix, so the linear relaxation is already
integral); ``assign_greedy`` adds the best remaining marginal pair (lazy updates) and runs in
O(E log E) for national-scale edge counts. ``objective`` scores either answer the same way.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = [
    "EXACT_MAX_EDGES",
    "Edges",
    "assign",
    "assign_exact",
    "assign_greedy",
    "objective",
    "slot_cost",
    "violations",
]

EXACT_MAX_EDGES = 20_000


@dataclass
class Edges:
    """Allowed request-offer pairs with their values, plus offer capacities and schools."""

    request: np.ndarray  # request index per edge
    offer: np.ndarray  # offer index per edge
    value: np.ndarray  # value per edge (> 0)
    capacity: np.ndarray  # per offer
    offer_school: np.ndarray  # school code per offer
    offer_penalty: float = 0.05
    school_penalty: float = 0.05
    position: np.ndarray | None = None  # caller's bookkeeping: where each edge came from

    def __post_init__(self) -> None:
        self.request = np.asarray(self.request, dtype=np.int64)
        self.offer = np.asarray(self.offer, dtype=np.int64)
        self.value = np.asarray(self.value, dtype=np.float64)
        self.capacity = np.asarray(self.capacity, dtype=np.int64)
        self.offer_school = np.asarray(self.offer_school, dtype=np.int64)


def slot_cost(k: int | np.ndarray, penalty: float) -> np.ndarray:
    """Extra cost of the (k+1)-th pair on one offer or school (0 for the first)."""
    return penalty * (1.0 - 0.5 ** np.asarray(k, dtype=np.float64))


def objective(edges: Edges, chosen: np.ndarray) -> float:
    """Total value of the chosen edges minus their load-spreading cost."""
    chosen = np.asarray(chosen, dtype=np.int64)
    if len(chosen) == 0:
        return 0.0
    total = float(edges.value[chosen].sum())
    for counts, penalty in (
        (np.bincount(edges.offer[chosen]), edges.offer_penalty),
        (np.bincount(edges.offer_school[edges.offer[chosen]]), edges.school_penalty),
    ):
        for n in counts[counts > 1]:
            total -= float(slot_cost(np.arange(n), penalty).sum())
    return total


def violations(edges: Edges, chosen: np.ndarray) -> list[str]:
    """Broken rules in a chosen edge set (empty when every rule holds)."""
    chosen = np.asarray(chosen, dtype=np.int64)
    problems = []
    if len(np.unique(chosen)) != len(chosen):
        problems.append("an edge is chosen twice")
    req = np.bincount(edges.request[chosen], minlength=1)
    if (req > 1).any():
        problems.append(f"requests with several offers: {np.flatnonzero(req > 1).tolist()}")
    used = np.bincount(edges.offer[chosen], minlength=len(edges.capacity))
    over = np.flatnonzero(used > edges.capacity)
    if len(over):
        problems.append(f"offers over capacity: {over.tolist()}")
    return problems


def sort_order(*keys: np.ndarray) -> np.ndarray:
    """Indices that sort by keys[0], then keys[1], ..., then index (a stable lexsort).

    Float keys are replaced by their rank among the key's distinct values, and all keys are
    packed into one integer: one or two one-key sorts instead of a many-key lexsort. Falls
    back to np.lexsort when they do not fit in 63 bits, a key is negative or not finite, or
    two entries are equal on every key (the packed sort is not stable).
    """
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ints = []
    for key in keys:
        if key.dtype.kind == "f":
            if not np.isfinite(key).all():
                ints = None
                break
            by_key = np.argsort(key)
            ranked = key[by_key]
            rank = np.empty(n, dtype=np.int64)
            rank[by_key] = np.cumsum(np.concatenate(([False], ranked[1:] != ranked[:-1])))
            ints.append(rank)
        elif key.dtype.kind in "iub" and key.min() >= 0:
            ints.append(key.astype(np.int64))
        else:
            ints = None
            break
    if ints is not None:
        bits = [max(int(x.max()).bit_length(), 1) for x in ints]
        if sum(bits) <= 63:
            packed = np.zeros(n, dtype=np.int64)
            for x, b in zip(ints, bits, strict=True):
                packed = (packed << b) | x
            order = np.argsort(packed)
            ranked = packed[order]
            if not (ranked[1:] == ranked[:-1]).any():  # all distinct: the order is total
                return order
    return np.lexsort(keys[::-1])


def presorted_order(primary: np.ndarray, *ties: np.ndarray) -> np.ndarray:
    """``sort_order(primary, *ties)``, in one stable sort by `primary` when the entries already
    come in tie-key order wherever `primary` is equal, as the matcher's arrays nearly always do
    (they are built in that order). Runs of equal `primary` that do not are sorted on their own.
    """
    n = len(primary)
    if n == 0 or (primary.dtype.kind == "f" and not np.isfinite(primary).all()):
        return sort_order(primary, *ties)
    order = np.argsort(primary, kind="stable")
    ranked = primary[order]
    tied = ranked[1:] == ranked[:-1]
    if not tied.any():
        return order
    misplaced = np.zeros(n - 1, dtype=bool)
    undecided = tied.copy()  # neighbours equal on every key so far
    for key in ties:
        k = key[order]
        misplaced |= undecided & (k[1:] < k[:-1])
        undecided &= k[1:] == k[:-1]
    if misplaced.any():
        # Runs keep their slots (their `primary` values differ); entries equal on every key
        # stay in index order, as in sort_order.
        pos = np.flatnonzero(np.concatenate(([False], tied)) | np.concatenate((tied, [False])))
        sub = order[pos]
        order[pos] = sub[np.lexsort((*(key[sub] for key in reversed(ties)), primary[sub]))]
    return order


def _by_value(edges: Edges) -> np.ndarray:
    """``sort_order(-edges.value, edges.request, edges.offer)``: the matcher's edges come by
    request, and within a request by rounded score, then offer, so usually one stable sort."""
    return presorted_order(-edges.value, edges.request, edges.offer)


def assign_greedy(edges: Edges, block: int = 16_384) -> np.ndarray:
    """Best marginal pair first, until nothing of positive value fits; chosen edge indices."""
    n_edges = len(edges.value)
    if n_edges == 0:
        return np.zeros(0, dtype=np.int64)
    # Highest value first; ties by request then offer index (id order) for stable output.
    order = _by_value(edges)
    # Python lists, not numpy scalars, in the loop: it runs once per live edge.
    school = edges.offer_school.tolist()
    capacity = edges.capacity.tolist()
    n_req = int(edges.request.max()) + 1
    taken = [False] * n_req
    offer_used = [0] * len(capacity)
    # The same state as arrays, to drop a block's dead edges (request taken, offer full) at
    # once: the loop would only skip them, and skipping changes nothing.
    taken_np = np.zeros(n_req, dtype=bool)
    full_np = edges.capacity <= 0
    school_used = [0] * (max(school, default=-1) + 1)
    op, sp_ = edges.offer_penalty, edges.school_penalty
    # The same expressions as slot_cost, as Python floats, looked up instead of recomputed.
    offer_cost = [op * (1.0 - 0.5 ** k) for k in range(max(capacity, default=0) + 1)]
    school_cost = [sp_ * (1.0 - 0.5 ** k) for k in range(64)]
    chosen: list[int] = []
    # Stale heap keys are upper bounds (marginals only fall), so the usual lazy greedy holds:
    # an edge is accepted when its current marginal still beats every other upper bound (the
    # stream's next key, live or dead, and the best deferred key).
    deferred: list[tuple[float, int, int, int, int, float]] = []
    heappop, heappush = heapq.heappop, heapq.heappush

    def consider(rest: float, rank: int, e: int, r: int, o: int, value: float) -> None:
        if taken[r]:
            return
        used = offer_used[o]
        if used >= capacity[o]:
            return
        s_ = school[o]
        k = school_used[s_]
        v = value - offer_cost[used] - (school_cost[k] if k < 64 else sp_ * (1.0 - 0.5 ** k))
        if v <= 0:
            return
        if deferred and deferred[0][0] < rest:
            rest = deferred[0][0]
        if -v <= rest:
            taken[r] = True
            taken_np[r] = True
            offer_used[o] = used + 1
            if used + 1 >= capacity[o]:
                full_np[o] = True
            school_used[s_] = k + 1
            chosen.append(e)
        else:
            heappush(deferred, (-v, rank, e, r, o, value))

    def drain(negs: list[float], below: float) -> None:
        # Deferred edges whose key beats `below` (ties: the stream first). Each is decided
        # against the stream key it would meet: the first one above its old key.
        while deferred and deferred[0][0] < below:
            key, rank, e, r, o, value = heappop(deferred)
            consider(negs[bisect_right(negs, key)], rank, e, r, o, value)

    inf = float("inf")
    # Edges are streamed in blocks of Python values: converting millions at once would cost
    # more memory than the whole candidate search.
    for start in range(0, n_edges, block):
        ids = order[start : start + block]
        values = edges.value[ids]
        req_b, off_b = edges.request[ids], edges.offer[ids]
        nxt = float(-edges.value[order[start + block]]) if start + block < n_edges else inf
        # Keys of the whole block and the next block's first key.
        negs = (-values).tolist()
        negs.append(nxt)
        live = np.flatnonzero(~(taken_np[req_b] | full_np[off_b]))
        for j, e, r, o, value in zip(live.tolist(), ids[live].tolist(), req_b[live].tolist(),
                                     off_b[live].tolist(), values[live].tolist(), strict=True):
            neg = negs[j]
            if deferred and deferred[0][0] < neg:
                drain(negs, neg)
            if taken[r]:
                continue
            consider(negs[j + 1], start + j, e, r, o, value)
        drain(negs, nxt)
    return np.asarray(sorted(chosen), dtype=np.int64)


def assign_exact(edges: Edges) -> np.ndarray:
    """Maximum-objective assignment (integer programme on the flow network); edge indices."""
    n_edges = len(edges.value)
    if n_edges == 0:
        return np.zeros(0, dtype=np.int64)
    n_req = int(edges.request.max()) + 1
    offers, offer_of_edge = np.unique(edges.offer, return_inverse=True)
    n_off = len(offers)
    # Slots an offer could ever fill: its capacity, or the requests that can reach it.
    reach = np.bincount(offer_of_edge, minlength=n_off)
    slots = np.minimum(edges.capacity[offers], reach)
    schools, school_of_offer = np.unique(edges.offer_school[offers], return_inverse=True)
    n_sch = len(schools)
    school_slots = np.bincount(school_of_offer, weights=slots, minlength=n_sch).astype(np.int64)

    y_offer = np.repeat(np.arange(n_off), slots)
    y_k = np.arange(len(y_offer)) - np.repeat(np.cumsum(slots) - slots, slots)
    z_school = np.repeat(np.arange(n_sch), school_slots)
    z_k = np.arange(len(z_school)) - np.repeat(np.cumsum(school_slots) - school_slots, school_slots)
    n_y, n_z = len(y_offer), len(z_school)
    n_var = n_edges + n_y + n_z

    cost = np.concatenate([
        -edges.value,
        slot_cost(y_k, edges.offer_penalty),
        slot_cost(z_k, edges.school_penalty),
    ])
    x_cols = np.arange(n_edges)
    y_cols = n_edges + np.arange(n_y)
    z_cols = n_edges + n_y + np.arange(n_z)
    # Rows: one per request (<= 1 offer), per offer (pairs = slots used), per school
    # (slots used by its offers = school slots used).
    rows = np.concatenate([
        edges.request,
        n_req + offer_of_edge,
        n_req + y_offer,
        n_req + n_off + school_of_offer[y_offer],
        n_req + n_off + z_school,
    ])
    cols = np.concatenate([x_cols, x_cols, y_cols, y_cols, z_cols])
    vals = np.concatenate([
        np.ones(n_edges), np.ones(n_edges), -np.ones(n_y), np.ones(n_y), -np.ones(n_z)
    ])
    a = sp.csr_matrix((vals, (rows, cols)), shape=(n_req + n_off + n_sch, n_var))
    lower = np.concatenate([np.full(n_req, -np.inf), np.zeros(n_off + n_sch)])
    upper = np.concatenate([np.ones(n_req), np.zeros(n_off + n_sch)])
    result = milp(
        cost,
        constraints=LinearConstraint(a, lower, upper),
        integrality=np.ones(n_var),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:  # pragma: no cover - the empty assignment is always feasible
        raise RuntimeError(f"assignment solver failed: {result.message}")
    return np.flatnonzero(result.x[:n_edges] > 0.5).astype(np.int64)


def assign(
    edges: Edges, solver: str = "auto", exact_max_edges: int = EXACT_MAX_EDGES
) -> np.ndarray:
    """Chosen edge indices: "exact", "greedy", or "auto" (exact up to exact_max_edges)."""
    if solver == "auto":
        solver = "exact" if len(edges.value) <= exact_max_edges else "greedy"
    if solver == "exact":
        return assign_exact(edges)
    if solver == "greedy":
        return assign_greedy(edges)
    raise ValueError(f'unknown solver "{solver}"; expected auto, exact or greedy')
