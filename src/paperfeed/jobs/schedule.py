"""Each job's schedule, from its variable (PAPERFEED_JOB_TRENDING, …): a cron expression in
UTC, `off`, or (INDEX only) `after-ingest`. A bad value is a configuration error naming the
variable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from croniter import croniter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

OFF = "off"
AFTER_INGEST = "after-ingest"
# Each job and the variable of its schedule (docs/configuration.md lists them).
VARIABLES = {
    "INGEST_RSS": "PAPERFEED_JOB_INGEST_RSS",
    "INGEST_HF": "PAPERFEED_JOB_INGEST_HF",
    "INDEX": "PAPERFEED_JOB_INDEX",
    "TRENDING": "PAPERFEED_JOB_TRENDING",
    "RECOMMEND": "PAPERFEED_JOB_RECOMMEND",
    "DIGESTS": "PAPERFEED_JOB_DIGESTS",
    "BACKUP": "PAPERFEED_JOB_BACKUP",
}
JOB_NAMES = tuple(VARIABLES)


@dataclass(frozen=True)
class Schedule:
    job: str
    text: str  # as configured
    why_off: str = ""  # why the job does not run on its own ("" when it does)

    @property
    def cron(self) -> bool:
        return not self.why_off and self.text != AFTER_INGEST

    @property
    def after_ingest(self) -> bool:
        return not self.why_off and self.text == AFTER_INGEST

    def latest_slot(self, now: datetime) -> datetime | None:
        """The latest time of the schedule at or before `now` (whole seconds, UTC)."""
        if not self.cron:
            return None
        base = now.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)  # `now` itself counts
        return croniter(self.text, base).get_prev(datetime)

    def next_slot(self, now: datetime) -> datetime | None:
        if not self.cron:
            return None
        return croniter(self.text, now.astimezone(UTC).replace(microsecond=0)).get_next(datetime)

    def describe(self) -> str:
        if self.why_off:
            return f"off ({self.why_off})"
        return "after each ingest that added papers" if self.after_ingest else self.text


def _parse(job: str, raw: str) -> Schedule:
    text = " ".join(raw.split())
    variable = VARIABLES[job]
    if text.lower() == OFF:
        return Schedule(job, OFF, why_off=f"{variable}=off")
    if text.lower() == AFTER_INGEST:
        if job != "INDEX":
            raise ImproperlyConfigured(f"{variable}: after-ingest is for INDEX only; give a cron expression or off")
        return Schedule(job, AFTER_INGEST)
    fields = len(text.split())
    if fields not in (5, 6) or not croniter.is_valid(text):
        raise ImproperlyConfigured(
            f"{variable}={raw!r} is not a cron expression (minute hour day month weekday, "
            f"in UTC, optionally a sixth field for seconds) nor off"
        )
    if job == "BACKUP" and not settings.PAPERFEED_BACKUP_DIR:
        return Schedule(job, text, why_off="PAPERFEED_BACKUP_DIR is not set")
    return Schedule(job, text)


def load_schedules() -> dict[str, Schedule]:
    """Every job's schedule; raises ImproperlyConfigured for the first bad one."""
    configured = settings.PAPERFEED_JOB_SCHEDULES
    return {job: _parse(job, configured.get(job, OFF)) for job in JOB_NAMES}
