"""The weekly digest: one email per person per week, recorded before it is sent.

How a week's digest goes out, and why it survives crashes and a second copy of the job:

1. The week's DigestRun is created once (week_start is unique; a concurrent creator's insert
   fails, rolls back and loads the winner's row). In the same transaction the run claims the
   published suggestions no digest has announced yet (digest_run_id NULL -> this run), so two
   processes never announce the same suggestion twice.
2. Everyone with something new gets a DigestMessage row (pending, with a stable Message-ID),
   inserted with ON CONFLICT DO NOTHING and committed before any mail goes.
3. Rows are claimed in batches of DIGEST_BATCH_SIZE (500): on PostgreSQL with
   SELECT ... FOR UPDATE SKIP LOCKED, so two processes never take the same row, then marked
   'sending' and committed. While a row is 'sending', its sent_at holds the time it was claimed:
   a crashed run's rows are taken again once that claim is older than DIGEST_CLAIM_LEASE_SECONDS
   (15 minutes). A batch is rendered here and sent over one SMTP connection by a second thread
   while this one renders the next batch. Results are recorded and committed as they come in
   (sent / failed / back to pending), every DIGEST_PROGRESS_EVERY (100) messages or
   DIGEST_PROGRESS_SECONDS (1 s), whichever comes first.

Exactly once, with one known window: a process killed after the mail server accepted a message
but before its 'sent' mark was committed leaves that row 'sending'; after the lease a rerun sends
it again. So a hard crash can give at most 100 people (one second's worth) a second copy, with
the same Message-ID (many mail programs then show it once). Anything short of a hard crash is
not a duplicate: a lost SMTP connection is retried on a new one; temporary (4xx) failures that
outlast the retries go back to 'pending' for the next run; an exception records what was sent
and hands back rows that never reached the server. A permanent (5xx) refusal of the address
marks it as bouncing: no more mail to it until a coordinator clears it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, has_request_context
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.dashboard.services import biggest_gap
from app.digest.compose import (
    DigestLinks,
    DigestPlan,
    DigestTemplates,
    GapLine,
    NewPost,
    compose_digest,
    week_label,
)
from app.extensions import db
from app.mail import DeliveryResult, Mail, MailBackend, get_backend, sender_domain
from app.models import (
    DigestMessage,
    DigestRun,
    Partnership,
    PartnershipStatus,
    Post,
    PostStatus,
    School,
    Suggestion,
    SuggestionStatus,
    User,
    utcnow,
)
from app.terms import term_for
from app.urls import external_url

PENDING = "pending"
SENDING = "sending"  # claimed by a process; sent_at holds when
SENT = "sent"
FAILED = "failed"  # refused for good (5xx): the address is marked as bouncing
SKIPPED = "skipped"  # recorded, but by sending time the person no longer wanted it

BATCH_SIZE = 500
CLAIM_LEASE_SECONDS = 15 * 60
# Results are recorded (committed) every PROGRESS_EVERY messages or PROGRESS_SECONDS, whichever
# comes first: the most a crash can send twice.
PROGRESS_EVERY = 100
PROGRESS_SECONDS = 1.0
RECORD_CHECK_EVERY = 25
# "Partnership news" covers the seven days before the digest began.
NEWS_WINDOW = timedelta(days=7)
INSERT_CHUNK = 1000


@dataclass
class DigestOutcome:
    """What one call of send_weekly_digest did (counts are for this call unless named)."""

    week_start: date
    run_id: int
    created: bool  # this call started the week's digest
    suggestions: int = 0  # suggestions the week's digest announces
    recipients: int = 0  # people with a message recorded for the week
    sent: int = 0
    failed: int = 0  # refused for good; those addresses are now marked as bouncing
    skipped: int = 0  # recorded, but no longer wanted by sending time
    bouncing_skipped: int = 0  # people whose address is marked as bouncing
    nothing_new: int = 0  # people with nothing new in the sections they chose
    already_sent: int = 0  # sent earlier this week (a previous call or another process)
    still_pending: int = 0  # left for the next run after temporary failures
    in_progress: int = 0  # claimed by another process (or by a crashed one, until the lease ends)
    stopped_because: str = ""  # why sending stopped early (the mail server was unavailable)

    @property
    def summary(self) -> str:
        text = (
            f"Digest for the week of {week_label(self.week_start)}: {self.sent} sent, "
            f"{self.failed} failed, {self.bouncing_skipped} bouncing skipped, "
            f"{self.nothing_new} with nothing new."
        )
        if self.already_sent:
            text += f" {self.already_sent} already sent earlier."
        if self.skipped:
            text += f" {self.skipped} no longer wanted it."
        if self.in_progress:
            text += f" {self.in_progress} being sent by another run."
        if self.still_pending:
            text += (
                f" {self.still_pending} not sent yet after temporary failures; "
                "run the digest again to retry."
            )
        if self.stopped_because:
            text += f" Stopped early: {self.stopped_because}"
        return text


def week_start_for(now: datetime) -> date:
    """Monday of `now`'s week in the partnership's timezone."""
    local = now.astimezone(ZoneInfo(current_app.config["PARTNERSHIP_TIMEZONE"]))
    return local.date() - timedelta(days=local.weekday())


def message_id_for(week_start: date, user_id: int) -> str:
    """Stable per person and week, so a resent copy is recognisably the same message."""
    domain = sender_domain(current_app.config["MAIL_FROM"])
    return f"<digest-{week_start.isoformat()}-{user_id}@{domain}>"


def _eligible() -> sa.ColumnElement[bool]:
    """People the digest is for, before asking whether they have anything new."""
    return sa.and_(
        User.active.is_(True),
        User.school_id.is_not(None),
        User.digest_enabled.is_(True),
    )


def _still_wants_it(user: User | None) -> bool:
    return (
        user is not None
        and user.active
        and user.school_id is not None
        and user.digest_enabled
        and user.email_bouncing_since is None
    )


# --- the week's run ------------------------------------------------------------------------


def get_or_create_run(week_start: date, now: datetime) -> tuple[DigestRun, bool]:
    """The week's DigestRun, and whether this call created it (claiming its suggestions)."""
    run = db.session.scalar(sa.select(DigestRun).where(DigestRun.week_start == week_start))
    if run is not None:
        return run, False
    run = DigestRun(week_start=week_start, started_at=now)
    db.session.add(run)
    try:
        db.session.flush()
        open_posts = sa.select(Post.id).where(Post.status == PostStatus.OPEN)
        db.session.execute(
            sa.update(Suggestion)
            .where(
                Suggestion.status == SuggestionStatus.PUBLISHED,
                Suggestion.digest_run_id.is_(None),
                Suggestion.request_id.in_(open_posts),
                Suggestion.offer_id.in_(open_posts),
            )
            .values(digest_run_id=run.id)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except IntegrityError:
        # Another process created the week's run (and claimed the suggestions) first.
        db.session.rollback()
        run = db.session.scalars(
            sa.select(DigestRun).where(DigestRun.week_start == week_start)
        ).one()
        return run, False
    return run, True


def load_plan(run: DigestRun) -> DigestPlan:
    """Everything the week's messages say, in four queries."""
    suggestions = (
        db.session.scalars(
            sa.select(Suggestion)
            .where(
                Suggestion.digest_run_id == run.id,
                Suggestion.status == SuggestionStatus.PUBLISHED,
            )
            .options(
                joinedload(Suggestion.offer).joinedload(Post.school),
                joinedload(Suggestion.request).joinedload(Post.school),
            )
        )
        .unique()
        .all()
    )
    since, until = run.started_at - NEWS_WINDOW, run.started_at
    new_posts = [
        NewPost(title=title, kind=kind, school_id=school_id, school_name=school_name)
        for title, kind, school_id, school_name in db.session.execute(
            sa.select(Post.title, Post.kind, Post.school_id, School.name)
            .join(School, Post.school_id == School.id)
            .where(
                Post.created_at >= since,
                Post.created_at < until,
                Post.status == PostStatus.OPEN,
            )
            .order_by(Post.created_at.desc(), Post.id.desc())
        )
    ]
    givers = list(
        db.session.scalars(
            sa.select(School.name)
            .join(Post, Post.school_id == School.id)
            .join(Partnership, Partnership.offer_id == Post.id)
            .where(
                Partnership.introduced_at >= since,
                Partnership.introduced_at < until,
                Partnership.status != PartnershipStatus.WITHDRAWN,
            )
            .distinct()
            .order_by(School.name)
        )
    )
    with _link_context():
        browse_url = external_url("posts.browse")
        gap = _gap_line(run)
    return DigestPlan(
        week_start=run.week_start,
        suggestions=suggestions,
        new_posts=new_posts,
        givers=givers,
        browse_url=browse_url,
        gap=gap,
    )


def _gap_line(run: DigestRun) -> GapLine | None:
    """The top of the dashboard's "short of" list for the run's term, once per run."""
    gap = biggest_gap(term_for(run.week_start, current_app.config["TERMS"]))
    if gap is None:
        return None
    return GapLine(gap.text, external_url("posts.new", kind="offer"), gap.asking_school_ids)


def record_messages(run: DigestRun, plan: DigestPlan, outcome: DigestOutcome) -> None:
    """A pending DigestMessage for everyone with something new; committed before sending."""
    people = db.session.execute(
        sa.select(
            User.id,
            User.school_id,
            User.digest_can_help,
            User.digest_could_help_you,
            User.digest_news,
        )
        .where(_eligible(), User.email_bouncing_since.is_(None))
        .order_by(User.id)  # the same order in every process: concurrent inserts can't deadlock
    ).all()
    rows = []
    for user_id, school_id, can_help, could_help_you, news in people:
        if plan.has_content(school_id, can_help, could_help_you, news):
            rows.append(
                {
                    "run_id": run.id,
                    "user_id": user_id,
                    "status": PENDING,
                    "message_id": message_id_for(run.week_start, user_id),
                    "attempts": 0,
                    "error": "",
                }
            )
        else:
            outcome.nothing_new += 1
    outcome.bouncing_skipped = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(User)
            .where(_eligible(), User.email_bouncing_since.is_not(None))
        )
        or 0
    )
    statement = _insert_ignoring_duplicates()
    for start in range(0, len(rows), INSERT_CHUNK):
        db.session.execute(statement, rows[start : start + INSERT_CHUNK])
    db.session.commit()


def _insert_ignoring_duplicates() -> sa.Insert:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the two databases we run on
        raise RuntimeError(f"the digest needs PostgreSQL or SQLite, not {dialect}")
    return insert(DigestMessage).on_conflict_do_nothing(index_elements=["run_id", "user_id"])


# --- sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claimed:
    id: int
    user_id: int
    message_id: str


def _claimable(stale_before: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        DigestMessage.status == PENDING,
        sa.and_(DigestMessage.status == SENDING, DigestMessage.sent_at < stale_before),
    )


def claim_batch(run_id: int, after_id: int, size: int) -> tuple[list[_Claimed], int]:
    """Claim up to `size` rows after `after_id`; returns them and the last id looked at
    (`after_id` itself when there was nothing left).

    On PostgreSQL the SELECT locks the rows and skips rows another process has locked; the
    guarded UPDATE ... RETURNING then reports only rows that were still claimable, which keeps
    SQLite (no row locks, one writer at a time) correct too.
    """
    lease = int(current_app.config.get("DIGEST_CLAIM_LEASE_SECONDS", CLAIM_LEASE_SECONDS))
    now = utcnow()
    stale_before = now - timedelta(seconds=lease)
    ids = list(
        db.session.scalars(
            sa.select(DigestMessage.id)
            .where(
                DigestMessage.run_id == run_id,
                DigestMessage.id > after_id,
                _claimable(stale_before),
            )
            .order_by(DigestMessage.id)
            .limit(size)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        db.session.commit()
        return [], after_id
    claimed = db.session.execute(
        sa.update(DigestMessage)
        .where(DigestMessage.id.in_(ids), _claimable(stale_before))
        .values(status=SENDING, attempts=DigestMessage.attempts + 1, sent_at=now)
        .returning(DigestMessage.id, DigestMessage.user_id, DigestMessage.message_id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted((_Claimed(*row) for row in claimed), key=lambda c: c.id), ids[-1]


class _Progress:
    """One batch's results: collected by the sending thread, recorded by the main thread."""

    def __init__(self, outcome: DigestOutcome) -> None:
        self.outcome = outcome
        self.rows: dict[int, _Claimed] = {}  # id(mail) -> its row
        self.skipped: list[int] = []
        self.unavailable = ""  # the error, when the mail server stopped taking messages
        self._results: list[tuple[_Claimed, DeliveryResult]] = []
        self._lock = threading.Lock()
        self._flushed_at = time.monotonic()

    def collect(self, mail: Mail, result: DeliveryResult) -> None:
        """Called by the backend, in the sending thread, as each message's outcome is known."""
        with self._lock:
            self._results.append((self.rows[id(mail)], result))

    def due(self, every: int, seconds: float) -> bool:
        with self._lock:
            waiting = len(self._results)
        return waiting >= every or (waiting > 0 and time.monotonic() - self._flushed_at >= seconds)

    def flush(self) -> None:
        """Record and commit what has happened since the last flush."""
        with self._lock:
            results, self._results = self._results, []
        skipped, self.skipped = self.skipped, []
        self._flushed_at = time.monotonic()
        if not results and not skipped:
            return
        now = utcnow()
        sent = [row.id for row, result in results if result.ok]
        if sent:
            db.session.execute(
                sa.update(DigestMessage)
                .where(DigestMessage.id.in_(sent))
                .values(status=SENT, sent_at=now, error="")
                .execution_options(synchronize_session=False)
            )
        failed = 0
        for row, result in results:
            if result.ok:
                continue
            error = result.error[:300]
            if result.permanent_failure:
                failed += 1
                current_app.logger.warning("Digest to user %s refused: %s", row.user_id, error)
                _mark(row.id, status=FAILED, error=error, sent_at=None)
                # A dead address: no more mail to it until a coordinator clears the flag.
                db.session.execute(
                    sa.update(User)
                    .where(User.id == row.user_id, User.email_bouncing_since.is_(None))
                    .values(email_bouncing_since=now, email_bounce_reason=error)
                    .execution_options(synchronize_session=False)
                )
            else:
                _mark(row.id, status=PENDING, error=error, sent_at=None)
                if result.server_unavailable:
                    self.unavailable = error
        if skipped:
            db.session.execute(
                sa.update(DigestMessage)
                .where(DigestMessage.id.in_(skipped))
                .values(status=SKIPPED, sent_at=None, error="nothing to send any more")
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
        self.outcome.sent += len(sent)
        self.outcome.failed += failed
        self.outcome.skipped += len(skipped)


def _mark(row_id: int, **values: object) -> None:
    db.session.execute(
        sa.update(DigestMessage)
        .where(DigestMessage.id == row_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _release(rows: Sequence[_Claimed]) -> None:
    """Hand claimed rows that were never given to the mail server back to 'pending'."""
    if rows:
        db.session.execute(
            sa.update(DigestMessage)
            .where(DigestMessage.id.in_([row.id for row in rows]), DigestMessage.status == SENDING)
            .values(status=PENDING, sent_at=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


@contextlib.contextmanager
def _link_context() -> Iterator[None]:
    """A request context on BASE_URL for the run, for building links outside a request."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        yield


@contextlib.contextmanager
def _objects_survive_commits() -> Iterator[None]:
    # The plan's suggestions stay loaded across the progress commits (no reload per email).
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before


@dataclass
class _Sending:
    """A batch on its way through the mail server, in the sending thread."""

    future: Future[list[DeliveryResult]]
    progress: _Progress


def deliver(run: DigestRun, plan: DigestPlan, backend: MailBackend, outcome: DigestOutcome) -> None:
    """Claim, render and send the run's pending messages, batch by batch.

    Each batch goes over SMTP in a second thread while this one renders the next batch: most
    of an SMTP exchange is waiting for the server, and rendering fills that wait. Results are
    recorded here (the only thread that touches the database) as they arrive.
    """
    config = current_app.config
    size = int(config.get("DIGEST_BATCH_SIZE", BATCH_SIZE))
    every = max(int(config.get("DIGEST_PROGRESS_EVERY", PROGRESS_EVERY)), 1)
    seconds = float(config.get("DIGEST_PROGRESS_SECONDS", PROGRESS_SECONDS))
    templates = DigestTemplates.load()
    digest_links = DigestLinks()
    after_id = 0
    sending: _Sending | None = None
    unsent: list[_Claimed] = []  # claimed by this process, not yet handed to the server

    def record_if_due() -> None:
        if sending is not None and sending.progress.due(every, seconds):
            sending.progress.flush()

    with (
        _objects_survive_commits(),
        _link_context(),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="digest-smtp") as sender,
    ):
        try:
            while True:
                claimed, seen_to = claim_batch(run.id, after_id, size)
                if seen_to == after_id:
                    break  # nothing left to look at
                after_id = seen_to
                unsent = list(claimed)
                mails, progress = _render_batch(
                    plan, claimed, templates, digest_links, outcome, record_if_due
                )
                if sending is not None:
                    _await_batch(sending, every, seconds, outcome)
                    sending = None
                    if outcome.stopped_because:
                        break
                progress.flush()  # the skipped ones
                if mails:
                    future = sender.submit(backend.send_many, mails, on_result=progress.collect)
                    sending = _Sending(future, progress)
                unsent = []
            if sending is not None:
                _await_batch(sending, every, seconds, outcome)
                sending = None
            _release(unsent)
        except BaseException:
            _after_crash(sending, unsent)
            raise


def _await_batch(sending: _Sending, every: int, seconds: float, outcome: DigestOutcome) -> None:
    """Wait for a batch to be sent, recording results as they come in."""
    while not sending.future.done():
        wait([sending.future], timeout=seconds)
        if sending.progress.due(every, seconds):
            sending.progress.flush()
    sending.future.result()  # a crash in the sending thread is a crash here
    sending.progress.flush()
    if sending.progress.unavailable:
        # The rest would wait on the same dead server: leave them pending for a rerun.
        outcome.stopped_because = sending.progress.unavailable


def _after_crash(sending: _Sending | None, unsent: Sequence[_Claimed]) -> None:
    """Keep what is known: record what was delivered, hand back what never left."""
    try:
        db.session.rollback()
        if sending is not None:
            wait([sending.future])
            sending.progress.flush()
        _release(unsent)
    except Exception:  # the database may be what failed; the original error matters more
        current_app.logger.exception("Could not record the digest's progress after a failure")


def _render_batch(
    plan: DigestPlan,
    claimed: Sequence[_Claimed],
    templates: DigestTemplates,
    digest_links: DigestLinks,
    outcome: DigestOutcome,
    every_so_often: Callable[[], None],
) -> tuple[list[Mail], _Progress]:
    """This batch's emails (rendered in this thread), and where their results will go."""
    users = {
        user.id: user
        for user in db.session.scalars(
            sa.select(User)
            .where(User.id.in_([row.user_id for row in claimed]))
            .options(joinedload(User.school))
            # Preferences as they are now, even if this session saw these people earlier.
            .execution_options(populate_existing=True)
        )
    }
    progress = _Progress(outcome)
    mails = []
    for n, row in enumerate(claimed, 1):
        if n % RECORD_CHECK_EVERY == 0:
            every_so_often()  # record the previous batch's results as they arrive
        user = users.get(row.user_id)
        mail = (
            compose_digest(plan, user, row.message_id, templates, digest_links)
            if user is not None and _still_wants_it(user)
            else None
        )
        if mail is None:
            progress.skipped.append(row.id)
            continue
        progress.rows[id(mail)] = row
        mails.append(mail)
    # Nothing here keeps the users once the batch is sent: the session's identity map holds
    # unchanged objects weakly, so memory stays flat across 25,000 people.
    return mails, progress


def _tally(run: DigestRun, outcome: DigestOutcome) -> None:
    """The week's totals, and the run marked finished once nothing is left to send."""
    counts = dict(
        db.session.execute(
            sa.select(DigestMessage.status, sa.func.count())
            .where(DigestMessage.run_id == run.id)
            .group_by(DigestMessage.status)
        ).all()
    )
    outcome.recipients = sum(counts.values())
    outcome.already_sent = counts.get(SENT, 0) - outcome.sent
    outcome.still_pending = counts.get(PENDING, 0)
    outcome.in_progress = counts.get(SENDING, 0)
    if not outcome.still_pending and not outcome.in_progress:
        db.session.execute(
            sa.update(DigestRun)
            .where(DigestRun.id == run.id, DigestRun.finished_at.is_(None))
            .values(finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def send_weekly_digest(now: datetime, backend: MailBackend | None = None) -> DigestOutcome:
    """Send this week's digest to everyone with something new; safe to run again or twice.

    A second call in the same week sends only what the first could not (nothing, usually).
    """
    week_start = week_start_for(now)
    run, created = get_or_create_run(week_start, now)
    outcome = DigestOutcome(week_start=week_start, run_id=run.id, created=created)
    plan = load_plan(run)
    outcome.suggestions = len(plan.suggestions)
    record_messages(run, plan, outcome)
    deliver(run, plan, backend or get_backend(), outcome)
    _tally(run, outcome)
    current_app.logger.info(outcome.summary)
    return outcome
