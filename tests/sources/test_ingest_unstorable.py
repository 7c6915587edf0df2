"""Text no database can store, and records a database refuses, in `paperfeed ingest` run
in-process against the test database (so on SQLite and on PostgreSQL).

The snapshot lines are the REAL first lines of the recorded snapshot, given ids of their own
(0704.98xx, so they cannot meet papers another test stored) and, where a test says so, a
DERIVED title: the JSON escape of a lone surrogate, control characters, NUL. The Hugging Face
day is the RECORDED 2024-10-25 response with one item changed the same way, served by the
loopback fixture server.
"""

from __future__ import annotations

import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.sources.http import SourceError
from paperfeed.sources.models import IngestProblem, IngestRun
from paperfeed.sources.single import fetch_paper

from .fixture_server import FIXTURES

pytestmark = pytest.mark.django_db

HEAD200 = FIXTURES / "arxiv-bulk" / "arxiv-metadata-oai-snapshot.head200.json"
RECORDED_HF = json.loads((FIXTURES / "hf" / "daily_papers_2024-10-25.json").read_text(encoding="utf-8"))
QUARANTINED = 3  # the documented exit status of a run that quarantined records


def snapshot_lines(count: int, first_id: int = 9800) -> list[dict]:
    lines = HEAD200.read_text(encoding="utf-8").splitlines()[:count]
    return [{**json.loads(line), "id": f"0704.{first_id + n}"} for n, line in enumerate(lines)]


def write_snapshot(path, items: list[dict]) -> None:
    # json.dumps writes a lone surrogate as the escape "\ud800", as the attack's line had it.
    path.write_text("\n".join(json.dumps(item) for item in items) + "\n", encoding="ascii")


def ingest(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("ingest", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return exit.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_lone_surrogates_and_control_characters_are_made_valid_and_stored(tmp_path):
    items = snapshot_lines(4)
    items[1]["title"] = "Surrogate \ud800 here"
    items[2]["title"] = "Bell\x07 and\x00 NUL\x85 and \udfff low"
    items[2]["abstract"] = "First\x00 paragraph\x1b[31m.\n\n  Second\t\x7fone."
    items[3]["authors_parsed"] = [["M\u00fcller\x00", "Ann\ud83d", ""], ["Smith", "Bo", ""]]
    path = tmp_path / "surrogates.jsonl"
    write_snapshot(path, items)

    code, out, err = ingest("snapshot", str(path), "--workers", "0")
    assert code == 0, err
    assert out.strip() == "snapshot: 4 new, 0 updated, 0 unchanged, 0 quarantined, 0 deleted, 0 newly listed"
    stored = dict(Paper.objects.filter(arxiv_id__startswith="0704.98").values_list("arxiv_id", "title"))
    assert stored["0704.9801"] == "Surrogate \ufffd here"  # a lone surrogate marks where a character was lost
    assert stored["0704.9802"] == "Bell and NUL and \ufffd low"  # control characters carry no text: gone
    assert Paper.objects.get(arxiv_id="0704.9802").abstract == "First paragraph[31m.\n\nSecond one."
    assert Paper.objects.get(arxiv_id="0704.9803").authors_text == "Ann\ufffd Müller, Bo Smith"
    assert not IngestProblem.objects.filter(location__startswith="surrogates.jsonl").exists()


def _refuse_titles_containing(marker: str) -> None:
    """A real trigger of the real database refuses papers with `marker` in their title: the
    stand-in for any refusal of one row (a constraint, a value out of range, an encoding)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TEMP TRIGGER refuse_marked BEFORE INSERT ON papers_paper"
                f" WHEN NEW.title LIKE '%{marker}%' BEGIN SELECT RAISE(ABORT, 'refused: {marker}'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION pg_temp.refuse_marked() RETURNS trigger AS $$ BEGIN"
                f" IF NEW.title LIKE '%{marker}%' THEN RAISE EXCEPTION 'refused: {marker}'"
                " USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_marked BEFORE INSERT ON papers_paper"
                " FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_marked()"
            )


def test_a_record_the_database_refuses_is_quarantined_with_its_raw_line_and_its_batch_stored(tmp_path):
    items = snapshot_lines(6, first_id=9810)
    items[2]["title"] = "REFUSE-ME \ud800 please"
    path = tmp_path / "refused.jsonl"
    write_snapshot(path, items)
    raw_line = path.read_bytes().splitlines(keepends=True)[2].decode("ascii")
    assert "\\ud800" in raw_line
    _refuse_titles_containing("REFUSE-ME")

    code, out, err = ingest("snapshot", str(path), "--workers", "0", "--batch", "100")
    assert code == QUARANTINED, err
    assert out.strip() == "snapshot: 5 new, 0 updated, 0 unchanged, 1 quarantined, 0 deleted, 0 newly listed"
    assert "snapshot: 1 record(s) quarantined; `paperfeed status` lists them" in err
    stored = sorted(Paper.objects.filter(arxiv_id__startswith="0704.981").values_list("arxiv_id", flat=True))
    assert stored == ["0704.9810", "0704.9811", "0704.9813", "0704.9814", "0704.9815"]  # its batch neighbours
    problem = IngestProblem.objects.get(location__startswith="refused.jsonl")
    assert (problem.source, problem.location) == ("snapshot", "refused.jsonl:3 (0704.9812)")
    assert problem.reason.startswith("the database refused it: IntegrityError: ")
    assert "refused: REFUSE-ME" in problem.reason
    assert problem.raw == raw_line  # the line exactly as read, surrogate escape and all
    run = IngestRun.objects.filter(source="snapshot").latest("pk")
    assert (run.status, run.new, run.quarantined) == ("ok", 5, 1)

    # Every run gets past it: the same line is quarantined again, nothing else changes.
    code, out, err = ingest("snapshot", str(path), "--workers", "0")
    assert code == QUARANTINED, err
    assert out.strip() == "snapshot: 0 new, 0 updated, 5 unchanged, 1 quarantined, 0 deleted, 0 newly listed"


def test_a_refused_paper_takes_its_listing_with_it_and_the_others_are_listed(tmp_path):
    items = snapshot_lines(3, first_id=9820)
    items[0]["title"] = "REFUSE-ME too"
    path = tmp_path / "listed.jsonl"
    write_snapshot(path, items)
    _refuse_titles_containing("REFUSE-ME")

    code, out, err = ingest("snapshot", str(path), "--workers", "0", "--list")
    assert code == QUARANTINED, err
    assert out.strip() == "snapshot: 2 new, 0 updated, 0 unchanged, 1 quarantined, 0 deleted, 2 newly listed"
    listed = DailyEntry.objects.filter(paper__arxiv_id__startswith="0704.982").values_list("paper__arxiv_id", flat=True)
    assert sorted(listed) == ["0704.9821", "0704.9822"]


@pytest.fixture
def hf_server(fixture_server, settings):
    settings.PAPERFEED_HF_URL = fixture_server.url
    settings.PAPERFEED_HTTP_BACKOFF = 0.05
    settings.PAPERFEED_HTTP_TIMEOUT = 2
    return fixture_server


def test_hf_daily_stores_a_title_with_a_lone_surrogate(hf_server):
    items = copy.deepcopy(RECORDED_HF)
    item = items[3]
    item["paper"] = {**item["paper"], "id": "2410.99901", "title": "Surrogate \ud800 here"}
    item["submittedBy"] = {**item["submittedBy"], "name": "nul\x00user\udc80"}
    item["organization"] = {"name": "org\x00slug", "fullname": "Org \ud800 Name"}
    hf_server.add_hf_day("2024-11-02", json.dumps(items))  # ASCII: the surrogate as its JSON escape

    code, out, err = ingest("hf-daily", "--date", "2024-11-02")
    assert code == 0, err
    assert "0 quarantined" in out
    paper = Paper.objects.get(arxiv_id="2410.99901")
    assert paper.title == "Surrogate \ufffd here"
    entry = DailyEntry.objects.get(paper=paper)
    assert (entry.submitted_by, entry.organization.name) == ("nuluser\ufffd", "Org \ufffd Name")
    ids = [i["paper"]["id"] for i in items]
    assert DailyEntry.objects.filter(paper__arxiv_id__in=ids).count() == len(items) == 29  # its neighbours too


def test_a_submitted_paper_the_database_refuses_is_an_error_not_unknown_to_arxiv(fixture_server, settings):
    # The RECORDED API answer for id_list=1707.08567 (tests/sources/test_ingest_submit.py).
    settings.PAPERFEED_ARXIV_API_URL = f"{fixture_server.url}/api/query"
    settings.PAPERFEED_ARXIV_INTERVAL = 0
    # The bundled sample (loaded once per worker by tests that use it) holds this paper among
    # its unlisted ones: removed inside this test's transaction, so arXiv's record is fetched.
    Paper.objects.filter(arxiv_id="1707.08567").delete()
    _refuse_titles_containing("AEW10")
    with pytest.raises(SourceError, match=r"arXiv's record of 1707\.08567 could not be stored; it is quarantined"):
        fetch_paper("1707.08567", origin="test", retries=0)
    problem = IngestProblem.objects.get(source="submit")
    assert problem.reason.startswith("the database refused it: IntegrityError: ")
    assert "<ns0:title>Proceedings of Workshop AEW10" in problem.raw  # the Atom entry, as the parser keeps it
