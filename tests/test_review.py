"""Coordinators review the matcher's suggestions: approve, reject, swap, note, pair by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import matching
from app.extensions import db
from app.models import (
    MatchRun,
    Post,
    PostKind,
    PostStatus,
    School,
    Suggestion,
    SuggestionStatus,
    UnmatchedRequest,
    User,
)
from app.review import services
from tests.conftest import csrf_token, sign_in
from tests.factories import Factories
from tests.test_match_runs import fake_match

WEEK = date(2026, 11, 23)
BASE = "/coordinator/review"


# ----- Building a run by hand (no engine needed) ----------------------------------------------


def make_run(week: date = WEEK, attempt: int = 1) -> MatchRun:
    run = MatchRun(
        week_start=week,
        attempt=attempt,
        started_at=datetime(2026, 11, 26, 19, tzinfo=UTC),
        open_offers=3,
        open_requests=2,
        pairs_suggested=1,
        requests_unmatched=1,
    )
    db.session.add(run)
    db.session.commit()
    return run


def offer(school: School | None = None, title: str = "Phonics training", **kw: Any) -> Post:
    return Factories.post(school or Factories.school(), kind=PostKind.OFFER, title=title, **kw)


def request_post(school: School | None = None, title: str = "Phonics catch-up", **kw: Any) -> Post:
    return Factories.post(school or Factories.school(), kind=PostKind.REQUEST, title=title, **kw)


def suggest(
    run: MatchRun,
    req: Post,
    off: Post,
    score: float = 0.8,
    alternatives: Sequence[tuple[Post, float]] = (),
    **kw: Any,
) -> Suggestion:
    s = Suggestion(
        run=run,
        request=req,
        offer=off,
        score=score,
        reasons=["You both mention phonics", "12 miles apart"],
        alternatives=[
            {"offer": p.id, "score": sc, "reasons": [f"Also offers {p.title}"]}
            for p, sc in alternatives
        ],
        **kw,
    )
    db.session.add(s)
    db.session.commit()
    return s


@pytest.fixture
def coordinator(app: Flask) -> User:
    return Factories.coordinator(name="Cora Coordinator")


@pytest.fixture
def coord_client(client: FlaskClient, coordinator: User) -> FlaskClient:
    sign_in(client, coordinator)
    return client


@pytest.fixture
def queue(app: Flask) -> dict[str, Any]:
    """A run with one pending suggestion (two alternatives), one unmatched request."""
    run = make_run()
    needs = Factories.school(name="Skegness Infants")
    gives = Factories.school(name="Boston Juniors")
    req = request_post(needs, "Phonics catch-up for Year 2")
    off = offer(gives, "Phonics training for teachers")
    alt1 = offer(title="Early reading coaching")
    alt2 = offer(title="Reading leader network")
    s = suggest(run, req, off, 0.82, [(alt1, 0.7), (alt2, 0.55)])
    lonely = request_post(title="Forest school for Reception")
    db.session.add(UnmatchedRequest(run=run, request=lonely, reason="No offer mentions forest"))
    db.session.commit()
    return {
        "run": run,
        "s": s,
        "req": req,
        "off": off,
        "alt1": alt1,
        "alt2": alt2,
        "lonely": lonely,
    }


def page_text(client: FlaskClient, path: str = BASE + "/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def post(client: FlaskClient, path: str, form_page: str = BASE + "/", **data: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, form_page), **data})


# ----- The queue ------------------------------------------------------------------------------


def test_queue_shows_each_suggestion_with_its_alternatives_and_who_is_unmatched(
    coord_client: FlaskClient, queue: dict[str, Any]
) -> None:
    html = page_text(coord_client)
    assert "Suggested partnerships waiting for review" in html
    assert services.run_summary(queue["run"]) in html
    assert "Waiting for review (1)" in html
    for text in (
        "Skegness Infants",
        "Phonics catch-up for Year 2",
        "Boston Juniors",
        "Phonics training for teachers",
        "82%",
        "You both mention phonics",
        "2 other offers ranked behind it",
        "Early reading coaching",
        "70%",
        "Reading leader network",
        "Swap to this",
        "Note for both schools (optional)",
        "Approve all at or above this score",
        "Requests left unmatched (1)",
        "Forest school for Reception",
        "No offer mentions forest",
        f"{BASE}/pair/{queue['lonely'].id}",
        f"{BASE}/runs/{queue['run'].id}/suggestions.csv",
        "Run again this week",
    ):
        assert text in html, text
    # Alternatives in rank order.
    assert html.index("Early reading coaching") < html.index("Reading leader network")


def test_queue_before_any_run(coord_client: FlaskClient) -> None:
    html = page_text(coord_client)
    assert "Matching has not run yet" in html
    assert "Run matching now" in html


def test_published_and_rejected_are_listed_below(
    coord_client: FlaskClient, queue: dict[str, Any]
) -> None:
    suggest(
        queue["run"],
        request_post(title="Maths mastery"),
        offer(),
        status=SuggestionStatus.PUBLISHED,
    )
    suggest(
        queue["run"],
        request_post(title="SEND mentoring"),
        offer(),
        status=SuggestionStatus.REJECTED,
        reject_reason="Already partners",
    )
    suggest(
        queue["run"], request_post(title="Old attempt"), offer(), status=SuggestionStatus.SUPERSEDED
    )
    html = page_text(coord_client)
    assert "Published (1)" in html and "Maths mastery" in html
    assert "Rejected (1)" in html and "Already partners" in html
    assert "Old attempt" not in html
    assert 'class="govuk-details"' in html


def test_suggestion_page(coord_client: FlaskClient, queue: dict[str, Any]) -> None:
    html = page_text(coord_client, f"{BASE}/suggestions/{queue['s'].id}")
    assert "Waiting for review" in html and "Phonics training for teachers" in html
    assert "Swap to this" in html
    assert coord_client.get(f"{BASE}/suggestions/99999").status_code == 404


def test_coordinators_read_how_long_the_request_waited_in_the_third_person(
    coord_client: FlaskClient, queue: dict[str, Any]
) -> None:
    s = queue["s"]
    s.reasons = ["Both about phonics", "Your request has waited 3 weeks"]
    db.session.commit()
    pages = [page_text(coord_client), page_text(coord_client, f"{BASE}/suggestions/{s.id}"),
             coord_client.get(f"{BASE}/runs/{queue['run'].id}/suggestions.csv").text]
    for text in pages:
        assert "The request has waited 3 weeks" in text
        assert "Your request has waited" not in text


# ----- Approve and reject ---------------------------------------------------------------------


def test_approve_publishes(
    coord_client: FlaskClient, coordinator: User, queue: dict[str, Any]
) -> None:
    s = queue["s"]
    response = post(coord_client, f"{BASE}/suggestions/{s.id}/approve")
    assert response.status_code == 302
    db.session.refresh(s)
    assert s.status == SuggestionStatus.PUBLISHED
    assert s.published_at is not None and s.reviewed_at is not None
    assert s.reviewed_by_id == coordinator.id
    html = page_text(coord_client)
    assert "Published: Boston Juniors could help Skegness Infants" in html
    assert "Waiting for review (0)" in html and "Published (1)" in html


def test_approve_refuses_a_post_closed_since_the_run(
    coord_client: FlaskClient, queue: dict[str, Any]
) -> None:
    queue["off"].status = PostStatus.CLOSED
    db.session.commit()
    post(coord_client, f"{BASE}/suggestions/{queue['s'].id}/approve")
    db.session.refresh(queue["s"])
    assert queue["s"].status == SuggestionStatus.PENDING
    html = page_text(coord_client, f"{BASE}/suggestions/{queue['s'].id}")
    assert "The offer “Phonics training for teachers” is no longer open" in html


def test_reject_needs_a_reason(
    coord_client: FlaskClient, coordinator: User, queue: dict[str, Any]
) -> None:
    s = queue["s"]
    path = f"{BASE}/suggestions/{s.id}/reject"
    assert "Why are you rejecting this suggestion?" in page_text(coord_client, path)

    response = post(coord_client, path, path, reason="   ")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Enter why you are rejecting this suggestion" in html
    assert "<title>Error: " in html
    db.session.refresh(s)
    assert s.status == SuggestionStatus.PENDING

    response = post(coord_client, path, path, reason="They already work together")
    assert response.status_code == 302
    db.session.refresh(s)
    assert s.status == SuggestionStatus.REJECTED
    assert s.reject_reason == "They already work together"
    assert s.reviewed_by_id == coordinator.id and s.published_at is None
    with pytest.raises(services.ReviewError):
        services.reject(s, "", coordinator)


def test_reject_keeps_the_reason_after_the_page_times_out(
    coord_client: FlaskClient, queue: dict[str, Any]
) -> None:
    path = f"{BASE}/suggestions/{queue['s'].id}/reject"
    response = coord_client.post(path, data={"csrf_token": "expired", "reason": "Too far apart"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This page timed out" in html and "Too far apart" in html
    db.session.refresh(queue["s"])
    assert queue["s"].status == SuggestionStatus.PENDING


# ----- Swap and note --------------------------------------------------------------------------


def test_swap_only_to_a_ranked_alternative(
    coord_client: FlaskClient, coordinator: User, queue: dict[str, Any]
) -> None:
    s, off, alt1, alt2 = queue["s"], queue["off"], queue["alt1"], queue["alt2"]
    stranger = offer(title="Not ranked")
    response = post(coord_client, f"{BASE}/suggestions/{s.id}/swap", offer=stranger.id)
    assert response.status_code == 302
    db.session.refresh(s)
    assert s.offer_id == off.id
    assert "Choose one of the offers ranked behind this suggestion" in page_text(
        coord_client, f"{BASE}/suggestions/{s.id}"
    )

    post(coord_client, f"{BASE}/suggestions/{s.id}/swap", offer=alt1.id)
    db.session.refresh(s)
    assert s.offer_id == alt1.id
    assert s.score == 0.7 and s.reasons == ["Also offers Early reading coaching"]
    assert s.status == SuggestionStatus.PENDING
    assert s.reviewed_by_id == coordinator.id
    # The swapped-out offer is now an alternative, in score order.
    assert [a["offer"] for a in s.alternatives] == [off.id, alt2.id]
    assert s.alternatives[0]["score"] == 0.82


def test_note_is_saved_and_a_long_one_is_kept_with_an_error(
    coord_client: FlaskClient, queue: dict[str, Any]
) -> None:
    s = queue["s"]
    field = f"s{s.id}-note"
    response = post(coord_client, f"{BASE}/suggestions/{s.id}/note", **{field: " Call Jo first "})
    assert response.status_code == 302
    db.session.refresh(s)
    assert s.note == "Call Jo first"
    assert "Call Jo first" in page_text(coord_client)

    long_note = "word " * 120
    response = post(coord_client, f"{BASE}/suggestions/{s.id}/note", **{field: long_note})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The note must be 500 characters or fewer" in html
    assert long_note.strip() in html
    assert f'href="#{field}"' in html
    db.session.refresh(s)
    assert s.note == "Call Jo first"


# ----- Approve all above ----------------------------------------------------------------------


def test_approve_all_above_a_score(coord_client: FlaskClient, queue: dict[str, Any]) -> None:
    run = queue["run"]
    middle = suggest(run, request_post(), offer(), 0.75)
    low = suggest(run, request_post(), offer(), 0.5)
    response = post(coord_client, f"{BASE}/approve-above", run=run.id, threshold="75")
    assert response.status_code == 302
    assert "Published 2 suggestions scoring 75% or more" in page_text(coord_client)
    db.session.expire_all()
    assert queue["s"].status == middle.status == SuggestionStatus.PUBLISHED
    assert low.status == SuggestionStatus.PENDING


def test_approve_all_above_checks_the_score(
    coord_client: FlaskClient, queue: dict[str, Any]
) -> None:
    response = post(coord_client, f"{BASE}/approve-above", run=queue["run"].id, threshold="lots")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter a score from 0 to 100, as a whole number" in html
    assert 'value="lots"' in html
    db.session.refresh(queue["s"])
    assert queue["s"].status == SuggestionStatus.PENDING


def test_approve_all_above_skips_closed_posts(app: Flask, coordinator: User) -> None:
    run = make_run()
    open_one = suggest(run, request_post(), offer(), 0.9)
    closed = suggest(run, request_post(status=PostStatus.PAUSED), offer(), 0.95)
    assert services.approve_all_above(run, 0.8, coordinator) == 1
    assert open_one.status == SuggestionStatus.PUBLISHED
    assert closed.status == SuggestionStatus.PENDING


# ----- Pair by hand ---------------------------------------------------------------------------


def test_pair_by_hand(coord_client: FlaskClient, coordinator: User, queue: dict[str, Any]) -> None:
    lonely = queue["lonely"]
    own_school_offer = offer(lonely.school, "Our own forest school")
    closed_offer = offer(title="Closed offer", status=PostStatus.CLOSED)
    outdoor = offer(Factories.school(name="Louth Primary"), "Outdoor learning visits")
    path = f"{BASE}/pair/{lonely.id}"
    html = page_text(coord_client, path)
    assert "Forest school for Reception" in html
    assert "Outdoor learning visits (Louth Primary)" in html
    assert own_school_offer.title not in html and closed_offer.title not in html

    response = post(coord_client, path, path, offer="")
    assert response.status_code == 200
    assert "Choose an offer" in response.get_data(as_text=True)
    response = post(coord_client, path, path, offer=str(own_school_offer.id))
    assert "Choose an open offer from another school" in response.get_data(as_text=True)

    response = post(coord_client, path, path, offer=str(outdoor.id))
    assert response.status_code == 302
    s = db.session.scalars(sa.select(Suggestion).where(Suggestion.request_id == lonely.id)).one()
    assert (s.run_id, s.offer_id, s.status) == (
        queue["run"].id,
        outdoor.id,
        SuggestionStatus.PUBLISHED,
    )
    assert s.reasons == ["Paired by a coordinator"]
    assert s.published_at is not None and s.reviewed_by_id == coordinator.id
    html = page_text(coord_client)
    assert "Paired and published: Louth Primary could help" in html
    assert "Requests left unmatched (0)" in html


def test_pair_by_hand_refusals(app: Flask, coordinator: User) -> None:
    school = Factories.school()
    req = request_post(school)
    with pytest.raises(services.ReviewError, match="Run matching first"):
        services.pair_by_hand(req, offer(), coordinator)
    run = make_run()
    with pytest.raises(services.ReviewError, match="another school"):
        services.pair_by_hand(req, offer(school), coordinator)
    with pytest.raises(services.ReviewError, match="no longer open"):
        services.pair_by_hand(req, offer(status=PostStatus.CLOSED), coordinator)
    with pytest.raises(services.ReviewError, match="no longer open"):
        services.pair_by_hand(request_post(status=PostStatus.CLOSED), offer(), coordinator)
    with pytest.raises(services.ReviewError, match="request with an offer"):
        services.pair_by_hand(offer(), req, coordinator)
    suggest(run, req, offer())
    with pytest.raises(services.ReviewError, match="waiting for review"):
        services.pair_by_hand(req, offer(), coordinator)


def test_pair_by_hand_replaces_a_rejected_suggestion(app: Flask, coordinator: User) -> None:
    run = make_run()
    req = request_post()
    rejected = suggest(run, req, offer(), status=SuggestionStatus.REJECTED, reject_reason="No")
    chosen = offer()
    s = services.pair_by_hand(req, chosen, coordinator)
    assert s.id == rejected.id
    assert (s.offer_id, s.status, s.reasons) == (
        chosen.id,
        SuggestionStatus.PUBLISHED,
        [services.BY_HAND_REASON],
    )


def test_a_rejected_pair_stays_ruled_out_after_a_pair_by_hand(
    app: Flask, coordinator: User
) -> None:
    run = make_run()
    req = request_post()
    turned_down = offer()
    services.reject(suggest(run, req, turned_down), "They already work together", coordinator)
    chosen = offer()
    services.pair_by_hand(req, chosen, coordinator)  # reuses the rejected suggestion's row
    assert services._excluded_pairs({req.id}, {turned_down.id, chosen.id}) == {
        (req.id, turned_down.id),
        (req.id, chosen.id),
    }


# ----- Run now --------------------------------------------------------------------------------


def test_run_matching_now(
    coord_client: FlaskClient, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(matching, "match", fake_match, raising=False)
    tag = Factories.tag("phonics", "Phonics")
    offer(title="Phonics training", tags=[tag])
    request_post(title="Phonics catch-up", tags=[tag])

    post(coord_client, f"{BASE}/run")
    run = db.session.scalars(sa.select(MatchRun)).one()
    assert run.triggered_by_id == coordinator.id
    html = page_text(coord_client)
    assert f"Run {run.id} for the week of" in html and "1 pair suggested" in html

    post(coord_client, f"{BASE}/run")
    html = page_text(coord_client)
    assert "already exists for the week of" in html and "tick “Run again this week”" in html
    assert db.session.scalar(sa.select(sa.func.count(MatchRun.id))) == 1

    post(coord_client, f"{BASE}/run", force="y")
    assert db.session.scalar(sa.select(sa.func.max(MatchRun.attempt))) == 2


# ----- Who may ------------------------------------------------------------------------------


def review_routes(queue: dict[str, Any]) -> list[tuple[str, str]]:
    s, run, lonely = queue["s"].id, queue["run"].id, queue["lonely"].id
    return [
        ("GET", f"{BASE}/"),
        ("POST", f"{BASE}/run"),
        ("GET", f"{BASE}/suggestions/{s}"),
        ("POST", f"{BASE}/suggestions/{s}/approve"),
        ("GET", f"{BASE}/suggestions/{s}/reject"),
        ("POST", f"{BASE}/suggestions/{s}/reject"),
        ("POST", f"{BASE}/suggestions/{s}/swap"),
        ("POST", f"{BASE}/suggestions/{s}/note"),
        ("POST", f"{BASE}/approve-above"),
        ("GET", f"{BASE}/pair/{lonely}"),
        ("POST", f"{BASE}/pair/{lonely}"),
        ("GET", f"{BASE}/runs/{run}/suggestions.csv"),
    ]


def test_leaders_get_403_everywhere(client: FlaskClient, queue: dict[str, Any]) -> None:
    leader = Factories.user(queue["req"].school)
    sign_in(client, leader)
    token = csrf_token(client, "/posts/new?kind=offer")
    for method, path in review_routes(queue):
        response = client.open(
            path, method=method, data={"csrf_token": token, "reason": "x", "offer": "1"}
        )
        assert response.status_code == 403, (method, path)
    db.session.refresh(queue["s"])
    assert queue["s"].status == SuggestionStatus.PENDING


def test_anonymous_people_are_sent_to_sign_in(client: FlaskClient, queue: dict[str, Any]) -> None:
    for method, path in review_routes(queue):
        if method == "GET":
            response = client.get(path)
            assert response.status_code == 302 and "/auth/sign-in" in response.location, path


# ----- Query count --------------------------------------------------------------------------


def test_queue_page_takes_a_constant_number_of_queries(
    coord_client: FlaskClient, app: Flask
) -> None:
    run = make_run()

    def add(n: int) -> None:
        for _ in range(n):
            suggest(run, request_post(), offer(), 0.8, [(offer(), 0.6), (offer(), 0.5)])
            suggest(run, request_post(), offer(), 0.9, status=SuggestionStatus.PUBLISHED)
            suggest(
                run,
                request_post(),
                offer(),
                0.4,
                status=SuggestionStatus.REJECTED,
                reject_reason="No",
            )
            db.session.add(UnmatchedRequest(run=run, request=request_post(), reason="None near"))
        db.session.commit()

    def count_queries() -> int:
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(args[2])

        db.session.expire_all()
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert coord_client.get(BASE + "/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        return len(statements)

    add(2)
    small = count_queries()
    add(10)
    large = count_queries()
    assert large == small
    assert small <= 15, small


def test_reviewed_suggestions_cannot_be_reviewed_again(app: Flask, coordinator: User) -> None:
    run = make_run()
    s = suggest(run, request_post(), offer())
    services.approve(s, coordinator)
    with pytest.raises(services.ReviewError, match="already been published"):
        services.approve(s, coordinator)
    with pytest.raises(services.ReviewError, match="already been published"):
        services.reject(s, "Changed my mind", coordinator)
    old = suggest(run, request_post(), offer(), status=SuggestionStatus.SUPERSEDED)
    with pytest.raises(services.ReviewError, match="replaced by a later run"):
        services.set_note(old, "Hello", coordinator)
