"""The audit log: every coordinator decision is kept with who, when and why, and listed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.admin import services as admin
from app.audit.services import record
from app.extensions import db
from app.models import AuditEvent, PostKind, PostStatus, Role, School, Suggestion, User, utcnow
from app.people import services as people
from app.review import services as review
from tests.conftest import csrf_token, sign_in
from tests.factories import Factories
from tests.test_review import make_run, offer, request_post, suggest

PAGE = "/coordinator/audit/"


@pytest.fixture
def coordinator(app: Flask) -> User:
    return Factories.coordinator(name="Cora Coordinator")


@pytest.fixture
def coord_client(client: FlaskClient, coordinator: User) -> FlaskClient:
    sign_in(client, coordinator)
    return client


def events(action: str | None = None) -> list[AuditEvent]:
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def only(action: str) -> AuditEvent:
    found = events(action)
    assert len(found) == 1, [(e.action, e.summary) for e in events()]
    return found[0]


@contextmanager
def count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


def pending_suggestion(score: float = 0.8, **kw: Any) -> Suggestion:
    run = kw.pop("run", None) or make_run()
    needs = Factories.school(name=kw.pop("needs", "Skegness Infants"))
    gives = Factories.school(name=kw.pop("gives", "Boston Juniors"))
    return suggest(run, request_post(needs), offer(gives), score, **kw)


# ----- Review decisions ------------------------------------------------------------------------


def test_approve_is_recorded_with_who_and_what(
    coord_client: FlaskClient, coordinator: User
) -> None:
    s = pending_suggestion()
    token = csrf_token(coord_client, "/coordinator/review/")
    response = coord_client.post(
        f"/coordinator/review/suggestions/{s.id}/approve", data={"csrf_token": token}
    )
    assert response.status_code == 302
    event = only("approve")
    assert event.actor_id == coordinator.id
    assert (event.subject_type, event.subject_id) == ("suggestion", s.id)
    assert (
        event.summary == f"Approved suggestion {s.id}: Boston Juniors could help Skegness Infants"
    )
    assert event.details["request"] == s.request_id and event.details["offer"] == s.offer_id
    assert event.created_at == s.reviewed_at


def test_reject_keeps_the_reason(coord_client: FlaskClient, coordinator: User) -> None:
    s = pending_suggestion()
    path = f"/coordinator/review/suggestions/{s.id}/reject"
    token = csrf_token(coord_client, path)
    coord_client.post(path, data={"csrf_token": token, "reason": "  Too far   apart "})
    event = only("reject")
    assert event.reason == "Too far apart"
    assert (event.actor_id, event.subject_id) == (coordinator.id, s.id)


def test_a_refused_decision_leaves_no_entry(app: Flask, coordinator: User) -> None:
    s = pending_suggestion()
    review.approve(s, coordinator)
    with pytest.raises(review.ReviewError):
        review.reject(s, "Changed my mind", coordinator)
    with pytest.raises(review.ReviewError):
        review.approve(s, coordinator)
    assert [e.action for e in events()] == ["approve"]


def test_swap_note_and_pair_by_hand_are_recorded(app: Flask, coordinator: User) -> None:
    run = make_run()
    alt = offer(Factories.school(name="Louth Academy"), "Reading leader network")
    s = pending_suggestion(alternatives=[(alt, 0.7)], run=run)
    old_offer = s.offer_id

    review.swap(s, alt.id, coordinator)
    review.set_note(s, "Both new to phonics", coordinator)
    review.set_note(s, "Both new to phonics", coordinator)  # unchanged: nothing to record
    lonely = request_post(Factories.school(name="Horncastle Primary"))
    chosen = offer(Factories.school(name="Spilsby Juniors"))
    paired = review.pair_by_hand(lonely, chosen, coordinator, reason="They know each other")

    swap = only("swap")
    assert swap.details == {"from_offer": old_offer, "to_offer": alt.id}
    assert "from Boston Juniors to Louth Academy for Skegness Infants" in swap.summary
    note = only("edit_note")
    assert note.details == {"before": "", "after": "Both new to phonics"}
    by_hand = only("pair_by_hand")
    assert (by_hand.subject_id, by_hand.reason) == (paired.id, "They know each other")
    assert by_hand.details == {"run": run.id, "request": lonely.id, "offer": chosen.id}
    assert "Spilsby Juniors could help Horncastle Primary" in by_hand.summary


def test_pair_by_hand_page_takes_an_optional_reason(
    coord_client: FlaskClient, coordinator: User
) -> None:
    make_run()
    lonely = request_post(Factories.school(name="Horncastle Primary"))
    chosen = offer(Factories.school(name="Spilsby Juniors"))
    path = f"/coordinator/review/pair/{lonely.id}"
    html = coord_client.get(path).get_data(as_text=True)
    assert "Reason (optional)" in html
    token = csrf_token(coord_client, path)
    response = coord_client.post(
        path, data={"csrf_token": token, "offer": str(chosen.id), "reason": "Asked at cluster"}
    )
    assert response.status_code == 302
    assert only("pair_by_hand").reason == "Asked at cluster"


def test_approve_all_above_writes_one_entry_per_suggestion(app: Flask, coordinator: User) -> None:
    run = make_run()
    high = pending_suggestion(0.9, run=run, needs="A1", gives="B1")
    also = pending_suggestion(0.85, run=run, needs="A2", gives="B2")
    pending_suggestion(0.5, run=run, needs="A3", gives="B3")

    assert review.approve_all_above(run, 0.8, coordinator) == 2

    entries = events("approve")
    assert [e.subject_id for e in entries] == [high.id, also.id]
    assert all(e.details["bulk"] is True and e.details["threshold"] == 0.8 for e in entries)
    assert "all scoring 80% or more" in entries[0].summary


# ----- People ----------------------------------------------------------------------------------


def test_role_change_with_a_reason_from_the_form(
    coord_client: FlaskClient, coordinator: User
) -> None:
    lee = Factories.user(Factories.school(), name="Lee Leader")
    path = f"/coordinator/people/{lee.id}"
    assert "Reason (optional)" in coord_client.get(path).get_data(as_text=True)
    token = csrf_token(coord_client, path)
    coord_client.post(
        f"{path}/role", data={"csrf_token": token, "role": "coordinator", "reason": "New hub lead"}
    )
    event = only("role_change")
    assert (event.actor_id, event.subject_type, event.subject_id) == (
        coordinator.id,
        "user",
        lee.id,
    )
    assert event.summary == "Changed Lee Leader's role from school leader to coordinator"
    assert event.reason == "New hub lead"
    assert event.details == {"from": "leader", "to": "coordinator"}


def test_deactivate_edit_invite_and_clear_bounce_are_recorded(
    coord_client: FlaskClient, coordinator: User
) -> None:
    ash, elm = Factories.school(name="Ash Primary"), Factories.school(name="Elm Academy")
    lee = Factories.user(ash, name="Lee Leader")
    path = f"/coordinator/people/{lee.id}"
    token = csrf_token(coord_client, path)
    coord_client.post(
        f"{path}/active",
        data={"csrf_token": token, "active": "false", "active_reason": "Left the school"},
    )
    coord_client.post(
        f"{path}/edit",
        data={"csrf_token": token, "name": "Lee Leader", "job_title": "Head", "school": elm.id},
    )
    coord_client.post(
        "/coordinator/people/invite",
        data={
            "csrf_token": token,
            "name": "Nia New",
            "email": "nia@example.test",
            "role": "leader",
            "school": str(ash.id),
        },
    )
    lee.email_bouncing_since = utcnow()
    db.session.commit()
    coord_client.post(f"{path}/clear-bounce", data={"csrf_token": token})

    deactivate = only("deactivate")
    assert (deactivate.summary, deactivate.reason) == ("Deactivated Lee Leader", "Left the school")
    edit = only("edit_person")
    assert edit.summary == "Changed Lee Leader's job title and school"
    assert edit.details == {"changes": {"job_title": ["", "Head"], "school": [ash.id, elm.id]}}
    added = only("add_person")
    assert added.summary == "Invited Nia New as a school leader at Ash Primary"
    assert only("clear_bounce").subject_id == lee.id
    assert {e.actor_id for e in events()} == {coordinator.id}


def test_people_services_still_work_without_an_actor(app: Flask) -> None:
    person = people.create_person(
        name="Quiet Import", email="q@example.test", role=Role.COORDINATOR
    )
    people.update_person(person, name="Quiet", job_title="", school=None)
    assert events() == []


# ----- Schools, taxonomy, posts ----------------------------------------------------------------


def test_schools_and_taxonomy_decisions_are_recorded(
    coord_client: FlaskClient, coordinator: User
) -> None:
    token = csrf_token(coord_client, "/coordinator/schools/new")
    coord_client.post("/coordinator/schools/new", data={"csrf_token": token, "name": "Oak Primary"})
    school = db.session.scalar(sa.select(School).where(School.name == "Oak Primary"))
    assert school is not None
    coord_client.post(
        f"/coordinator/schools/{school.id}/edit",
        data={"csrf_token": token, "name": "Oak Primary", "town": "Louth"},
    )
    assert only("add_school").summary == "Added Oak Primary"
    assert only("edit_school").summary == "Edited Oak Primary: town"

    phonics = admin.create_concept("Phonics", None, [], [], by=coordinator)
    reading = admin.create_concept("Reading", None, ["Early reading"], [], by=coordinator)
    admin.update_concept(phonics, "Systematic phonics", None, ["SSP"], [], by=coordinator)
    admin.merge_concepts(reading, phonics, by=coordinator)
    assert [e.subject_id for e in events("add_concept")] == [phonics.id, reading.id]
    edit = only("edit_concept")
    assert edit.details["before"]["label"] == "Phonics"  # type: ignore[index]
    assert edit.details["after"]["aliases"] == ["SSP"]  # type: ignore[index]
    merge = only("merge_concepts")
    assert merge.summary == "Merged “Reading” into “Systematic phonics”: 0 posts moved"
    assert merge.subject_id == phonics.id

    coord_client.post("/coordinator/taxonomy/load", data={"csrf_token": token})
    reload = only("reload_taxonomy")
    assert reload.details["added"] > 0  # type: ignore[operator]


def test_a_coordinator_changing_another_schools_post_is_recorded(
    coord_client: FlaskClient, coordinator: User, client: FlaskClient
) -> None:
    school = Factories.school(name="Beta Primary")
    post = Factories.post(school, kind=PostKind.OFFER, title="Phonics training")
    token = csrf_token(coord_client, "/coordinator/people/invite")
    coord_client.post(f"/posts/{post.id}/status", data={"csrf_token": token, "status": "paused"})
    status = only("post_status")
    assert status.summary == f"Changed Beta Primary's offer {post.id} from open to paused"
    assert (status.subject_type, status.subject_id) == ("post", post.id)

    other = Factories.post(school, kind=PostKind.REQUEST)
    coord_client.post(f"/posts/{other.id}/delete", data={"csrf_token": token})
    assert only("delete_post").summary == f"Deleted Beta Primary's request {other.id}"


def test_a_leader_changing_their_own_post_is_not_a_coordinator_decision(
    client: FlaskClient,
) -> None:
    school = Factories.school()
    leader = Factories.user(school)
    post = Factories.post(school)
    sign_in(client, leader)
    token = csrf_token(client, "/account/delete")
    client.post(f"/posts/{post.id}/status", data={"csrf_token": token, "status": "closed"})
    db.session.refresh(post)
    assert post.status == PostStatus.CLOSED
    assert events() == []


# ----- The page --------------------------------------------------------------------------------


def add_events(actor: User | None, count: int, action: str = "approve") -> None:
    start = datetime(2026, 11, 23, 9, tzinfo=UTC)
    for n in range(count):
        record(actor, action, None, f"{action} number {n}", now=start + timedelta(minutes=n))
    db.session.commit()


def test_page_lists_newest_first_and_filters_by_action_and_person(
    app: Flask, coord_client: FlaskClient, coordinator: User
) -> None:
    other = Factories.coordinator(name="Olu Other")
    add_events(coordinator, 2, "approve")
    add_events(other, 1, "reject")
    record(None, "retention", None, "Anonymised 1 post", now=datetime(2026, 1, 1, tzinfo=UTC))
    db.session.commit()

    html = coord_client.get(PAGE).get_data(as_text=True)
    assert html.index("approve number 1") < html.index("approve number 0")
    assert "Cora Coordinator" in html and "Olu Other" in html and "The service" in html
    assert "Showing 1 to 4 of 4 entries" in html

    html = coord_client.get(PAGE, query_string={"action": "reject"}).get_data(as_text=True)
    assert "reject number 0" in html and "approve number" not in html
    html = coord_client.get(PAGE, query_string={"person": str(coordinator.id)}).get_data(
        as_text=True
    )
    assert "approve number 0" in html and "reject number" not in html
    assert "Clear filters" in html
    html = coord_client.get(PAGE, query_string={"person": "service"}).get_data(as_text=True)
    assert "Anonymised 1 post" in html and "approve number" not in html
    # Unknown filter values are ignored rather than failing.
    assert coord_client.get(PAGE, query_string={"action": "x", "person": "y"}).status_code == 200


def test_page_is_paginated_in_a_constant_number_of_queries(
    app: Flask, coord_client: FlaskClient, coordinator: User
) -> None:
    app.config["AUDIT_PER_PAGE"] = 5
    people = [Factories.coordinator(name=f"Coordinator {n}") for n in range(3)]
    for person in people:
        add_events(person, 2)
    coord_client.get(PAGE)  # warm up
    with count_queries() as few:
        coord_client.get(PAGE)
    for person in people:
        add_events(person, 10)
    coord_client.get(PAGE)  # the commits above expired the signed-in person
    with count_queries() as many:
        html = coord_client.get(PAGE, query_string={"page": 2}).get_data(as_text=True)
    assert len(many) == len(few)
    assert "Showing 6 to 10 of 36 entries" in html
    assert 'rel="next"' in html and 'rel="prev"' in html
    # The entries and their actors come from one query.
    selects = [s for s in many if s.startswith("SELECT audit_event.id")]
    assert len(selects) == 1 and "JOIN user" in selects[0].replace('"', "")


def test_deleted_actor_reads_as_deleted_user(
    app: Flask, coord_client: FlaskClient, coordinator: User
) -> None:
    gone = Factories.coordinator(name="Gone Person")
    add_events(gone, 1)
    gone.name, gone.deleted_at, gone.active = "Deleted user", utcnow(), False
    db.session.commit()
    html = coord_client.get(PAGE).get_data(as_text=True)
    assert "Deleted user" in html and "Gone Person" not in html


def test_leaders_get_403(client: FlaskClient) -> None:
    sign_in(client, Factories.user(Factories.school()))
    assert client.get(PAGE).status_code == 403
    assert client.get("/coordinator/").status_code == 403


def test_coordinator_home_links_to_the_log_and_exports(coord_client: FlaskClient) -> None:
    html = coord_client.get("/coordinator/").get_data(as_text=True)
    assert 'href="/coordinator/audit/"' in html and 'href="/coordinator/exports/"' in html
