"""The one scheduler process: APScheduler's BlockingScheduler, never inside the web app."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from jobs.registry import BY_ID, JOBS

log = logging.getLogger(__name__)

# APScheduler stores jobs by reference ("module:function"), so the running job finds the app
# through this module rather than through a pickled object.
_app: Flask | None = None

JOBSTORE_TABLE = "apscheduler_jobs"


def trigger_for(app: Flask, cron_setting: str) -> CronTrigger:
    """The cron trigger for a setting, in the partnership's timezone."""
    tz = ZoneInfo(app.config["PARTNERSHIP_TIMEZONE"])
    return CronTrigger.from_crontab(app.config[cron_setting], timezone=tz)


def run_job(job_id: str) -> None:
    """Entry point APScheduler calls: run one job inside an app context at the current time."""
    if _app is None:
        raise RuntimeError("the scheduler has no app; start it with build_scheduler()")
    spec = BY_ID[job_id]
    with _app.app_context():
        summary = spec.func(datetime.now(UTC))
    log.info("job %s: %s", job_id, summary)


def build_scheduler(app: Flask, *, persist: bool = True) -> BlockingScheduler:
    """A scheduler with every job registered (explicit ids, replacing what the store had)."""
    global _app
    _app = app
    jobstores = (
        {
            "default": SQLAlchemyJobStore(
                url=app.config["SQLALCHEMY_DATABASE_URI"], tablename=JOBSTORE_TABLE
            )
        }
        if persist
        else {}
    )
    scheduler = BlockingScheduler(
        jobstores=jobstores,
        timezone=ZoneInfo(app.config["PARTNERSHIP_TIMEZONE"]),
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": app.config["JOB_MISFIRE_GRACE_SECONDS"],
        },
    )
    for spec in JOBS:
        scheduler.add_job(
            "jobs.scheduler:run_job",
            trigger=trigger_for(app, spec.cron_setting),
            args=[spec.id],
            id=spec.id,
            name=spec.description,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=app.config["JOB_MISFIRE_GRACE_SECONDS"],
        )
    return scheduler
