"""How long the coordinators' dashboard takes to render for a big partnership, and in how many
SQL queries.

    python -m benchmarks.dashboard --schools 2000 --posts 20000 [--renders 10] [--json]

Builds a throwaway database (a temporary SQLite file; or DATABASE_URL, which must point at an
empty database: its tables are created and dropped again) with generated schools and leaders,
posts tagged with the shipped taxonomy, a year of weekly match runs, suggestions, unmatched
requests, partnerships at every stage, check-ins and impact records. Then it signs in as a
coordinator and renders the dashboard through the Flask test client several times (after one
warm-up render), counting SQL statements with a `before_cursor_execute` listener.

It prints the median and slowest render in milliseconds and the queries per render.
Target: under 300 ms, and the same number of queries whatever the size.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from benchmarks.throwaway_db import bench_app, drop_all, refuse_non_empty

TARGET_MS = 300.0
# Lincolnshire, roughly: where the generated schools are.
LATITUDE = (52.64, 53.62)
LONGITUDE = (-0.82, 0.35)
TOWNS = ("Lincoln", "Boston", "Grantham", "Louth", "Skegness", "Spalding", "Sleaford", "Stamford")


def build_data(database_url: str, schools: int, posts: int, seed: int = 7) -> dict[str, int]:
    """A partnership of `schools` schools and `posts` posts, with a year of history."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import (
        CheckIn,
        Impact,
        MatchRun,
        Partnership,
        Post,
        Role,
        School,
        Suggestion,
        Tag,
        UnmatchedRequest,
        User,
        post_tag,
        utcnow,
    )
    from app.taxonomy.services import seed_taxonomy

    rng = random.Random(seed)
    app = bench_app(database_url)
    with app.app_context():
        db.create_all()
        seed_taxonomy()
        now = utcnow()
        tag_ids = list(db.session.scalars(sa.select(Tag.id).order_by(Tag.id)))
        # A few topics everyone asks about, as in life: weights fall off along the list.
        weights = [1 / (1 + n % 60) for n in range(len(tag_ids))]
        db.session.execute(
            sa.insert(School),
            [
                {
                    "id": s + 1,
                    "name": f"School {s + 1:04} Primary",
                    "urn": f"{200000 + s}",
                    "town": TOWNS[s % len(TOWNS)],
                    "latitude": rng.uniform(*LATITUDE),
                    "longitude": rng.uniform(*LONGITUDE),
                    "descriptors": [],
                    "created_at": now - timedelta(days=400),
                }
                for s in range(schools)
            ],
        )
        db.session.execute(
            sa.insert(User),
            [
                {
                    "name": f"Leader {s + 1}",
                    "email": f"leader{s + 1}@school{s + 1}.example.org",
                    "school_id": s + 1,
                    "role": Role.LEADER,
                    "created_at": now - timedelta(days=400),
                }
                for s in range(schools)
                if s % 10  # one school in ten has no leader with an account yet
            ]
            + [
                {
                    "name": "Bench Coordinator",
                    "email": "coordinator@bench.example.org",
                    "role": Role.COORDINATOR,
                    "password_hash": "x" * 40,
                    "created_at": now - timedelta(days=400),
                }
            ],
        )
        # Posts over the last year; one school in eight posts nothing at all.
        active = [s + 1 for s in range(schools) if s % 8]
        post_rows, tag_rows = [], []
        for p in range(posts):
            kind = "request" if rng.random() < 0.55 else "offer"
            created = now - timedelta(days=rng.uniform(0, 365))
            post_rows.append(
                {
                    "id": p + 1,
                    "kind": kind,
                    "school_id": rng.choice(active),
                    "title": f"{'Can share' if kind == 'offer' else 'Looking for'} topic {p % 97}",
                    "description": "A few sentences about what we have in mind.",
                    "free_tags": [],
                    "format": "either",
                    "capacity": 2 if kind == "offer" else None,
                    "status": "open" if rng.random() < 0.7 else "closed",
                    "created_at": created,
                    "updated_at": created,
                }
            )
            for tag_id in set(rng.choices(tag_ids, weights, k=rng.randint(1, 3))):
                tag_rows.append({"post_id": p + 1, "tag_id": tag_id})
        db.session.execute(sa.insert(Post), post_rows)
        db.session.execute(sa.insert(post_tag), tag_rows)

        # A match run every week for a year.
        monday = (now - timedelta(days=now.weekday())).date()
        runs = [
            {
                "id": w + 1,
                "week_start": monday - timedelta(weeks=w),
                "attempt": 1,
                "started_at": now - timedelta(weeks=w),
            }
            for w in range(52)
        ]
        db.session.execute(sa.insert(MatchRun), runs)
        requests = [p for p in post_rows if p["kind"] == "request"]
        offers = [p for p in post_rows if p["kind"] == "offer"]
        suggestion_rows, unmatched_rows, partnership_rows = [], [], []
        checkin_rows, impact_rows = [], []
        school_of = {p["id"]: p["school_id"] for p in post_rows}
        sid = pid = 0
        for request in requests:
            weeks_since = max(int((now - request["created_at"]).days // 7), 0)
            first_run = min(weeks_since, 51)
            roll = rng.random()
            if roll < 0.25:  # never matched: unmatched in a few runs
                for w in range(first_run, max(first_run - rng.randint(1, 5), -1), -1):
                    unmatched_rows.append(
                        {
                            "run_id": w + 1,
                            "request_id": request["id"],
                            "reason": "No open offer from another school matched this week",
                        }
                    )
                continue
            offer = rng.choice(offers)
            if school_of[offer["id"]] == request["school_id"]:
                continue
            sid += 1
            created = runs[first_run]["started_at"]
            published = created + timedelta(days=rng.uniform(0.2, 4))
            both = roll < 0.55
            answered = published + timedelta(days=rng.uniform(0.5, 10))
            suggestion_rows.append(
                {
                    "id": sid,
                    "run_id": first_run + 1,
                    "request_id": request["id"],
                    "offer_id": offer["id"],
                    "score": rng.uniform(0.3, 0.95),
                    "reasons": ["You both mention it"],
                    "alternatives": [],
                    "status": "published" if roll < 0.85 else "pending",
                    "published_at": published if roll < 0.85 else None,
                    "request_answer": "interested" if both or roll < 0.65 else None,
                    "request_answered_at": answered if both or roll < 0.65 else None,
                    "offer_answer": "interested" if both else None,
                    "offer_answered_at": answered + timedelta(days=1) if both else None,
                    "created_at": created,
                }
            )
            if not both:
                continue
            pid += 1
            stage = rng.choice(
                ["introduced", "agreed", "active", "completed", "completed", "withdrawn"]
            )
            introduced = answered + timedelta(days=1, hours=2)
            agreed = introduced + timedelta(days=rng.uniform(3, 20))
            started = agreed + timedelta(days=rng.uniform(1, 10))
            completed = started + timedelta(days=rng.uniform(30, 90))
            reached = {"introduced": 0, "withdrawn": 0, "agreed": 1, "active": 2, "completed": 3}[
                stage
            ]
            partnership_rows.append(
                {
                    "id": pid,
                    "suggestion_id": sid,
                    "request_id": request["id"],
                    "offer_id": offer["id"],
                    "status": stage,
                    "introduced_at": introduced,
                    "agreed_at": agreed if reached >= 1 else None,
                    "started_at": started if reached >= 2 else None,
                    "completed_at": completed if reached >= 3 else None,
                    "withdrawn_at": introduced + timedelta(days=5)
                    if stage == "withdrawn"
                    else None,
                }
            )
            for school in (request["school_id"], school_of[offer["id"]]):
                if reached >= 2:
                    checkin_rows.append(
                        {
                            "partnership_id": pid,
                            "school_id": school,
                            "weeks": 6,
                            "sent_at": started + timedelta(weeks=6),
                            "answer": rng.choice(
                                ["going_well", "going_well", "slow_start", "not_working"]
                            ),
                            "answered_at": started + timedelta(weeks=6, days=1),
                        }
                    )
                if reached >= 3:
                    impact_rows.append(
                        {
                            "partnership_id": pid,
                            "school_id": school,
                            "pupils_reached": rng.randint(0, 120),
                            "staff_reached": rng.randint(0, 8),
                            "rating": rng.choice([3, 4, 4, 5, 5]),
                            "what_changed": "Our teaching of it is more confident.",
                            "quote": "It made a real difference to our children."
                            if rng.random() < 0.3
                            else "",
                            "quote_shareable": rng.random() < 0.5,
                            "created_at": completed,
                        }
                    )
        for table, rows in (
            (Suggestion, suggestion_rows),
            (UnmatchedRequest, unmatched_rows),
            (Partnership, partnership_rows),
            (CheckIn, checkin_rows),
            (Impact, impact_rows),
        ):
            for start in range(0, len(rows), 5000):
                db.session.execute(sa.insert(table), rows[start : start + 5000])
        db.session.commit()
        counts = {
            "schools": schools,
            "posts": posts,
            "suggestions": len(suggestion_rows),
            "unmatched": len(unmatched_rows),
            "partnerships": len(partnership_rows),
            "check_ins": len(checkin_rows),
            "impacts": len(impact_rows),
        }
        db.session.remove()
        db.engine.dispose()
    return counts


@dataclass
class Result:
    database: str
    schools: int
    posts: int
    suggestions: int
    partnerships: int
    impacts: int
    renders: int
    median_ms: float
    max_ms: float
    min_ms: float
    queries_per_render: int
    page_kb: int
    under_300_ms: bool


def measure(database_url: str, renders: int) -> tuple[list[float], list[int], int]:
    """Render times (ms) and query counts per render, after a warm-up render."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Role, User

    app = bench_app(database_url)
    with app.app_context():
        coordinator = db.session.scalars(sa.select(User).where(User.role == Role.COORDINATOR)).one()
        client = app.test_client()
        with client.session_transaction() as session:
            session["user_id"] = coordinator.id
            session["pw"] = coordinator.password_hash[-12:]
        statements: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        size = len(client.get("/coordinator/dashboard/").data)  # warm-up: templates, pool
        times, queries = [], []
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            for _ in range(renders):
                statements.clear()
                db.session.expunge_all()
                started = time.perf_counter()
                response = client.get("/coordinator/dashboard/")
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"the dashboard answered {response.status_code}")
                queries.append(len(statements))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        db.session.remove()
        db.engine.dispose()
    return times, queries, size


def run(schools: int, posts: int, renders: int, database_url: str | None) -> Result:
    workdir = tempfile.mkdtemp(prefix="givefirst-dashboard-")
    url = database_url or f"sqlite:///{workdir}/dashboard.db"
    if database_url:
        refuse_non_empty(database_url)
    try:
        counts = build_data(url, schools, posts)
        times, queries, size = measure(url, renders)
    finally:
        if database_url:
            drop_all(database_url)
        shutil.rmtree(workdir, ignore_errors=True)
    if len(set(queries)) != 1:
        raise RuntimeError(f"the query count changed between renders: {queries}")
    median = statistics.median(times)
    return Result(
        database=url.split(":", 1)[0],
        schools=counts["schools"],
        posts=counts["posts"],
        suggestions=counts["suggestions"],
        partnerships=counts["partnerships"],
        impacts=counts["impacts"],
        renders=renders,
        median_ms=round(median, 1),
        max_ms=round(max(times), 1),
        min_ms=round(min(times), 1),
        queries_per_render=queries[0],
        page_kb=size // 1024,
        under_300_ms=median < TARGET_MS,
    )


def main(argv: list[str] | None = None) -> int:
    import os

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = run(args.schools, args.posts, args.renders, os.environ.get("DATABASE_URL"))
    if args.json:
        print(json.dumps(asdict(result), indent=2))
    else:
        print(
            f"Dashboard on {result.database}: {result.schools:,} schools, {result.posts:,} posts, "
            f"{result.suggestions:,} suggestions, {result.partnerships:,} partnerships, "
            f"{result.impacts:,} impact records\n"
            f"{result.renders} renders: median {result.median_ms} ms, slowest {result.max_ms} ms, "
            f"fastest {result.min_ms} ms, "
            f"{result.queries_per_render} SQL queries each, page {result.page_kb} KB\n"
            f"Target under {TARGET_MS:g} ms: {'met' if result.under_300_ms else 'NOT met'}"
        )
    return 0 if result.under_300_ms else 1


if __name__ == "__main__":
    raise SystemExit(main())
