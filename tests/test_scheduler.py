"""The scheduler: once a week at the configured local time, one job of each kind."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from flask import Flask

from app import create_app
from app.config import TestingConfig
from jobs.registry import JOBS
from jobs.scheduler import JOBSTORE_TABLE, build_scheduler, trigger_for

LONDON = ZoneInfo("Europe/London")


def fire_times(app: Flask, setting: str, start: datetime, count: int) -> list[datetime]:
    trigger = trigger_for(app, setting)
    times: list[datetime] = []
    previous = None
    now = start
    for _ in range(count):
        nxt = trigger.get_next_fire_time(previous, now)
        assert nxt is not None
        times.append(nxt)
        previous, now = nxt, nxt + timedelta(seconds=1)
    return times


@pytest.mark.parametrize(
    ("setting", "weekday", "hour"),
    [("MATCH_CRON", 3, 19), ("DIGEST_CRON", 0, 7)],  # Thursday 19:00, Monday 07:00
)
def test_weekly_jobs_fire_once_a_week_at_local_time_across_clock_changes(
    app: Flask, setting: str, weekday: int, hour: int
) -> None:
    # 1 March to 1 December 2026 spans both UK changes (29 March and 25 October).
    times = fire_times(app, setting, datetime(2026, 3, 1, tzinfo=UTC), 39)
    local = [t.astimezone(LONDON) for t in times]
    assert all((t.weekday(), t.hour, t.minute) == (weekday, hour, 0) for t in local)
    # Consecutive fires are one calendar week apart: none doubled, none skipped.
    assert all((b.date() - a.date()).days == 7 for a, b in itertools.pairwise(local))
    offsets = {t.utcoffset() for t in local}
    assert offsets == {timedelta(0), timedelta(hours=1)}, "both GMT and BST weeks are covered"
    assert local[-1].date() > datetime(2026, 10, 25).date()


def test_timezone_comes_from_configuration(app: Flask) -> None:
    app.config["PARTNERSHIP_TIMEZONE"] = "Europe/Dublin"
    app.config["MATCH_CRON"] = "30 18 * * tue"
    (first,) = fire_times(app, "MATCH_CRON", datetime(2026, 7, 1, tzinfo=UTC), 1)
    local = first.astimezone(ZoneInfo("Europe/Dublin"))
    assert (local.weekday(), local.hour, local.minute) == (1, 18, 30)


def _start_and_stop(app: Flask) -> None:
    """Start a real scheduler process loop (paused, so no job runs) and stop it again."""
    scheduler = build_scheduler(app)
    thread = threading.Thread(target=scheduler.start, kwargs={"paused": True})
    thread.start()
    deadline = time.monotonic() + 10
    while not scheduler.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert scheduler.running
    scheduler.shutdown(wait=False)
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_restarting_the_scheduler_three_times_leaves_one_job_of_each_kind(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    for _ in range(3):
        _start_and_stop(app)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(sa.text(f"SELECT id FROM {JOBSTORE_TABLE}"))]
    engine.dispose()
    assert sorted(ids) == sorted(spec.id for spec in JOBS)

    # Read back through APScheduler: each job coalesces, runs alone, tolerates hours late.
    store = SQLAlchemyJobStore(url=url, tablename=JOBSTORE_TABLE)
    store.start(None, "default")  # type: ignore[arg-type]
    try:
        jobs = store.get_all_jobs()
    finally:
        store.shutdown()
    assert {job.id for job in jobs} == {spec.id for spec in JOBS}
    for job in jobs:
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time >= 3600
        assert str(job.trigger.timezone) == "Europe/London"
