"""The weekly match run: what it hands the engine, what it stores, and once a week only."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

import matching
from app.extensions import db
from app.models import (
    Answer,
    MatchRun,
    Partnership,
    PartnershipStatus,
    Post,
    PostKind,
    PostStatus,
    School,
    Suggestion,
    SuggestionStatus,
    Tag,
    UnmatchedRequest,
)
from app.review import services
from app.review.services import run_matching
from tests.factories import Factories

# Thursday 26 November 2026, 7pm in London: the week of Monday 23 November.
NOW = datetime(2026, 11, 26, 19, 0, tzinfo=UTC)
WEEK = date(2026, 11, 23)


def fake_match(data: dict[str, Any], top: int = 5, taxonomy: Any = None,
               semantic: str = "auto") -> dict[str, Any]:
    """A small engine honouring the matching contract, for when the real one is not there yet."""

    def words(post: dict[str, Any]) -> set[str]:
        return {t.lower() for t in post["tags"]} | set(post["title"].lower().split())

    exclude = {(e["request"], e["offer"]) for e in data.get("exclude", [])}
    ranked: dict[str, list[dict[str, Any]]] = {}
    edges = []
    for r in data["requests"]:
        options = []
        for o in data["offers"]:
            shared = words(r) & words(o)
            if o["school"] == r["school"] or (r["id"], o["id"]) in exclude or not shared:
                continue
            score = len(shared) / len(words(r) | words(o))
            options.append(
                {"offer": o["id"], "score": score, "reasons": [f"mentions {min(shared)}"]}
            )
        options.sort(key=lambda x: (-x["score"], x["offer"]))
        ranked[r["id"]] = options[:top]
        edges += [(opt["score"], r["id"], opt) for opt in options[:top]]
    places = {o["id"]: o.get("capacity") or 1 for o in data["offers"]}
    pairs, done = [], set()
    for score, rid, opt in sorted(edges, key=lambda e: (-e[0], e[1], e[2]["offer"])):
        if rid in done or places[opt["offer"]] < 1:
            continue
        places[opt["offer"]] -= 1
        done.add(rid)
        pairs.append(
            {"request": rid, "offer": opt["offer"], "score": score, "reasons": opt["reasons"]}
        )
    unmatched = [
        {"request": r["id"], "reason": "No offer from another school mentions this"}
        for r in data["requests"]
        if r["id"] not in done
    ]
    return {"ranked": ranked, "pairs": pairs, "unmatched": unmatched}


@dataclass
class Engine:
    """Records each call to matching.match (the real engine when it exists, else the fake)."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    real: bool = False


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    inner = getattr(matching, "match", None)
    spy = Engine(real=inner is not None)
    target = inner or fake_match

    def wrapped(data: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        spy.calls.append(data)
        return target(data, *args, **kwargs)

    monkeypatch.setattr(matching, "match", wrapped, raising=False)
    yield spy


def offer(school: School, title: str, tag: Tag, capacity: int = 2, **kw: Any) -> Post:
    return Factories.post(
        school, kind=PostKind.OFFER, title=title, tags=[tag], capacity=capacity, **kw
    )


def request(school: School, title: str, tag: Tag, **kw: Any) -> Post:
    return Factories.post(school, kind=PostKind.REQUEST, title=title, tags=[tag], **kw)


@pytest.fixture
def phonics(app: Flask) -> Tag:
    return Factories.tag("phonics", "Phonics")


def suggestions_of(run: MatchRun) -> list[Suggestion]:
    return list(db.session.scalars(sa.select(Suggestion).where(Suggestion.run_id == run.id)))


def past_run(week: date, attempt: int = 1) -> MatchRun:
    run = MatchRun(week_start=week, attempt=attempt, started_at=NOW - timedelta(days=30))
    db.session.add(run)
    db.session.commit()
    return run


def test_a_run_suggests_pairs_and_records_who_is_left(
    app: Flask, engine: Engine, phonics: Tag
) -> None:
    a, b, c = Factories.school(), Factories.school(), Factories.school()
    o = offer(a, "Phonics training for teachers", phonics)
    r = request(b, "Phonics catch-up for Year 2", phonics)
    # Only its own school offers phonics: never paired with itself.
    lonely = request(a, "Phonics help for Reception", phonics)

    outcome = run_matching(NOW)

    assert outcome.created
    run = outcome.run
    assert run is not None
    assert (run.week_start, run.attempt) == (WEEK, 1)
    assert (run.open_offers, run.open_requests, run.pairs_suggested, run.requests_unmatched) == (
        1,
        2,
        1,
        1,
    )
    assert outcome.summary == (
        f"Run {run.id} for the week of 23 November 2026: 1 open offer, 2 open requests, "
        "1 pair suggested, 1 request unmatched."
    )
    (s,) = suggestions_of(run)
    assert (s.request_id, s.offer_id, s.status) == (r.id, o.id, SuggestionStatus.PENDING)
    assert s.published_at is None
    assert s.created_at == NOW  # the job's explicit now, not the wall clock
    assert s.reasons and all(isinstance(x, str) for x in s.reasons)
    assert 0 < s.score <= 1
    (u,) = db.session.scalars(sa.select(UnmatchedRequest)).all()
    assert u.request_id == lonely.id and u.reason

    # What the engine was given: plain dicts, string ids, labels and free tags, locations.
    (data,) = engine.calls
    offers = {d["id"]: d for d in data["offers"]}
    assert offers[str(o.id)]["tags"] == ["Phonics"]
    assert offers[str(o.id)]["capacity"] == 2
    assert offers[str(o.id)]["school"] == str(a.id)
    assert offers[str(o.id)]["format"] == "either"
    assert {d["id"] for d in data["requests"]} == {str(r.id), str(lonely.id)}
    assert {s["id"] for s in data["schools"]} == {str(a.id), str(b.id)}
    assert all(s["lat"] == 53.23 and s["lon"] == -0.54 for s in data["schools"])
    assert c.id not in {int(x["id"]) for x in data["schools"]}


def test_free_tags_and_alternatives(app: Flask, engine: Engine, phonics: Tag) -> None:
    schools = [Factories.school() for _ in range(7)]
    request(schools[0], "Phonics catch-up", phonics, free_tags=["Read Write Inc"])
    offers = [offer(s, f"Phonics training {i}", phonics) for i, s in enumerate(schools[1:])]

    run = run_matching(NOW).run
    assert run is not None

    (data,) = engine.calls
    assert data["requests"][0]["tags"] == ["Phonics", "Read Write Inc"]
    (s,) = suggestions_of(run)
    alt_ids = [a["offer"] for a in s.alternatives]
    # Up to four alternatives, never the chosen offer, as post ids.
    assert 1 <= len(alt_ids) <= 4
    assert s.offer_id not in alt_ids
    assert set(alt_ids) <= {o.id for o in offers}
    assert all(isinstance(a["score"], float) and a["reasons"] for a in s.alternatives)


def test_capacity_is_respected(app: Flask, engine: Engine, phonics: Tag) -> None:
    a, b, c = Factories.school(), Factories.school(), Factories.school()
    o = offer(a, "Phonics training", phonics, capacity=1)
    request(b, "Phonics catch-up", phonics)
    request(c, "Phonics catch-up too", phonics)

    run = run_matching(NOW).run
    assert run is not None

    assert [s.offer_id for s in suggestions_of(run)] == [o.id]
    assert run.requests_unmatched == 1


def test_live_partnerships_use_up_places_and_partnered_requests_are_left_out(
    app: Flask, engine: Engine, phonics: Tag
) -> None:
    a, b, c = Factories.school(), Factories.school(), Factories.school()
    o = offer(a, "Phonics training", phonics, capacity=1)
    partnered = request(b, "Phonics catch-up", phonics)
    other = request(c, "Phonics catch-up too", phonics)
    db.session.add(Partnership(request=partnered, offer=o, status=PartnershipStatus.ACTIVE))
    db.session.commit()

    run = run_matching(NOW).run
    assert run is not None

    (data,) = engine.calls
    assert [d["id"] for d in data["requests"]] == [str(other.id)]
    # Its one place is taken.
    assert data["offers"] == []
    assert suggestions_of(run) == []


def test_withdrawn_partnerships_free_the_request(app: Flask, engine: Engine, phonics: Tag) -> None:
    a, b = Factories.school(), Factories.school()
    o1 = offer(a, "Phonics training", phonics)
    o2 = offer(Factories.school(), "Phonics training too", phonics)
    r = request(b, "Phonics catch-up", phonics)
    db.session.add(Partnership(request=r, offer=o1, status=PartnershipStatus.WITHDRAWN))
    db.session.commit()

    run = run_matching(NOW).run
    assert run is not None

    (data,) = engine.calls
    assert [d["id"] for d in data["requests"]] == [str(r.id)]
    # ...but that pair is not suggested again.
    assert {"request": str(r.id), "offer": str(o1.id)} in data["exclude"]
    assert [s.offer_id for s in suggestions_of(run)] == [o2.id]


@pytest.mark.parametrize(
    "history",
    [
        {"status": SuggestionStatus.REJECTED, "reject_reason": "They already work together"},
        {"status": SuggestionStatus.PUBLISHED, "offer_answer": Answer.NOT_RELEVANT},
        {"status": SuggestionStatus.PUBLISHED, "request_answer": Answer.NOT_NOW},
    ],
    ids=["rejected by a coordinator", "not relevant to the offering school", "not now"],
)
def test_rejected_and_declined_pairs_are_not_suggested_again(
    app: Flask, engine: Engine, phonics: Tag, history: dict[str, Any]
) -> None:
    a, b = Factories.school(), Factories.school()
    o = offer(a, "Phonics training", phonics)
    r = request(b, "Phonics catch-up", phonics)
    earlier = past_run(WEEK - timedelta(days=7))
    db.session.add(Suggestion(run=earlier, request=r, offer=o, score=0.9, **history))
    db.session.commit()

    run = run_matching(NOW).run
    assert run is not None

    (data,) = engine.calls
    assert data["exclude"] == [{"request": str(r.id), "offer": str(o.id)}]
    assert suggestions_of(run) == []
    assert [u.request_id for u in run.unmatched] == [r.id]


def test_waiting_counts_earlier_weeks_unmatched_or_fallen_through(
    app: Flask, engine: Engine, phonics: Tag
) -> None:
    a, b, c = Factories.school(), Factories.school(), Factories.school()
    o = offer(a, "Phonics training", phonics)
    r1 = request(b, "Phonics catch-up", phonics)
    r2 = request(c, "Phonics for Year 1", phonics)
    fresh = request(Factories.school(), "Phonics for Year 3", phonics)
    three_weeks, two_weeks, last_week = (WEEK - timedelta(days=7 * n) for n in (3, 2, 1))
    other_offer = offer(Factories.school(), "Maths", Factories.tag("maths"))
    runs = {
        "three weeks": past_run(three_weeks),
        "three weeks, again": past_run(three_weeks, attempt=2),
        "two weeks": past_run(two_weeks),
        "last week": past_run(last_week),
        "five weeks": past_run(last_week - timedelta(days=28)),
    }
    # r1 unmatched three weeks ago, in two attempts of that week (one week), and last week.
    for key in ("three weeks", "three weeks, again", "last week"):
        db.session.add(UnmatchedRequest(run=runs[key], request=r1, reason="No match"))
    # r2's suggestion was rejected two weeks ago; last week's was declined by the offer side.
    db.session.add_all(
        [
            Suggestion(
                run=runs["two weeks"],
                request=r2,
                offer=other_offer,
                score=0.5,
                status=SuggestionStatus.REJECTED,
                reject_reason="No",
            ),
            Suggestion(
                run=runs["last week"],
                request=r2,
                offer=o,
                score=0.5,
                status=SuggestionStatus.PUBLISHED,
                offer_answer=Answer.NOT_NOW,
            ),
            # Published and still waiting for answers: not a fall-through.
            Suggestion(
                run=runs["five weeks"],
                request=fresh,
                offer=o,
                score=0.5,
                status=SuggestionStatus.PUBLISHED,
            ),
        ]
    )
    db.session.commit()

    run_matching(NOW)

    (data,) = engine.calls
    assert data["waiting"] == {str(r1.id): 2, str(r2.id): 2}


def test_a_second_run_in_the_same_week_does_nothing(
    app: Flask, engine: Engine, phonics: Tag
) -> None:
    offer(Factories.school(), "Phonics training", phonics)
    request(Factories.school(), "Phonics catch-up", phonics)
    first = run_matching(NOW)
    assert first.run is not None

    again = run_matching(NOW + timedelta(days=3))  # Sunday: still the same week

    assert not again.created
    assert again.run is not None and again.run.id == first.run.id
    assert again.summary == (
        f"Run {first.run.id} already exists for the week of 23 November 2026; "
        "use --force to run again"
    )
    assert len(engine.calls) == 1
    assert db.session.scalar(sa.select(sa.func.count(MatchRun.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 1


def test_force_supersedes_pending_and_keeps_approved(
    app: Flask, engine: Engine, phonics: Tag
) -> None:
    a = Factories.school()
    offer(a, "Phonics training", phonics, capacity=3)
    r1 = request(Factories.school(), "Phonics catch-up", phonics)
    r2 = request(Factories.school(), "Phonics for Year 1", phonics)
    coordinator = Factories.coordinator()
    first = run_matching(NOW).run
    assert first is not None
    by_request = {s.request_id: s for s in suggestions_of(first)}
    services.approve(by_request[r1.id], coordinator)

    outcome = run_matching(NOW + timedelta(hours=1), force=True, triggered_by=coordinator)

    assert outcome.created
    second = outcome.run
    assert second is not None
    assert (second.week_start, second.attempt, second.triggered_by_id) == (WEEK, 2, coordinator.id)
    db.session.expire_all()
    assert by_request[r1.id].status == SuggestionStatus.PUBLISHED
    assert by_request[r2.id].status == SuggestionStatus.SUPERSEDED
    # The approved request is settled for the week; its offer has one place fewer.
    data = engine.calls[-1]
    assert [d["id"] for d in data["requests"]] == [str(r2.id)]
    assert data["offers"][0]["capacity"] == 2
    assert [(s.request_id, s.status) for s in suggestions_of(second)] == [
        (r2.id, SuggestionStatus.PENDING)
    ]


def test_a_new_week_makes_a_new_run(app: Flask, engine: Engine, phonics: Tag) -> None:
    offer(Factories.school(), "Phonics training", phonics)
    request(Factories.school(), "Phonics catch-up", phonics)
    first = run_matching(NOW).run
    assert first is not None
    (unreviewed,) = suggestions_of(first)

    outcome = run_matching(NOW + timedelta(days=7))

    assert outcome.created and outcome.run is not None
    assert (outcome.run.week_start, outcome.run.attempt) == (date(2026, 11, 30), 1)
    assert "week of 30 November 2026" in outcome.summary
    # Last week's suggestion nobody reviewed is replaced by this week's, not left pending.
    db.session.expire_all()
    assert unreviewed.status == SuggestionStatus.SUPERSEDED
    assert [s.status for s in suggestions_of(outcome.run)] == [SuggestionStatus.PENDING]


def test_week_starts_on_monday_in_the_partnership_timezone(app: Flask, engine: Engine) -> None:
    # 23:30 UTC on Sunday 29 March 2026 is already Monday 30 March in London (BST).
    outcome = run_matching(datetime(2026, 3, 29, 23, 30, tzinfo=UTC))
    assert outcome.run is not None and outcome.run.week_start == date(2026, 3, 30)
    # In UTC it would still be the week of 23 March.
    app.config["PARTNERSHIP_TIMEZONE"] = "UTC"
    outcome = run_matching(datetime(2026, 3, 29, 23, 30, tzinfo=UTC))
    assert outcome.run is not None and outcome.run.week_start == date(2026, 3, 23)


def test_auto_mode_publishes_at_once(app: Flask, engine: Engine, phonics: Tag) -> None:
    app.config["PUBLISH_MODE"] = "auto"
    offer(Factories.school(), "Phonics training", phonics)
    request(Factories.school(), "Phonics catch-up", phonics)

    outcome = run_matching(NOW)

    assert outcome.run is not None
    (s,) = suggestions_of(outcome.run)
    assert s.status == SuggestionStatus.PUBLISHED
    assert s.published_at == NOW
    assert "published at once" in outcome.summary


def test_expired_and_paused_posts_are_left_out(app: Flask, engine: Engine, phonics: Tag) -> None:
    o = offer(Factories.school(), "Phonics training", phonics)
    ended = offer(Factories.school(), "Phonics ended", phonics, available_until=date(2026, 11, 20))
    offer(Factories.school(), "Phonics paused", phonics, status=PostStatus.PAUSED)
    request(Factories.school(), "Phonics catch-up", phonics)

    run_matching(NOW)

    (data,) = engine.calls
    assert [d["id"] for d in data["offers"]] == [str(o.id)]
    db.session.refresh(ended)
    assert ended.status == PostStatus.CLOSED


def test_loading_posts_takes_a_constant_number_of_queries(
    app: Flask, engine: Engine, phonics: Tag
) -> None:
    def queries_for_run(posts: int, week: int) -> int:
        for i in range(posts):
            school = Factories.school()
            offer(school, f"Phonics offer {week}-{i}", phonics)
            request(Factories.school(), f"Phonics request {week}-{i}", phonics)
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(args[2])

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            run_matching(NOW + timedelta(days=7 * week))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        # Writes grow with the result; the reads must not.
        return sum(1 for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH")))

    small = queries_for_run(2, 0)
    large = queries_for_run(12, 1)
    assert large == small


def test_two_runs_at_once_store_one(
    app: Flask, engine: Engine, phonics: Tag, monkeypatch: pytest.MonkeyPatch
) -> None:
    offer(Factories.school(), "Phonics training", phonics)
    request(Factories.school(), "Phonics catch-up", phonics)
    original = matching.match

    def racing(data: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        # Another process stores this week's run while ours is matching.
        db.session.add(MatchRun(week_start=WEEK, attempt=1, started_at=NOW))
        return original(data, *args, **kwargs)

    monkeypatch.setattr(matching, "match", racing)
    outcome = run_matching(NOW)

    assert not outcome.created and outcome.run is None
    assert "already running or has just finished" in outcome.summary
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 0


def test_two_processes_running_at_once_on_a_real_server(
    app: Flask, engine: Engine, phonics: Tag, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.engine.dialect.name == "sqlite":
        pytest.skip("needs a database server: in-memory SQLite is one shared connection")
    offer(Factories.school(), "Phonics training", phonics)
    request(Factories.school(), "Phonics catch-up", phonics)
    db.session.commit()
    db.session.remove()
    inner = matching.match
    both_matching = threading.Barrier(2, timeout=20)

    def in_step(data: dict[str, Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        # Both have seen "no run this week" before either stores one.
        both_matching.wait()
        return inner(data, *args, **kwargs)

    monkeypatch.setattr(matching, "match", in_step)
    outcomes: list[services.RunOutcome] = []

    def job() -> None:
        with app.app_context():
            outcome = run_matching(NOW)
            outcomes.append(
                services.RunOutcome(run=None, created=outcome.created, summary=outcome.summary)
            )
            db.session.remove()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(o.created for o in outcomes) == [False, True]
    (lost,) = [o for o in outcomes if not o.created]
    assert "already running or has just finished" in lost.summary
    assert db.session.scalar(sa.select(sa.func.count(MatchRun.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Suggestion.id))) == 1


def test_jobs_match_command_prints_the_summary(app: Flask, engine: Engine, phonics: Tag) -> None:
    offer(Factories.school(), "Phonics training", phonics)
    request(Factories.school(), "Phonics catch-up", phonics)
    request(Factories.school(), "Forest school", Factories.tag("outdoor-learning"))
    runner = app.test_cli_runner()

    result = runner.invoke(args=["jobs", "match", "--now", "2026-11-26T19:00"])

    assert result.exit_code == 0, result.output
    run = db.session.scalars(sa.select(MatchRun)).one()
    assert result.output == (
        f"Run {run.id} for the week of 23 November 2026: 1 open offer, 2 open requests, "
        "1 pair suggested, 1 request unmatched.\n"
    )
    again = runner.invoke(args=["jobs", "match", "--now", "2026-11-27T08:00"])
    assert again.output == (
        f"Run {run.id} already exists for the week of 23 November 2026; use --force to run again\n"
    )
    forced = runner.invoke(args=["jobs", "match", "--now", "2026-11-27T08:00", "--force"])
    assert forced.output.startswith(f"Run {run.id + 1} for the week of 23 November 2026:")


def test_the_run_passes_the_semantic_setting_to_the_matcher(
    app: Flask, monkeypatch: pytest.MonkeyPatch, phonics: Tag
) -> None:
    seen: list[Any] = []
    real = matching.match

    def spy(data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        seen.append(kwargs.get("semantic"))
        return real(data, **{**kwargs, "semantic": "off"})

    monkeypatch.setattr(matching, "match", spy)
    app.config["MATCH_SEMANTIC"] = "on"
    run_matching(NOW)
    app.config["MATCH_SEMANTIC"] = "off"
    run_matching(NOW, force=True)
    assert seen == ["on", "off"]
