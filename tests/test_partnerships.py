"""A partnership's life: aims, starting, check-ins, impact, withdrawal; who may do what."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEvent,
    CheckIn,
    CheckInAnswer,
    Impact,
    Partnership,
    PartnershipStatus,
    PostKind,
    School,
    User,
)
from app.partnerships import services
from app.partnerships.services import ALLOWED, IllegalTransition, transition
from jobs import tasks
from tests.conftest import csrf_token, sign_in
from tests.test_introductions import read_outbox, text_of

S = PartnershipStatus
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class World:
    giver: School
    receiver: School
    giver_lead: User
    receiver_lead: User
    partnership: Partnership


@pytest.fixture
def world(app: Flask, make: Any) -> World:
    giver = make.school(name="Fenside Primary")
    receiver = make.school(name="Marshside Academy")
    giver_lead = make.user(giver, name="Gina Giver")
    receiver_lead = make.user(receiver, name="Rob Receiver")
    offer = make.post(giver, kind=PostKind.OFFER, title="Maths mastery in Year 5")
    request = make.post(receiver, kind=PostKind.REQUEST, title="Y5 fractions gaps")
    partnership = Partnership(request=request, offer=offer, introduced_at=NOW - timedelta(days=3))
    db.session.add(partnership)
    db.session.commit()
    return World(giver, receiver, giver_lead, receiver_lead, partnership)


AIMS = {
    "what": "Team-teach three fractions lessons and share planning",
    "who": "Year 5 pupils and their two teachers",
    "difference": "More pupils can compare and order fractions",
    "evidence": "End-of-unit assessment against last year",
    "time_commitment": "Three half-days",
    "starts_on-day": "5",
    "starts_on-month": "1",
    "starts_on-year": "2027",
    "ends_on-day": "26",
    "ends_on-month": "3",
    "ends_on-year": "2027",
}
IMPACT = {
    "what_changed": "Pupils explain equivalent fractions with bar models",
    "pupils_reached": "58",
    "staff_reached": "4",
    "evidence": "Assessment: 71% secure, up from 48%",
    "rating": "4",
    "quote": "Our Year 5 team teach fractions with new confidence.",
    "quote_shareable": "y",
}


def post_form(client: FlaskClient, path: str, data: dict[str, str]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def refreshed(partnership: Partnership) -> Partnership:
    db.session.expire_all()
    fresh = db.session.get(Partnership, partnership.id)
    assert fresh is not None
    return fresh


# --- the lifecycle rules ---------------------------------------------------------------------


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("to", list(S))
def test_only_the_lifecycle_steps_are_allowed(world: World, start: S, to: S) -> None:
    p = world.partnership
    p.status = start
    if to in ALLOWED[start]:
        transition(p, to, NOW)
        assert p.status == to
    else:
        with pytest.raises(IllegalTransition):
            transition(p, to, NOW)
        assert p.status == start


def test_the_allowed_steps_are_exactly_the_lifecycle() -> None:
    steps = {(a, b) for a, targets in ALLOWED.items() for b in targets}
    assert steps == {
        (S.INTRODUCED, S.AGREED),
        (S.AGREED, S.ACTIVE),
        (S.ACTIVE, S.COMPLETED),
        (S.INTRODUCED, S.WITHDRAWN),
        (S.AGREED, S.WITHDRAWN),
        (S.ACTIVE, S.WITHDRAWN),
    }


def test_impact_cannot_be_recorded_before_a_partnership_is_under_way(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.receiver_lead)
    path = f"/partnerships/{world.partnership.id}/impact"
    response = client.get(path)
    assert response.status_code == 302
    client.post(path, data=IMPACT)  # no CSRF token: refused anyway
    with pytest.raises(services.NotAllowed):
        services.record_impact(
            world.partnership,
            services.ImpactData("x", 1, 1, "y", 3, "", False),
            world.receiver_lead,
        )
    assert refreshed(world.partnership).status == S.INTRODUCED
    assert db.session.scalar(select(func.count()).select_from(Impact)) == 0


# --- aims ------------------------------------------------------------------------------------


def test_agreeing_aims_moves_an_introduced_pair_to_agreed(client: FlaskClient, world: World):
    sign_in(client, world.giver_lead)
    path = f"/partnerships/{world.partnership.id}/aims"
    response = post_form(client, path, AIMS)
    assert response.status_code == 302
    p = refreshed(world.partnership)
    assert p.status == S.AGREED and p.agreed_at is not None
    assert p.aims_who == "Year 5 pupils and their two teachers"
    assert (p.starts_on, p.ends_on) == (date(2027, 1, 5), date(2027, 3, 26))
    assert p.aims_set_by_id == world.giver_lead.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your aims are agreed" in page and "More pupils can compare" in page

    # Changing them later keeps the state and the date it was agreed.
    agreed_at = p.agreed_at
    post_form(client, path, {**AIMS, "who": "All of Year 5"})
    p = refreshed(world.partnership)
    assert (p.status, p.aims_who, p.agreed_at) == (S.AGREED, "All of Year 5", agreed_at)


def test_aims_form_keeps_what_was_typed_and_explains_errors(client: FlaskClient, world: World):
    sign_in(client, world.receiver_lead)
    path = f"/partnerships/{world.partnership.id}/aims"
    bad = {
        **AIMS,
        "evidence": "",
        "ends_on-day": "1",
        "ends_on-month": "12",
        "ends_on-year": "2026",
    }
    response = post_form(client, path, bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Say how you will know it has made a difference" in html
    assert "End date must be the same as or after the start date" in html
    assert "Team-teach three fractions lessons" in html  # kept
    assert "Fenside Primary helping Marshside Academy" in html  # which partnership this is
    assert refreshed(world.partnership).status == S.INTRODUCED


def test_aims_form_survives_an_expired_csrf_token(client: FlaskClient, world: World) -> None:
    sign_in(client, world.receiver_lead)
    path = f"/partnerships/{world.partnership.id}/aims"
    response = client.post(path, data={**AIMS, "csrf_token": "expired"})
    html = response.get_data(as_text=True)
    assert "Team-teach three fractions lessons" in html
    assert refreshed(world.partnership).status == S.INTRODUCED


def test_start_button_and_the_start_date_job(client: FlaskClient, world: World, make: Any):
    services.set_aims(
        world.partnership,
        services.AimsData("w", "x", "y", "z", "", date(2026, 11, 30), None),
        world.giver_lead,
        now=NOW,
    )
    # Before the start date nothing moves; on it, the daily job starts the partnership.
    assert services.start_due(NOW) == 0
    assert services.start_due(NOW + timedelta(days=7)) == 1
    assert refreshed(world.partnership).status == S.ACTIVE
    assert services.start_due(NOW + timedelta(days=8)) == 0  # idempotent

    other = Partnership(
        request=make.post(world.receiver, kind=PostKind.REQUEST),
        offer=make.post(world.giver),
        status=S.AGREED,
    )
    db.session.add(other)
    db.session.commit()
    sign_in(client, world.receiver_lead)
    client.post(
        f"/partnerships/{other.id}/start",
        data={"csrf_token": csrf_token(client, f"/partnerships/{other.id}")},
    )
    assert refreshed(other).status == S.ACTIVE


# --- impact ----------------------------------------------------------------------------------


def make_active(world: World, started: datetime = NOW) -> Partnership:
    p = world.partnership
    transition(p, S.AGREED, started)
    transition(p, S.ACTIVE, started)
    p.aims_what = "Team-teach fractions"
    db.session.commit()
    return p


def test_first_impact_completes_and_asks_the_other_school(
    client: FlaskClient, world: World, outbox: Path
) -> None:
    make_active(world)
    sign_in(client, world.receiver_lead)
    path = f"/partnerships/{world.partnership.id}/impact"
    response = post_form(client, path, IMPACT)
    assert response.status_code == 302
    p = refreshed(world.partnership)
    assert p.status == S.COMPLETED and p.completed_at is not None
    impact = services.impact_of(p, world.receiver.id)
    assert impact is not None
    assert (impact.pupils_reached, impact.staff_reached, impact.rating) == (58, 4, 4)
    assert impact.quote_shareable and impact.author_id == world.receiver_lead.id

    [mail] = read_outbox(outbox)
    assert mail["To"] == world.giver_lead.email
    assert "Marshside Academy has recorded the impact" in mail["Subject"]
    assert f"/partnerships/{p.id}/impact" in text_of(mail)

    # The same school cannot record twice; the other school records theirs.
    assert client.get(path).status_code == 302
    sign_in(client, world.giver_lead)
    post_form(client, path, {**IMPACT, "rating": "5", "quote_shareable": ""})
    p = refreshed(world.partnership)
    assert sorted(i.school_id for i in p.impacts) == sorted([world.giver.id, world.receiver.id])
    assert p.status == S.COMPLETED
    assert len(read_outbox(outbox)) == 1  # nobody left to ask


def test_impact_form_explains_errors_and_keeps_input(client: FlaskClient, world: World) -> None:
    make_active(world)
    sign_in(client, world.giver_lead)
    path = f"/partnerships/{world.partnership.id}/impact"
    html = post_form(client, path, {**IMPACT, "pupils_reached": "lots", "rating": ""}).get_data(
        as_text=True
    )
    assert "Pupils reached must be a whole number" in html
    assert "Choose how much difference it made" in html
    assert "Pupils explain equivalent fractions" in html
    assert refreshed(world.partnership).status == S.ACTIVE


# --- withdrawal ------------------------------------------------------------------------------


def test_a_school_withdraws_with_a_reason(client: FlaskClient, world: World) -> None:
    sign_in(client, world.giver_lead)
    path = f"/partnerships/{world.partnership.id}/withdraw"
    post_form(client, path, {"reason": "Our maths lead has left"})
    p = refreshed(world.partnership)
    assert (p.status, p.withdrawn_reason) == (S.WITHDRAWN, "Our maths lead has left")
    assert p.withdrawn_at is not None
    # Finished: no aims, impact or second withdrawal.
    with pytest.raises(IllegalTransition):
        services.withdraw(p, "again", world.giver_lead)
    assert client.get(f"/partnerships/{p.id}/aims").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_coordinator_withdrawing_is_audited(client: FlaskClient, world: World, make: Any):
    coordinator = make.coordinator(name="Cora Ordinator")
    sign_in(client, coordinator)
    post_form(client, f"/partnerships/{world.partnership.id}/withdraw", {"reason": "Duplicate"})
    assert refreshed(world.partnership).status == S.WITHDRAWN
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.actor_id, event.action, event.subject_id, event.reason) == (
        coordinator.id,
        "withdraw_partnership",
        world.partnership.id,
        "Duplicate",
    )


# --- who may see and do what -----------------------------------------------------------------


def test_other_schools_cannot_see_or_change_a_partnership(
    client: FlaskClient, world: World, make: Any
) -> None:
    stranger = make.user(make.school(), name="Sam Stranger")
    sign_in(client, stranger)
    pid = world.partnership.id
    for path in ("", "/aims", "/impact", "/withdraw"):
        assert client.get(f"/partnerships/{pid}{path}").status_code == 404
    assert "Fenside" not in client.get("/partnerships/").get_data(as_text=True)

    coordinator = make.coordinator()
    sign_in(client, coordinator)
    assert client.get(f"/partnerships/{pid}").status_code == 200
    # Coordinators follow partnerships; only the two schools write their aims and impact.
    assert client.get(f"/partnerships/{pid}/aims").status_code == 403


def test_list_shows_what_needs_doing(client: FlaskClient, world: World) -> None:
    sign_in(client, world.receiver_lead)
    html = client.get("/partnerships/").get_data(as_text=True)
    assert "Needs your action" in html and "Agree your aims" in html
    assert f'href="/partnerships/{world.partnership.id}/aims"' in html  # one click to do it
    assert "Fenside Primary helping Marshside Academy" in html


# --- check-ins -------------------------------------------------------------------------------

TOKEN_RE = re.compile(r"/partnerships/check-in/([A-Za-z0-9_.\-]+)")


def test_check_ins_go_at_six_and_twelve_weeks_once_each(
    app: Flask, world: World, outbox: Path
) -> None:
    make_active(world, started=NOW)
    assert tasks.partnerships(NOW + timedelta(weeks=5)) == (
        "Started 0 partnerships; 0 check-ins due, 0 emails sent."
    )
    summary = tasks.partnerships(NOW + timedelta(weeks=6))
    assert summary == "Started 0 partnerships; 2 check-ins due, 2 emails sent."
    mails = read_outbox(outbox)
    assert sorted(m["To"] for m in mails) == sorted(
        [world.giver_lead.email, world.receiver_lead.email]
    )
    to_receiver = next(m for m in mails if m["To"] == world.receiver_lead.email)
    assert to_receiver["Subject"] == "How is your partnership with Fenside Primary going?"
    assert len(TOKEN_RE.findall(text_of(to_receiver))) == 3
    # Running again the same day, or the next, sends nothing more.
    tasks.partnerships(NOW + timedelta(weeks=6))
    tasks.partnerships(NOW + timedelta(weeks=6, days=1))
    assert len(read_outbox(outbox)) == 2
    tasks.partnerships(NOW + timedelta(weeks=12))
    assert len(read_outbox(outbox)) == 4
    weeks = sorted(c.weeks for c in db.session.scalars(select(CheckIn)))
    assert weeks == [6, 6, 12, 12]


def test_check_in_weeks_are_configurable(app: Flask, world: World, outbox: Path) -> None:
    app.config["CHECKIN_WEEKS"] = "2"
    make_active(world, started=NOW)
    tasks.partnerships(NOW + timedelta(weeks=2))
    assert len(read_outbox(outbox)) == 2


def check_in_links(outbox: Path, address: str) -> dict[str, str]:
    mail = next(m for m in read_outbox(outbox) if m["To"] == address)
    text = text_of(mail)
    found = {}
    for label in services.CHECK_IN_LABELS.values():
        after = text.split(label, 1)[1]
        found[label] = "/partnerships/check-in/" + TOKEN_RE.search(after).group(1)  # type: ignore[union-attr]
    return found


def test_opening_a_check_in_link_changes_nothing_and_the_button_answers(
    client: FlaskClient, world: World, outbox: Path
) -> None:
    make_active(world, started=NOW)
    tasks.partnerships(NOW + timedelta(weeks=6))
    links = check_in_links(outbox, world.receiver_lead.email)
    path = links["This isn't working"]

    for _ in range(3):  # a link scanner, then the person, then a reload
        response = client.get(path)
        assert response.status_code == 200
    assert all(c.answer is None for c in db.session.scalars(select(CheckIn)))
    html = response.get_data(as_text=True)
    assert "Only the partnership coordinators will see this answer" in html

    token = csrf_token(client, path)
    response = client.post(path, data={"note": "We can't find a date", "csrf_token": token})
    assert "Thank you" in response.get_data(as_text=True)
    db.session.expire_all()
    mine = db.session.scalars(select(CheckIn).where(CheckIn.school_id == world.receiver.id)).one()
    assert (mine.answer, mine.note) == (CheckInAnswer.NOT_WORKING, "We can't find a date")
    assert mine.answered_by_id == world.receiver_lead.id


def test_this_isnt_working_is_seen_by_coordinators_only(
    client: FlaskClient, world: World, outbox: Path, make: Any
) -> None:
    make_active(world, started=NOW)
    tasks.partnerships(NOW + timedelta(weeks=6))
    for lead, label, note in (
        (world.receiver_lead, "This isn't working", "Private worry"),
        (world.giver_lead, "Going well", "Lovely visit"),
    ):
        path = check_in_links(outbox, lead.email)[label]
        client.post(path, data={"note": note, "csrf_token": csrf_token(client, path)})

    sign_in(client, world.giver_lead)
    html = client.get(f"/partnerships/{world.partnership.id}").get_data(as_text=True)
    assert "Going well" in html and "Lovely visit" in html
    assert "working" not in html.replace("Going well", "")
    assert "Private worry" not in html

    coordinator = make.coordinator()
    sign_in(client, coordinator)
    html = client.get(f"/partnerships/{world.partnership.id}").get_data(as_text=True)
    assert "This isn&#39;t working" in html and "Private worry" in html
    listing = client.get("/partnerships/").get_data(as_text=True)
    assert "A school says this isn\u2019t working" in listing


def test_check_in_links_refuse_the_wrong_person_expired_and_finished(
    app: Flask, client: FlaskClient, world: World, outbox: Path
) -> None:
    make_active(world, started=NOW)
    tasks.partnerships(NOW + timedelta(weeks=6))
    path = check_in_links(outbox, world.receiver_lead.email)["Going well"]
    assert client.get(path + "x").status_code == 400

    # Four weeks and a minute later the link has expired.
    later = time.time() + app.config["REPLY_LINK_MAX_AGE"] + 60
    with mock.patch.object(TimestampSigner, "get_timestamp", return_value=int(later)):
        response = client.get(path)
    assert response.status_code == 410
    assert "Check-in links work for 28 days" in response.get_data(as_text=True)

    # A leader who moved school can no longer answer for the old one.
    world.receiver_lead.school = world.giver
    db.session.commit()
    assert client.get(path).status_code == 403
    world.receiver_lead.school = world.receiver
    world.partnership.status = S.COMPLETED
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "This partnership has finished" in response.get_data(as_text=True)
