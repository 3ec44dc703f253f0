"""Which step of an education, health and care plan a post names.

The taxonomy files a request for an EHC needs assessment and an EHCP's annual review under
one concept, so "EHCNA request - Hampshire" and "EHCP annual review templates (Hampshire)"
look like the same topic. They are different work: the evidence for a first request to
assess, and the paperwork and meeting of a plan's yearly review. The matcher treats such a
pair as it treats different periods of history (its ``period_penalty``): the request names
steps, the offer names steps, and they share none. Posts naming neither ("EHCP paperwork
check") or both are left alone. Across the read sets the pairs that name different steps
only were judged at most partial fits (sets 23 and 41).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matching.wordgroups import NameGroups

__all__ = ["EHCP_STEPS", "ehcp_step_masks"]

# Each name is matched as a whole word, case-insensitively, with a plural "s".
EHCP_STEPS: tuple[tuple[str, ...], ...] = (
    ("ehcna", "ehc needs assessment", "needs assessment", "statutory assessment",
     "ehcp application", "ehc application", "applying for an ehcp", "ehcp request",
     "request for an ehcp", "requesting an ehcp", "refusal to assess", "ehc assessment"),
    ("annual review", "ehcp review", "interim review", "person-centred review",
     "person centred review"),
)

_NAMES = NameGroups(EHCP_STEPS, plural=True)


def ehcp_step_masks(titles: Sequence[str], descriptions: Sequence[str],
                    tags: Sequence[Sequence[str]]) -> np.ndarray:
    """Per post, the steps of an EHCP it names as a bit set (0: none)."""
    return _NAMES.masks(titles, descriptions, tags)
