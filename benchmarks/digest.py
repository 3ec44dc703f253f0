"""How long the weekly digest takes for a big partnership, against sending over bare smtplib.

    python -m benchmarks.digest --recipients 25000 [--json] [--profile]

Builds a throwaway database (a temporary SQLite file; or DATABASE_URL, which must point at an
empty database: its tables are created and dropped again) with synthetic schools, leaders,
posts and published suggestions; starts an aiosmtpd server on 127.0.0.1 in its own process (a
sink that only counts); then

1. runs the whole digest, send_weekly_digest(now), over SMTP and times it;
2. renders the same messages again up front and times a bare smtplib loop sending those bytes
   over one connection: the floor for delivering that many messages to that server.

It prints both times, their ratio, messages per second and the digest's peak memory (the
process's peak resident set size; the data is built in a separate process so it doesn't count).
Targets: the digest under 2 minutes, and within 2x of the bare loop.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import resource
import shutil
import smtplib
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from benchmarks.throwaway_db import bench_app, drop_all, refuse_non_empty

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # a Monday morning
RECIPIENTS_PER_SCHOOL = 50
TARGET_SECONDS = 120.0
TARGET_RATIO = 2.0


# --- the SMTP sink (its own process, so it doesn't share the measured process's CPU) -------


class _CountingHandler:
    def __init__(self, counter: Any) -> None:
        self.counter = counter

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 2.0.0 OK"


def _serve_sink(ready: Any, stop: Any, counter: Any) -> None:
    from aiosmtpd.controller import Controller

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]

    class BoundController(Controller):
        def _create_server(self) -> Any:
            return self.loop.create_server(self._factory_invoker, sock=sock)

    controller = BoundController(_CountingHandler(counter), hostname="127.0.0.1", port=port)
    controller.start()
    ready.send(port)
    try:
        stop.wait()
    finally:
        controller.stop()
        sock.close()


@contextlib.contextmanager
def smtp_sink() -> Iterator[tuple[int, Any]]:
    """(port, counter) of a counting SMTP server on 127.0.0.1, stopped when the block ends."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    stop = ctx.Event()
    counter = ctx.Value("l", 0)
    process = ctx.Process(target=_serve_sink, args=(send, stop, counter), daemon=True)
    process.start()
    try:
        if not receive.poll(30):
            raise RuntimeError("the SMTP sink did not start")
        yield receive.recv(), counter
    finally:
        stop.set()
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join()


# --- the synthetic partnership -------------------------------------------------------------


def build_data(database_url: str, recipients: int, schools: int) -> dict[str, int]:
    """Schools, leaders, posts and one published suggestion per request, in bulk."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import MatchRun, Post, School, Suggestion, User

    app = bench_app(database_url)
    with app.app_context():
        db.create_all()
        old, new = NOW - timedelta(days=30), NOW - timedelta(days=2)
        db.session.execute(
            sa.insert(School),
            [
                {
                    "id": s + 1,
                    "name": f"School {s + 1:04} Primary",
                    "urn": f"{100000 + s}",
                    "town": f"Town {s % 40}",
                    "descriptors": [],
                    "created_at": old,
                }
                for s in range(schools)
            ],
        )
        db.session.execute(
            sa.insert(User),
            [
                {
                    "id": u + 1,
                    "name": f"Leader {u + 1}",
                    "email": f"leader{u + 1}@school{u % schools + 1}.example.org",
                    "school_id": u % schools + 1,
                    "created_at": old,
                }
                for u in range(recipients)
            ],
        )
        # Each school: two offers and two requests; one post in ten is new this week.
        posts = []
        for s in range(schools):
            for k, kind in enumerate(("offer", "offer", "request", "request")):
                pid = s * 4 + k + 1
                posts.append(
                    {
                        "id": pid,
                        "kind": kind,
                        "school_id": s + 1,
                        "title": f"{'Can share' if kind == 'offer' else 'Looking for'} "
                        f"expertise in topic {pid % 37}",
                        "description": "Two sentences about what we have in mind, "
                        "who is involved and when it could happen. " * 2,
                        "free_tags": [],
                        "format": "either",
                        "capacity": 2 if kind == "offer" else None,
                        "status": "open",
                        "created_at": new if pid % 10 == 0 else old,
                        "updated_at": old,
                    }
                )
        db.session.execute(sa.insert(Post), posts)
        run = MatchRun(week_start=date(2026, 11, 19), started_at=NOW - timedelta(days=4))
        db.session.add(run)
        db.session.flush()
        # Request k of school s is met by offer k of the next school.
        db.session.execute(
            sa.insert(Suggestion),
            [
                {
                    "run_id": run.id,
                    "request_id": s * 4 + 3 + k,
                    "offer_id": ((s + 1) % schools) * 4 + 1 + k,
                    "score": 0.5 + (k + s % 5) / 20,
                    "reasons": ["You both mention phonics", f"{3 + s % 20} miles apart"],
                    "alternatives": [],
                    "status": "published",
                    "note": "Worth a call." if s % 3 == 0 else "",
                    "published_at": NOW - timedelta(days=3),
                    "created_at": NOW - timedelta(days=4),
                }
                for s in range(schools)
                for k in range(2)
            ],
        )
        db.session.commit()
        counts = {
            "schools": schools,
            "recipients": recipients,
            "posts": len(posts),
            "suggestions": schools * 2,
        }
        db.session.remove()
        db.engine.dispose()
    return counts


def _build_in_child(database_url: str, recipients: int, schools: int) -> dict[str, int]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(build_data, (database_url, recipients, schools))


# --- measuring -----------------------------------------------------------------------------


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Result:
    recipients: int
    schools: int
    suggestions: int
    database: str
    batch_size: int
    messages: int
    digest_seconds: float
    bare_smtp_seconds: float
    ratio: float
    digest_messages_per_second: float
    bare_messages_per_second: float
    peak_memory_mb: float
    memory_before_digest_mb: float
    average_message_bytes: int
    summary: str
    under_2_minutes: bool
    within_2x_of_bare: bool


def run(
    recipients: int, schools: int, batch_size: int, profile: bool, database_url: str | None
) -> Result:
    workdir = tempfile.mkdtemp(prefix="givefirst-bench-")
    url = database_url or f"sqlite:///{workdir}/digest.db"
    if database_url:
        refuse_non_empty(database_url)
    try:
        counts = _build_in_child(url, recipients, schools)
        with smtp_sink() as (port, counter):
            return _measure(url, port, counter, counts, batch_size, profile, workdir)
    finally:
        if database_url:
            drop_all(database_url)
        shutil.rmtree(workdir, ignore_errors=True)


def _measure(
    url: str,
    port: int,
    counter: Any,
    counts: dict[str, int],
    batch_size: int,
    profile: bool,
    workdir: str,
) -> Result:
    import sqlalchemy as sa

    from app.digest.compose import DigestTemplates, compose_digest
    from app.digest.services import _link_context, load_plan, send_weekly_digest
    from app.extensions import db
    from app.mail import message_bytes
    from app.models import DigestMessage, DigestRun, User

    app = bench_app(
        url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_SECURITY="none",
        SMTP_LOCAL_HOSTNAME="bench.localhost",
        DIGEST_BATCH_SIZE=batch_size,
        OUTBOX_DIR=os.path.join(workdir, "outbox"),
    )
    with app.app_context():
        before = _rss_mb()
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        outcome = send_weekly_digest(NOW)
        if profiler:
            profiler.disable()
        digest_seconds = time.perf_counter() - started
        peak = _rss_mb()
        if counter.value != outcome.sent:
            raise RuntimeError(f"the server counted {counter.value}, the digest {outcome.sent}")

        # The same messages, rendered up front for the bare loop (not part of either timing).
        run = db.session.scalars(sa.select(DigestRun)).one()
        plan = load_plan(run)
        templates = DigestTemplates.load()
        rows = db.session.execute(
            sa.select(DigestMessage.user_id, DigestMessage.message_id).order_by(DigestMessage.id)
        ).all()
        users = {u.id: u for u in db.session.scalars(sa.select(User))}
        sender = app.config["MAIL_FROM"]
        prepared = []
        with _link_context():
            for user_id, message_id in rows:
                mail = compose_digest(plan, users[user_id], message_id, templates)
                assert mail is not None
                prepared.append((mail.to, message_bytes(mail, sender)))
        db.session.remove()
        db.engine.dispose()

    counter.value = 0
    started = time.perf_counter()
    conn = smtplib.SMTP("127.0.0.1", port, local_hostname="bench.localhost", timeout=30)
    for to, data in prepared:
        conn.sendmail("no-reply@givefirst.example.org", [to], data)
    conn.quit()
    bare_seconds = time.perf_counter() - started
    if counter.value != len(prepared):
        raise RuntimeError(f"bare loop: the server counted {counter.value} of {len(prepared)}")

    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        print(out.getvalue(), file=sys.stderr)

    messages = outcome.sent
    return Result(
        recipients=counts["recipients"],
        schools=counts["schools"],
        suggestions=counts["suggestions"],
        database=url.split(":", 1)[0],
        batch_size=batch_size,
        messages=messages,
        digest_seconds=round(digest_seconds, 2),
        bare_smtp_seconds=round(bare_seconds, 2),
        ratio=round(digest_seconds / bare_seconds, 2),
        digest_messages_per_second=round(messages / digest_seconds, 1),
        bare_messages_per_second=round(len(prepared) / bare_seconds, 1),
        peak_memory_mb=round(peak, 1),
        memory_before_digest_mb=round(before, 1),
        average_message_bytes=sum(len(d) for _, d in prepared) // max(len(prepared), 1),
        summary=outcome.summary,
        under_2_minutes=digest_seconds < TARGET_SECONDS,
        within_2x_of_bare=digest_seconds <= TARGET_RATIO * bare_seconds,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=25_000)
    parser.add_argument(
        "--schools", type=int, help=f"default: one per {RECIPIENTS_PER_SCHOOL} recipients"
    )
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--profile", action="store_true", help="cProfile the digest (stderr)")
    args = parser.parse_args(argv)
    schools = args.schools or max(args.recipients // RECIPIENTS_PER_SCHOOL, 2)
    result = run(
        args.recipients,
        schools,
        args.batch_size,
        args.profile,
        os.environ.get("DATABASE_URL") or None,
    )
    if args.json:
        print(json.dumps(asdict(result), indent=2))
    else:
        print(
            f"{result.messages} digests to {result.recipients} people at {result.schools} "
            f"schools ({result.suggestions} suggestions, {result.database}, batches of "
            f"{result.batch_size}, about {result.average_message_bytes:,} bytes each)\n"
            f"  whole digest:   {result.digest_seconds:8.2f} s  "
            f"{result.digest_messages_per_second:8.1f} messages/s\n"
            f"  bare smtplib:   {result.bare_smtp_seconds:8.2f} s  "
            f"{result.bare_messages_per_second:8.1f} messages/s\n"
            f"  ratio:          {result.ratio:8.2f}x  (target <= {TARGET_RATIO:.0f}x: "
            f"{'met' if result.within_2x_of_bare else 'NOT met'})\n"
            f"  under 2 minutes: {'yes' if result.under_2_minutes else 'NO'}\n"
            f"  peak memory:    {result.peak_memory_mb:8.1f} MB  "
            f"(before the digest: {result.memory_before_digest_mb:.1f} MB)\n"
            f"  {result.summary}"
        )
    return 0 if result.under_2_minutes and result.within_2x_of_bare else 1


if __name__ == "__main__":
    raise SystemExit(main())
