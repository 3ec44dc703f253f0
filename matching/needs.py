"""What kind of help a post is about: know-how (almost every post), or a service.

Schools mostly give know-how: training, a visit, their planning. Some requests ask instead for
a service, a supplier or a person's time ("Our minibus needs servicing - who do you use?",
"Could we buy time from your music teacher?"). A know-how offer on the same topic
does not meet such a request, however close the words, so the matcher only pairs it with an
offer that itself provides a service, a resource or staff time. The cues are deliberately
narrow: a request wrongly read as a service is only left for coordinators to pair by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

__all__ = ["asks_for_service", "provides_service", "service_flags"]

_ASKS = re.compile(
    r"\bwho (?:do|does|did) (?:you|yours|other schools|others|everyone) use\b"
    r"|\bservic(?:ing|ed)\b"
    r"|\b(?:suppliers?|contractors?|tradesmen|tradespeople)\b"
    r"|\b(?:interpreters?|translators?)\b"
    r"|\bbuy (?:in|time)\b"
    r"|\b(?:to|for) hire\b"
    r"|\brecommend (?:a|an|any) (?:company|firm|supplier|provider|contractor)\b",
    re.IGNORECASE,
)

_PROVIDES = re.compile(
    r"\b(?:for|to) hire\b"
    r"|\bavailable (?:for|to) (?:hire|let|lettings|loan|borrow)\b"
    r"|\blettings?\b"
    r"|\bspare (?:places|capacity|time|days?|sessions)\b"
    r"|\b(?:has|have|with) (?:spare )?capacity\b"
    r"|\bcan (?:lend|loan)\b|\bon loan\b"
    r"|\bbuy (?:in|time)\b|\bbuy(?:ing)? our\b"
    r"|\bsupply pool\b"
    r"|\b(?:interpret(?:er|ers|ing)?|translat(?:e|or|ors|ing|ion))\b",
    re.IGNORECASE,
)


def asks_for_service(title: str, description: str = "") -> bool:
    """Whether a request asks for a service, a supplier or someone's time, not know-how."""
    return bool(_ASKS.search(title) or _ASKS.search(description))


def provides_service(title: str, description: str = "") -> bool:
    """Whether an offer provides a service, a resource or staff time (not only know-how)."""
    return bool(_PROVIDES.search(title) or _PROVIDES.search(description))


def service_flags(titles: Sequence[str], descriptions: Sequence[str], *,
                  requests: bool) -> np.ndarray:
    """asks_for_service (requests=True) or provides_service per post, as a boolean array."""
    search = (_ASKS if requests else _PROVIDES).search
    pairs = zip(titles, descriptions, strict=True)
    return np.fromiter((search(t) is not None or search(d) is not None for t, d in pairs),
                       dtype=bool, count=len(titles))
