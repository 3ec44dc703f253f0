"""The scheduled jobs, declared as data: id, function and the setting holding its schedule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from jobs import tasks


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[datetime], str]
    cron_setting: str
    description: str


JOBS: tuple[JobSpec, ...] = (
    JobSpec("match", tasks.match, "MATCH_CRON", "Weekly matching of offers and requests"),
    JobSpec("digest", tasks.digest, "DIGEST_CRON", "Weekly digest email"),
    JobSpec("reminders", tasks.reminders, "REMINDER_CRON", "Reminders for unanswered suggestions"),
    JobSpec("close-expired", tasks.close_expired, "CLOSE_EXPIRED_CRON", "Close ended posts"),
    JobSpec(
        "retention",
        tasks.retention,
        "RETENTION_CRON",
        "Anonymise old closed posts and partnerships; delete old audit entries",
    ),
    JobSpec(
        "partnerships",
        tasks.partnerships,
        "PARTNERSHIPS_CRON",
        "Start agreed partnerships on their start date; check-in emails",
    ),
)

BY_ID = {spec.id: spec for spec in JOBS}
