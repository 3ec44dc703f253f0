"""A request about one step of an EHCP is not met by an offer about only the other."""

from __future__ import annotations

from matching import Matcher, match
from matching.ehcp import EHCP_STEPS, ehcp_step_masks
from tests.matching.conftest import listed_score

ASSESSMENT, REVIEW = 1, 2


def test_posts_name_the_steps_they_mention() -> None:
    assert len(EHCP_STEPS) == 2
    titles = ["EHCNA request - Hampshire", "Annual review paperwork - new SENCo",
              "EHCP application - our SENCo will review your draft",
              "SENCo support - EHCP applications & annual reviews", "EHCP paperwork check",
              "Annual reviews of our SEND policy"]
    masks = ehcp_step_masks(titles, [""] * len(titles), [()] * len(titles)).tolist()
    # A policy's annual review is read as the step too: the clash only weighs posts that
    # both name steps, and a policy review offer names none of the assessment's words.
    assert masks == [ASSESSMENT, REVIEW, ASSESSMENT, ASSESSMENT | REVIEW, 0, REVIEW]


DATA = {
    "offers": [
        {"id": "review", "school": "b", "title": "EHCP annual review templates",
         "description": "Our annual review pack: invite letters, pupil and parent views, and "
                        "a completed example on the county forms.",
         "tags": ["EHCP", "SEND"], "format": "remote", "capacity": 2},
        {"id": "both", "school": "c", "title": "SENCo support - EHCPs",
         "description": "Our SENCo helps with EHCP applications and annual reviews.",
         "tags": ["EHCP", "SEND"], "format": "remote", "capacity": 2},
    ],
    "requests": [
        {"id": "ehcna", "school": "a", "title": "EHCNA request - county forms",
         "description": "Need help with an EHC needs assessment request for a Y4 child; not "
                        "sure our evidence is strong enough.",
         "tags": ["EHCP", "SEND"], "format": "remote"},
        {"id": "paperwork", "school": "d", "title": "EHCP paperwork check", "description": "",
         "tags": ["EHCP", "SEND"], "format": "remote"},
    ],
}


def test_an_offer_about_the_other_step_loses_half_its_score_and_its_cover() -> None:
    out = match(DATA, semantic="off")
    plain = Matcher(period_penalty=0.0, semantic="off").fit_predict(DATA)
    halved = listed_score(plain, "ehcna", "review") / 2
    assert abs(listed_score(out, "ehcna", "review") - halved) <= 0.005
    # An offer naming both steps is left alone, and so is a request naming neither.
    assert listed_score(out, "ehcna", "both") == listed_score(plain, "ehcna", "both")
    assert listed_score(out, "paperwork", "review") == listed_score(plain, "paperwork",
                                                                    "review")
    assert out["ranked"]["ehcna"][0]["offer"] == "both"
