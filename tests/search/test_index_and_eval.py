import json

import pytest
from django.core.management import call_command

from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.search.models import PaperVector
from paperfeed.search.engines import current_index
from paperfeed.sources.normalize import build_record

from ..helpers import child_database_url, child_query, run_cli


@pytest.mark.django_db
def test_index_embeds_only_new_or_changed_papers(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path  # this test's own vector index
    PaperVector.objects.all().delete()
    Paper.objects.all().delete()
    texts = {"2611.20001": "Graph neural networks for molecules", "2611.20002": "Protein folding with attention",
             "2611.20003": "Galaxy rotation curves without dark matter"}
    store_records([build_record(arxiv_id=i, title=t, abstract=t + ".") for i, t in texts.items()])
    call_command("index")
    assert "embedded 3 new or changed papers" in capsys.readouterr().out
    assert len(current_index()) == 3
    call_command("index")
    assert "embedded 0 new or changed papers" in capsys.readouterr().out
    store_records([build_record(arxiv_id="2611.20002", title="Protein folding with diffusion", abstract="New.",
                                versions=[{"version": "v2", "created": "2026-11-20"}])])
    call_command("index")
    assert "embedded 1 new or changed papers" in capsys.readouterr().out
    index = current_index()
    galaxy = Paper.objects.get(arxiv_id="2611.20003").pk
    query = index.vector_of(galaxy)
    assert index.search(query, 1)[0].paper_id == galaxy


def make_beir(directory):
    docs = {
        "d1": ("Stateless optimizers", "SGD with whitening matches Adam while storing no optimizer state."),
        "d2": ("Protein structure", "Attention networks predict protein folding from sequence."),
        "d3": ("Dark matter", "Galaxy rotation curves constrain dark matter halos."),
        "d4": ("Graph learning", "Forward learning trains graph neural networks without backpropagation."),
    }
    (directory / "qrels").mkdir(parents=True)
    (directory / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": k, "title": t, "text": x}) + "\n" for k, (t, x) in docs.items())
    )
    queries = {"q1": "optimizer without state", "q2": "protein folding", "q3": "rotation curves of galaxies"}
    (directory / "queries.jsonl").write_text("".join(json.dumps({"_id": k, "text": t}) + "\n" for k, t in queries.items()))
    (directory / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\nq3\td3\t1\n")


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_eval_beir_end_to_end(tmp_path, mode):
    make_beir(tmp_path / "beir")
    run_file = tmp_path / "run.tsv"
    out = run_cli(tmp_path / "data", "eval", "beir", str(tmp_path / "beir"), "--mode", mode, "--run-file", str(run_file))
    assert out.returncode == 0, out.stderr
    assert f"{mode}: nDCG@10 1.0000  Recall@100 1.0000  MRR@10 1.0000  (3 queries" in out.stdout
    lines = [line.split() for line in run_file.read_text().splitlines()]
    first = [line for line in lines if line[0] == "q1"][0]
    assert first[:4] == ["q1", "Q0", "d1", "1"] and first[5] == f"paperfeed-{mode}"
    assert not (tmp_path / "data").exists() or not list((tmp_path / "data").glob("*.sqlite3"))


def test_eval_beir_missing_files_is_exit_2(tmp_path):
    out = run_cli(tmp_path / "data", "eval", "beir", str(tmp_path / "nowhere"))
    assert out.returncode == 2 and "missing" in out.stderr


@pytest.mark.postgres
@pytest.mark.both_databases
def test_eval_beir_on_an_empty_postgresql_database(tmp_path):
    make_beir(tmp_path / "beir")
    url = child_database_url(tmp_path / "eval-database")  # an empty, migrated database of its own
    out = run_cli(tmp_path / "data", "eval", "beir", str(tmp_path / "beir"), "--mode", "lexical", "--database-url", url)
    assert out.returncode == 0, out.stderr
    assert "lexical: nDCG@10 1.0000" in out.stdout
    assert child_query(tmp_path / "eval-database", "SELECT count(*) FROM papers_paper") == [(4,)]
    again = run_cli(tmp_path / "data", "eval", "beir", str(tmp_path / "beir"), "--database-url", url)
    assert again.returncode == 2 and "already holds papers" in again.stderr


def test_eval_beir_database_url_must_be_postgresql(tmp_path):
    make_beir(tmp_path / "beir")
    out = run_cli(tmp_path / "data", "eval", "beir", str(tmp_path / "beir"), "--database-url", "sqlite:///x")
    assert out.returncode == 2 and "postgresql://" in out.stderr
