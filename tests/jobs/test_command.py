"""`paperfeed jobs` and `paperfeed jobs run NAME`, in-process; the admin's pages."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from paperfeed.cli import main
from paperfeed.jobs.models import JobRun

pytestmark = pytest.mark.django_db


def jobs(*words) -> str:
    out = io.StringIO()
    call_command("jobs", *words, stdout=out)
    return out.getvalue()


def test_the_list_names_each_job_with_schedule_last_run_result_and_next_run(settings):
    settings.PAPERFEED_BACKUP_DIR = ""
    lines = jobs().splitlines()
    assert lines[0].split() == ["job", "schedule", "(UTC)", "last", "run", "result", "next", "run"]
    rows = {line.split()[0]: line for line in lines[1:-1]}
    assert list(rows) == ["INGEST_RSS", "INGEST_HF", "INDEX", "TRENDING", "RECOMMEND", "DIGESTS", "BACKUP"]
    assert "0 2 * * 1-5" in rows["INGEST_RSS"] and "never" in rows["INGEST_RSS"] and "UTC" in rows["INGEST_RSS"]
    assert "after each ingest that added papers" in rows["INDEX"]
    assert "off (PAPERFEED_BACKUP_DIR is not set)" in rows["BACKUP"]
    assert lines[-1] == "scheduler: none running"


def test_run_runs_the_job_now_records_it_and_lists_it(capsys):
    assert jobs("run", "trending").startswith("TRENDING ok: trending: scored 0 papers")
    run = JobRun.objects.get()
    assert (run.job, run.trigger, run.slot, run.result) == ("TRENDING", "command", None, "ok")
    assert run.finished_at >= run.started_at
    listed = jobs("list")
    row = next(line for line in listed.splitlines() if line.startswith("TRENDING"))
    assert f"{run.started_at:%Y-%m-%d %H:%M:%S}" in row and " ok " in row
    assert "    trending: scored 0 papers" in listed  # the run's message under its row


def test_a_failed_job_exits_1_with_its_message(settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.PAPERFEED_BACKUP_DIR = str(blocker / "backups")  # a folder cannot be made in a file
    with pytest.raises(SystemExit) as exit:
        jobs("run", "BACKUP")
    assert exit.value.code == 1
    run = JobRun.objects.get()
    assert run.result == "failed" and run.message.startswith("exit ")


def test_an_unknown_job_is_a_usage_error():
    with pytest.raises(CommandError, match="no job 'NOPE'; the jobs are INGEST_RSS") as error:
        jobs("run", "NOPE")
    assert error.value.returncode == 2


def test_a_bad_schedule_is_one_line_exit_2(settings, capsys):
    settings.PAPERFEED_JOB_SCHEDULES = {**settings.PAPERFEED_JOB_SCHEDULES, "DIGESTS": "5 * * *"}
    with pytest.raises(SystemExit) as exit:
        main(["paperfeed", "jobs"])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("paperfeed: configuration error: PAPERFEED_JOB_DIGESTS='5 * * *' is not a cron expression")
    assert err.count("\n") == 1


def test_the_admin_lists_the_jobs_and_their_runs_read_only(admin_client):
    from django.utils import timezone

    from paperfeed.jobs.models import Job

    jobs("run", "TRENDING")
    Job.objects.create(name="RETIRED", since=timezone.now())  # a job an older version had
    page = admin_client.get("/admin/jobs/job/")
    assert page.status_code == 200
    text = page.content.decode()
    for expected in ("INGEST_RSS", "0 2 * * 1-5", "after each ingest that added papers", "trending: scored 0"):
        assert expected in text
    rows = {row[0]: row[1:] for row in re.findall(
        r'<td class="field-name">([A-Z_]+)</td><td class="field-schedule">([^<]*)</td>'
        r'<td class="field-last_run[^"]*">([^<]*)</td><td class="field-result">([^<]*)</td>', text)}
    assert rows["RETIRED"] == ("not a job of this version", "-", "-")
    assert rows["INGEST_RSS"][1:] == ("-", "never") and rows["TRENDING"][2] == "ok"
    assert "/admin/jobs/job/add/" not in text
    runs = admin_client.get("/admin/jobs/jobrun/")
    assert runs.status_code == 200 and "TRENDING" in runs.content.decode()
    run = JobRun.objects.get()
    assert admin_client.post(f"/admin/jobs/jobrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_job_running_elsewhere_is_not_started_again_exit_1():
    from paperfeed.jobs import lease

    assert lease.claim("job:DIGESTS", "web2:4242:abc", 60)
    with pytest.raises(CommandError, match="DIGESTS is running already \\(web2:4242:abc\\)") as error:
        jobs("run", "DIGESTS")
    assert error.value.returncode == 1
    assert not JobRun.objects.exists()
