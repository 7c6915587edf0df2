"""`paperfeed thumbnails` end to end: a real child process, real PDFs over real HTTP on loopback.

The fixture server plays arXiv's PDF host (PAPERFEED_ARXIV_PDF_URL); the papers come in through
a real `paperfeed ingest hf-daily` of the recorded Hugging Face day. Nothing is mocked.
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from paperfeed.thumbnails import files
from paperfeed.thumbnails.render import HEIGHT, WIDTH
from tests.helpers import cli_help, free_port, run_cli

from .images import ink, open_webp, spread
from .pdfs import A4, make_pdf

INTERVAL = 0.3


@pytest.fixture
def env(fixture_server) -> dict[str, str]:
    return {
        "PAPERFEED_HF_URL": fixture_server.url,
        "PAPERFEED_ARXIV_PDF_URL": f"{fixture_server.url}/pdf",
        "PAPERFEED_ARXIV_INTERVAL": str(INTERVAL),
        "PAPERFEED_HTTP_BACKOFF": "0.05",
        "PAPERFEED_HTTP_TIMEOUT": "2",
        "PAPERFEED_HTTP_RETRIES": "1",
        "PAPERFEED_CONTACT_EMAIL": "",
    }


@pytest.fixture(scope="module")
def _ingested_template(_migrated_data_template, _fixture_server_session, tmp_path_factory) -> Path:
    """A data directory holding the 29 papers of Hugging Face's recorded 2024-10-25, ingested
    for real once per module (each test works on its own copy)."""
    template = tmp_path_factory.mktemp("thumbnails-ingested")
    shutil.copytree(_migrated_data_template, template, dirs_exist_ok=True)
    result = run_cli(template, "ingest", "hf-daily", "--date", "2024-10-25", PAPERFEED_HF_URL=_fixture_server_session.url,
                     PAPERFEED_CONTACT_EMAIL="")
    assert result.returncode == 0, result.stderr
    return template


@pytest.fixture
def data_dir(_ingested_template, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(_ingested_template, target)
    return target


@pytest.fixture
def listed_ids(data_dir, child_db) -> list[str]:
    """The listed papers' ids, newest first (the order of a run without ids)."""
    rows = child_db(data_dir, "SELECT arxiv_id FROM papers_paper ORDER BY published DESC, arxiv_id")
    assert len(rows) == 29
    return [row[0] for row in rows]


def thumbnail_file(data_dir, arxiv_id: str):
    return data_dir / "thumbnails" / files.relative_path(arxiv_id)


def marked(child_db, data_dir, arxiv_id: str):
    return child_db(data_dir, "SELECT thumbnail_at FROM papers_paper WHERE arxiv_id = ?", (arxiv_id,))[0][0]


def test_help_names_the_options_and_exit_codes():
    text = " ".join(cli_help("thumbnails").split())  # read in this process (tests/helpers.py)
    for part in ("--limit", "--force", "ID", "Exit codes: 0", "3 some papers failed", "PAPERFEED_ARXIV_PDF_URL"):
        assert part in text


def test_renders_the_newest_listed_papers_and_a_second_run_fetches_nothing(data_dir, env, listed_ids, fixture_server, child_db):
    for arxiv_id in listed_ids:
        fixture_server.add_pdf(arxiv_id, make_pdf(title=f"Paper {arxiv_id}", size=A4))

    result = run_cli(data_dir, "thumbnails", "--limit", "3", **env)

    assert result.returncode == 0, result.stderr
    assert "3 thumbnail(s) made, 0 failed, 3 request(s)" in result.stdout
    requests = fixture_server.requests_to("/pdf")
    assert [path for _, _, path, _ in requests] == [f"/pdf/{arxiv_id}" for arxiv_id in listed_ids[:3]]
    # Through the polite client: its pacing spaces the requests (0.1 s of slack for a busy machine).
    gaps = [b[0] - a[0] for a, b in zip(requests, requests[1:])]
    assert min(gaps) >= INTERVAL - 0.1, gaps
    for arxiv_id in listed_ids[:3]:
        path = thumbnail_file(data_dir, arxiv_id)
        image = open_webp(path.read_bytes())
        assert image.size == (WIDTH, HEIGHT)
        assert ink(image) > 0.01 and spread(image) > 20, "the thumbnail shows the page, not a blank"
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        assert marked(child_db, data_dir, arxiv_id) is not None
    assert marked(child_db, data_dir, listed_ids[3]) is None
    assert not list((data_dir / "thumbnails").rglob(".*.part")), "no temporary file is left behind"

    fixture_server.reset()
    again = run_cli(data_dir, "thumbnails", *listed_ids[:3], **env)
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout
    assert fixture_server.requests_to("/pdf") == []

    fixture_server.add_pdf(listed_ids[0], make_pdf(title="A second version"))
    forced = run_cli(data_dir, "thumbnails", "--force", listed_ids[0], **env)
    assert forced.returncode == 0, forced.stderr
    assert len(fixture_server.requests_to("/pdf")) == 1


def test_bad_answers_are_errors_of_their_paper_and_the_run_goes_on(data_dir, env, listed_ids, fixture_server, child_db):
    good, html, cut, oversized, missing, dropped, kept = listed_ids[:7]
    pdf = make_pdf()
    fixture_server.add_pdf(good, pdf)
    fixture_server.add_pdf(html, b"<!DOCTYPE html><html><body>Service unavailable</body></html>", content_type="text/html")
    fixture_server.add_pdf(cut, pdf[: len(pdf) // 2])  # a PDF cut in half, sent as if whole
    fixture_server.add_pdf(oversized, make_pdf(padding=60_000))
    fixture_server.add_pdf(dropped, pdf)
    fixture_server.add_pdf(kept, pdf)
    # `kept` has a thumbnail already; asked again (forced), its answer is now an error page.
    first = run_cli(data_dir, "thumbnails", kept, **env)
    assert first.returncode == 0, first.stderr
    before = thumbnail_file(data_dir, kept).read_bytes()
    fixture_server.add_pdf(kept, b"<html>moved</html>", content_type="text/html")
    # `dropped` goes first: the connection is cut half-way through its request and its retry.
    fixture_server.truncate_next(times=2)
    order = [dropped, good, html, cut, oversized, missing, kept]

    result = run_cli(data_dir, "thumbnails", "--force", *order, PAPERFEED_THUMBNAIL_MAX_BYTES="20000", **env)

    assert result.returncode == 3, (result.stdout, result.stderr)
    assert "1 thumbnail(s) made, 6 failed" in result.stdout
    errors = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in result.stderr.splitlines() if ": " in line and line[0].isdigit()}
    assert "not a PDF (text/html" in errors[html]
    assert "could not be rendered" in errors[cut] and "not a readable PDF" in errors[cut]
    assert "larger than 20,000 bytes" in errors[oversized]
    assert "HTTP 404" in errors[missing]
    assert "not a PDF" in errors[kept]
    assert "could not fetch the PDF" in errors[dropped]
    assert thumbnail_file(data_dir, good).is_file()
    # Nothing lost: the earlier thumbnail is still there, unchanged, and still shown.
    assert thumbnail_file(data_dir, kept).read_bytes() == before
    assert marked(child_db, data_dir, kept) is not None
    for arxiv_id in (html, cut, oversized, missing, dropped):
        assert not thumbnail_file(data_dir, arxiv_id).exists()
    rows = dict(child_db(
        data_dir,
        "SELECT p.arxiv_id, f.failures FROM thumbnails_thumbnailfailure f JOIN papers_paper p ON p.id = f.paper_id",
    ))
    assert rows == {html: 1, cut: 1, oversized: 1, missing: 1, kept: 1, dropped: 1}

    # Failed papers wait before their next try: a plain run after this one fetches none of them.
    fixture_server.reset()
    later = run_cli(data_dir, "thumbnails", "--limit", "7", **env)
    asked = {path.removeprefix("/pdf/") for _, _, path, _ in fixture_server.requests_to("/pdf")}
    assert asked and not asked & set(order), (asked, later.stdout)


def test_a_render_over_its_time_limit_is_that_papers_error(data_dir, env, listed_ids, fixture_server):
    fixture_server.add_pdf(listed_ids[0], make_pdf())
    result = run_cli(data_dir, "thumbnails", listed_ids[0], PAPERFEED_THUMBNAIL_RENDER_SECONDS="0.01", **env)
    assert result.returncode == 3
    assert "rendering took longer than 0.01 s" in result.stderr
    assert not thumbnail_file(data_dir, listed_ids[0]).exists()


def test_an_unreachable_pdf_host_stops_the_run_with_exit_1(data_dir, env, listed_ids):
    nobody = f"http://127.0.0.1:{free_port()}/pdf"
    result = run_cli(data_dir, "thumbnails", "--limit", "10", **{**env, "PAPERFEED_ARXIV_PDF_URL": nobody})
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "0 thumbnail(s) made, 3 failed" in result.stdout
    assert "3 papers in a row could not be fetched at all; stopped" in result.stderr


def test_bad_arguments_exit_2(data_dir, env, listed_ids):
    unknown = run_cli(data_dir, "thumbnails", "2410.99999", **env)
    assert unknown.returncode == 2 and "no such paper here: 2410.99999" in unknown.stderr
    nonsense = run_cli(data_dir, "thumbnails", "../secret_key", **env)
    assert nonsense.returncode == 2 and "not an arXiv id" in nonsense.stderr
    zero = run_cli(data_dir, "thumbnails", "--limit", "0", **env)
    assert zero.returncode == 2


def test_a_second_run_while_one_is_going_leaves_at_once(data_dir, env, listed_ids, fixture_server):
    import fcntl

    fixture_server.add_pdf(listed_ids[0], make_pdf())
    with open(data_dir / ".thumbnails.lock", "a") as lock:  # as a running `paperfeed thumbnails` holds it
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = run_cli(data_dir, "thumbnails", listed_ids[0], **env)
    assert result.returncode == 0, result.stderr
    assert "another `paperfeed thumbnails` is running here; nothing done" in result.stdout
    assert fixture_server.requests_to("/pdf") == []
