"""Schedules from PAPERFEED_JOB_<NAME>: cron expressions in UTC, `off`, INDEX's after-ingest."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from paperfeed.jobs.schedule import JOB_NAMES, load_schedules


def schedules(settings, **values):
    settings.PAPERFEED_JOB_SCHEDULES = {**settings.PAPERFEED_JOB_SCHEDULES, **values}
    return load_schedules()


def test_the_defaults_name_every_job_and_parse(settings):
    settings.PAPERFEED_BACKUP_DIR = ""
    loaded = load_schedules()
    assert tuple(loaded) == JOB_NAMES == ("INGEST_RSS", "INGEST_HF", "INDEX", "TRENDING", "RECOMMEND", "DIGESTS", "BACKUP")
    assert loaded["INDEX"].after_ingest and not loaded["INDEX"].cron
    assert loaded["BACKUP"].why_off == "PAPERFEED_BACKUP_DIR is not set" and not loaded["BACKUP"].cron
    settings.PAPERFEED_BACKUP_DIR = "/var/backups/paperfeed"
    assert load_schedules()["BACKUP"].cron


def test_latest_and_next_slot_are_in_utc(settings):
    rss = schedules(settings, INGEST_RSS="0 2 * * 1-5")["INGEST_RSS"]
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert rss.latest_slot(saturday) == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # Friday
    assert rss.next_slot(saturday) == datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # Monday
    # The slot's own second counts as due; a moment before it, the previous one.
    monday = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    assert rss.latest_slot(monday) == monday
    assert rss.latest_slot(monday.replace(hour=1, minute=59, second=59)) == datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


def test_a_sixth_field_counts_seconds(settings):
    every_two = schedules(settings, TRENDING="* * * * * */2")["TRENDING"]
    now = datetime(2026, 12, 6, 3, 0, 3, 400000, tzinfo=UTC)
    assert every_two.latest_slot(now) == datetime(2026, 12, 6, 3, 0, 2, tzinfo=UTC)
    assert every_two.next_slot(now) == datetime(2026, 12, 6, 3, 0, 4, tzinfo=UTC)


def test_off_disables_one_job(settings):
    loaded = schedules(settings, TRENDING=" OFF ")
    assert loaded["TRENDING"].why_off == "PAPERFEED_JOB_TRENDING=off"
    assert loaded["TRENDING"].latest_slot(datetime.now(UTC)) is None
    assert loaded["DIGESTS"].cron


@pytest.mark.parametrize(
    "job, value",
    [("TRENDING", "61 * * * *"), ("TRENDING", "every hour"), ("DIGESTS", "* * *"), ("TRENDING", "after-ingest")],
)
def test_a_bad_value_is_a_configuration_error_naming_the_variable(settings, job, value):
    with pytest.raises(ImproperlyConfigured, match=f"PAPERFEED_JOB_{job}"):
        schedules(settings, **{job: value})


def test_the_demo_keeps_the_samples_trending_scores_unless_told(settings, monkeypatch):
    import io

    from paperfeed.ops.management.commands.demo import _keep_sample_trending

    settings.PAPERFEED_JOB_SCHEDULES = dict(settings.PAPERFEED_JOB_SCHEDULES)  # put back after the test
    monkeypatch.delenv("PAPERFEED_JOB_TRENDING", raising=False)
    _keep_sample_trending(io.StringIO())
    assert load_schedules()["TRENDING"].why_off == "PAPERFEED_JOB_TRENDING=off"
    settings.PAPERFEED_JOB_SCHEDULES = {**settings.PAPERFEED_JOB_SCHEDULES, "TRENDING": "5 * * * *"}
    monkeypatch.setenv("PAPERFEED_JOB_TRENDING", "5 * * * *")
    _keep_sample_trending(io.StringIO())
    assert load_schedules()["TRENDING"].cron


def test_serve_and_demo_check_the_schedules_before_starting(settings):
    from paperfeed.ops.server import check_companions

    check_companions()
    schedules(settings, RECOMMEND="0 3 * * *")
    settings.PAPERFEED_JOB_SCHEDULES = {**settings.PAPERFEED_JOB_SCHEDULES, "RECOMMEND": "0 25 * * *"}
    with pytest.raises(ImproperlyConfigured, match="PAPERFEED_JOB_RECOMMEND='0 25 \\* \\* \\*'"):
        check_companions()
