"""Matching offers to requests (a pure library: numpy, scipy, scikit-learn; see README.md).

Public API
----------
``match(data, *, top=5, taxonomy=None, **params) -> dict``
    ``data`` is the command-line input dict::

        {"schools":  [{"id": "s1", "lat": 53.23, "lon": -0.54}],                  # optional
         "offers":   [{"id": "o1", "school": "s1", "title": "...", "description": "...",
                       "tags": ["RSE"], "format": "in_person", "capacity": 2}],
         "requests": [{"id": "r1", "school": "s2", "title": "...", "tags": [],
                       "format": "either"}],
         "exclude":  [{"request": "r1", "offer": "o9"}],                           # optional
         "waiting":  {"r1": 3}}                                                     # optional

    ``format`` is ``in_person``, ``remote`` or ``either``; ``description`` and ``tags`` are
    optional; ``capacity`` (offers) is a whole number >= 1, default 1. If ``schools`` is given
    every post's school must be in it; a school without ``lat``/``lon`` gets no distance.
    ``exclude`` and ``waiting`` may name posts that are no longer open (they are ignored).
    Returns::

        {"ranked":    {"r1": [{"offer": "o1", "score": 0.82, "reasons": ["..."]}]},
         "pairs":     [{"request": "r1", "offer": "o1", "score": 0.82, "reasons": ["..."]}],
         "unmatched": [{"request": "r9", "reason": "..."}]}

    ``ranked`` has every request id, with up to ``top`` allowed offers (best first, score in
    [0, 1] rounded to 3 decimals). ``pairs`` gives each request at most one offer and each
    offer at most its capacity; every request without a pair is in ``unmatched`` with a
    reason. Hard rules: never the same school, never an excluded pair, never an in-person
    request with a remote offer or vice versa. The output is the same for the same input.
    Raises ``InputError`` (a ``ValueError`` whose ``.errors`` name each bad item) for malformed
    input. ``taxonomy`` is a ``Taxonomy`` (default: the shipped one; the web app passes
    ``Taxonomy.from_dict(its_dict)``); ``params`` are ``Matcher`` parameters.

``Taxonomy`` (``Taxonomy.load(path=None)``, ``Taxonomy.from_dict(d)``, ``concept_for_tag``,
``concepts_in_text``, ``ancestors``, ``descendants``, ``label``) and ``normalise(text)``.

Estimators for evaluation: ``Matcher`` (fit / predict / fit_predict / score) and
``PostVectorizer`` (fit / transform).

The optional semantic extra (``requirements-semantic.txt``, see ``matching.semantic``) adds
sentence embeddings; ``Matcher(semantic="auto")`` (the default) uses it when installed.

Command line: ``python -m matching INPUT.json [--top N] [--semantic auto|on|off]``; evaluation:
``python -m matching.evaluate [--set PATH] [--json] [--semantic auto|on|off]``; benchmark:
``python -m matching.bench --offers N --requests N [--seed S] [--k K] [--json]``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from matching.schema import InputError
from matching.taxonomy import Taxonomy, normalise

if TYPE_CHECKING:
    from matching.engine import Matcher, match
    from matching.features import PostVectorizer

__all__ = ["InputError", "Matcher", "PostVectorizer", "Taxonomy", "match", "normalise"]

# The estimators pull in scipy and scikit-learn; importing them on first use keeps
# `python -m matching` quick to reject a malformed file and light for the web app's imports.
_LAZY = {"Matcher": "matching.engine", "match": "matching.engine",
         "PostVectorizer": "matching.features"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'matching' has no attribute {name!r}")
