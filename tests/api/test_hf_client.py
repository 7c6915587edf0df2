"""huggingface_hub's own HfApi against a live `paperfeed demo` server: real clients work unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from ..helpers import serving

FIXTURE = "fixtures/hf/daily_papers_2024-10-25.json"


@pytest.fixture(scope="module")
def hf(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("hf-demo"), "demo") as url:
        # token=False: never send a Hugging Face token saved on this machine.
        yield HfApi(endpoint=url, token=False)


@pytest.fixture(scope="module")
def recorded(shared_dir):
    return json.loads((shared_dir / FIXTURE).read_text())


def test_list_daily_papers_of_a_day(hf, recorded):
    papers = list(hf.list_daily_papers(date="2024-10-25"))
    # The bundled sample holds this recorded day; ranked by upvotes, ties by id.
    expected = sorted(recorded, key=lambda e: (-e["paper"]["upvotes"], e["paper"]["id"]))
    assert [p.id for p in papers] == [e["paper"]["id"] for e in expected]
    first = papers[0]
    assert first.upvotes == expected[0]["paper"]["upvotes"]
    assert first.title == " ".join(expected[0]["paper"]["title"].split())
    assert first.submitted_at == datetime(2024, 10, 25, 0, 57, 9, 392000, tzinfo=UTC)  # the listing time as recorded
    assert first.submitted_by.username == expected[0]["submittedBy"]["name"]
    assert first.submitted_by.fullname == expected[0]["submittedBy"]["fullname"]
    assert [a.name for a in first.authors] == [a["name"] for a in expected[0]["paper"]["authors"]]
    assert [p.id for p in hf.list_daily_papers(date="2024-10-25", limit=3, p=1)] == [e["paper"]["id"] for e in expected[3:6]]


def test_paper_info(hf, recorded):
    record = next(e["paper"] for e in recorded if e["paper"]["id"] == "2410.17243")
    info = hf.paper_info("2410.17243")
    assert info.id == "2410.17243"
    assert info.published_at == datetime(2024, 10, 22, 17, 59, 30, tzinfo=UTC)
    assert info.upvotes == record["upvotes"]
    assert info.summary.split() == record["summary"].split()
    assert [a.name for a in info.authors] == [a["name"] for a in record["authors"]]
    assert info.comments == recorded[0]["numComments"] == 3  # Hugging Face's count, kept by the import
    with pytest.raises(HfHubHTTPError) as missing:
        hf.paper_info("2410.99999")
    assert missing.value.response.status_code == 404


def test_list_papers_searches(hf):
    found = list(hf.list_papers(query="near infinite batch size scaling for contrastive loss", limit=5))
    assert found[0].id == "2410.17243"
    assert len(found) == 5
    assert [p.id for p in hf.list_papers(query="https://arxiv.org/abs/2410.17243v1")] == ["2410.17243"]


def test_bad_parameters_raise_in_the_client(hf):
    with pytest.raises(HfHubHTTPError) as bad:
        list(hf.list_daily_papers(date="2024-13-45"))
    assert bad.value.response.status_code == 400
    assert bad.value.response.json() == {"error": "date must be a valid YYYY-MM-DD."}
