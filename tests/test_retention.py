"""Retention: after RETENTION_YEARS, closed posts and finished partnerships lose their words
and keep their figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import (
    AuditEvent,
    CheckIn,
    CheckInAnswer,
    Impact,
    Partnership,
    PartnershipStatus,
    Post,
    PostKind,
    PostStatus,
    School,
    Tag,
)
from app.retention.services import anonymise_expired, years_before
from jobs.registry import BY_ID
from tests.factories import Factories

NOW = datetime(2032, 11, 28, 3, tzinfo=UTC)
OLD = datetime(2026, 6, 1, tzinfo=UTC)  # more than six years before NOW
RECENT = datetime(2030, 6, 1, tzinfo=UTC)


def closed_post(
    school: School, updated: datetime, kind: PostKind = PostKind.OFFER, **kw: object
) -> Post:
    post = Factories.post(
        school,
        kind=kind,
        title=f"Words about {kind.value}",
        description="A description naming Mrs Smith",
        free_tags=["Read Write Inc"],
        status=kw.pop("status", PostStatus.CLOSED),
        time_commitment="Two twilights",
        available_from=date(2026, 1, 5),
        **kw,
    )
    # updated_at moves on every change; set it last, as the database would hold it.
    db.session.execute(sa.update(Post).where(Post.id == post.id).values(updated_at=updated))
    db.session.commit()
    db.session.refresh(post)
    return post


def finished_partnership(
    status: PartnershipStatus, when: datetime, request: Post, offer: Post
) -> Partnership:
    p = Partnership(
        request=request,
        offer=offer,
        status=status,
        aims_what="Year 2 phonics",
        aims_who="Twelve pupils",
        aims_difference="Reading ages",
        aims_evidence="Phonics screening",
        time_commitment="Half a day a week",
        starts_on=date(2026, 1, 5),
        completed_at=when if status == PartnershipStatus.COMPLETED else None,
        withdrawn_at=when if status == PartnershipStatus.WITHDRAWN else None,
        withdrawn_reason="Staff left" if status == PartnershipStatus.WITHDRAWN else "",
    )
    db.session.add(p)
    db.session.flush()
    db.session.add_all(
        [
            CheckIn(
                partnership_id=p.id,
                school_id=request.school_id,
                weeks=6,
                answer=CheckInAnswer.GOING_WELL,
                note="Going well with Mr Jones",
                answered_at=when,
            ),
            Impact(
                partnership_id=p.id,
                school_id=request.school_id,
                pupils_reached=12,
                staff_reached=2,
                rating=5,
                what_changed="Reading ages up",
                evidence="Screening scores",
                quote="Brilliant, thank you",
                quote_shareable=True,
            ),
        ]
    )
    db.session.commit()
    return p


@pytest.fixture
def schools(app: Flask) -> tuple[School, School]:
    return Factories.school(name="Ash Primary"), Factories.school(name="Elm Academy")


def test_old_closed_posts_lose_their_words_and_keep_the_rest(
    app: Flask, schools: tuple[School, School]
) -> None:
    ash, _ = schools
    author = Factories.user(ash)
    tag = Factories.tag("phonics")
    old_offer = closed_post(ash, OLD, author=author)
    old_offer.tags = [tag]
    db.session.commit()
    old_request = closed_post(ash, OLD, kind=PostKind.REQUEST)
    recent = closed_post(ash, RECENT)
    still_open = closed_post(ash, OLD, status=PostStatus.OPEN)
    ended_long_ago = closed_post(
        ash, RECENT, status=PostStatus.OPEN, available_until=date(2026, 7, 1)
    )

    outcome = anonymise_expired(NOW)

    assert outcome.posts == 3
    offer = db.session.get(Post, old_offer.id)
    assert offer is not None
    assert (offer.title, offer.description, offer.free_tags, offer.author_id) == (
        "Archived offer",
        "",
        [],
        None,
    )
    assert offer.anonymised_at == NOW
    # What the figures need stays.
    assert (offer.kind, offer.school_id, offer.status) == (
        PostKind.OFFER,
        ash.id,
        PostStatus.CLOSED,
    )
    assert [t.slug for t in offer.tags] == ["phonics"]
    assert offer.available_from == date(2026, 1, 5) and offer.updated_at == OLD
    assert offer.time_commitment == "Two twilights"
    request = db.session.get(Post, old_request.id)
    assert request is not None and request.title == "Archived request"
    assert db.session.get(Post, ended_long_ago.id).title == "Archived offer"  # type: ignore[union-attr]
    for kept in (recent, still_open):
        post = db.session.get(Post, kept.id)
        assert post is not None and post.title.startswith("Words about")
        assert post.anonymised_at is None
    assert db.session.scalar(sa.select(sa.func.count(Tag.id))) == 1


def test_finished_partnerships_lose_aims_notes_and_quotes_but_keep_figures(
    app: Flask, schools: tuple[School, School]
) -> None:
    ash, elm = schools
    done = finished_partnership(
        PartnershipStatus.COMPLETED, OLD, closed_post(ash, OLD), closed_post(elm, OLD)
    )
    dropped = finished_partnership(
        PartnershipStatus.WITHDRAWN, OLD, closed_post(ash, RECENT), closed_post(elm, RECENT)
    )
    recent = finished_partnership(
        PartnershipStatus.COMPLETED, RECENT, closed_post(ash, RECENT), closed_post(elm, RECENT)
    )

    outcome = anonymise_expired(NOW)

    assert (outcome.partnerships, outcome.check_ins, outcome.impacts) == (2, 2, 2)
    for p_id in (done.id, dropped.id):
        p = db.session.get(Partnership, p_id)
        assert p is not None and p.anonymised_at == NOW
        assert (p.aims_what, p.aims_who, p.aims_difference, p.aims_evidence) == ("", "", "", "")
        assert p.withdrawn_reason == ""
        assert p.starts_on == date(2026, 1, 5) and p.time_commitment == "Half a day a week"
        (check_in,) = p.check_ins
        assert check_in.note == "" and check_in.answer == CheckInAnswer.GOING_WELL
        (impact,) = p.impacts
        assert (impact.what_changed, impact.evidence, impact.quote) == ("", "", "")
        assert impact.quote_shareable is False
        assert (impact.pupils_reached, impact.staff_reached, impact.rating) == (12, 2, 5)
    done_again = db.session.get(Partnership, done.id)
    assert done_again is not None and done_again.completed_at == OLD
    kept = db.session.get(Partnership, recent.id)
    assert kept is not None and kept.aims_what == "Year 2 phonics" and kept.anonymised_at is None
    assert kept.impacts[0].quote == "Brilliant, thank you"


def test_a_post_in_an_unfinished_partnership_keeps_its_words(
    app: Flask, schools: tuple[School, School]
) -> None:
    ash, elm = schools
    request, offer = closed_post(ash, OLD), closed_post(elm, OLD)
    db.session.add(
        Partnership(request=request, offer=offer, status=PartnershipStatus.ACTIVE, aims_what="x")
    )
    db.session.commit()
    assert anonymise_expired(NOW).posts == 0
    assert db.session.get(Post, request.id).title.startswith("Words")  # type: ignore[union-attr]


def test_running_again_changes_nothing_and_is_logged_once(
    app: Flask, schools: tuple[School, School]
) -> None:
    ash, elm = schools
    finished_partnership(
        PartnershipStatus.COMPLETED, OLD, closed_post(ash, OLD), closed_post(elm, OLD)
    )
    first = anonymise_expired(NOW)
    stamp = db.session.scalars(sa.select(Post.anonymised_at)).all()
    second = anonymise_expired(NOW + timedelta(days=7))

    assert (first.posts, first.partnerships) == (2, 1)
    assert (second.posts, second.partnerships, second.check_ins, second.impacts) == (0, 0, 0, 0)
    assert db.session.scalars(sa.select(Post.anonymised_at)).all() == stamp
    (entry,) = db.session.scalars(sa.select(AuditEvent)).all()
    assert (entry.action, entry.actor_id) == ("retention", None)
    assert entry.details["posts"] == 2 and entry.details["partnerships"] == 1


def test_the_number_of_years_is_configurable(app: Flask, schools: tuple[School, School]) -> None:
    ash, _ = schools
    recent = closed_post(ash, RECENT)
    app.config["RETENTION_YEARS"] = 2
    assert anonymise_expired(NOW).posts == 1
    assert db.session.get(Post, recent.id).title == "Archived offer"  # type: ignore[union-attr]


def test_years_before_handles_a_leap_day() -> None:
    assert years_before(datetime(2028, 2, 29, tzinfo=UTC), 6) == datetime(2022, 2, 28, tzinfo=UTC)


def test_the_job_runs_from_the_command_line(app: Flask, schools: tuple[School, School]) -> None:
    ash, _ = schools
    closed_post(ash, OLD)
    assert BY_ID["retention"].cron_setting == "RETENTION_CRON"

    result = app.test_cli_runner().invoke(args=["jobs", "retention", "--now", "2032-11-28T03:00"])

    assert result.exit_code == 0, result.output
    assert result.output == (
        "Anonymised 1 post and 0 partnerships (0 check-ins, 0 impact records) "
        "closed or finished before 28 November 2026.\n"
    )
    db.session.expire_all()
    assert db.session.scalar(sa.select(Post.title)) == "Archived offer"


def test_audit_entries_older_than_the_limit_are_deleted(
    app: Flask, schools: tuple[School, School]
) -> None:
    for when, summary in ((OLD, "Approved an old match"), (RECENT, "Approved a recent match")):
        db.session.add(AuditEvent(created_at=when, actor_id=None, action="approve",
                                  subject_type="suggestion", subject_id=1, summary=summary))
    db.session.commit()

    outcome = anonymise_expired(NOW)

    assert outcome.audit_events == 1
    assert outcome.summary.endswith(" Deleted 1 audit log entry from before then.")
    kept = db.session.scalars(sa.select(AuditEvent.summary).order_by(AuditEvent.id)).all()
    assert kept == ["Approved a recent match", outcome.summary]
    # Nothing left to delete: a second run logs nothing.
    assert anonymise_expired(NOW + timedelta(days=7)).audit_events == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 2
