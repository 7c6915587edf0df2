"""huggingface_hub's own HfApi against a live `paperfeed demo` server: real clients work unchanged."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from ..helpers import PAPERFEED, cli_env, serving

FIXTURE = "fixtures/hf/daily_papers_2024-10-25.json"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("hf-demo")
    with serving(data_dir, "demo") as url:
        yield url, data_dir


@pytest.fixture(scope="module")
def hf(server):
    # token=False: never send a Hugging Face token saved on this machine.
    return HfApi(endpoint=server[0], token=False)


def paperfeed(data_dir, *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [*PAPERFEED, *args], env=cli_env(data_dir), input=stdin, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def ada(server):
    """A client with a pf_ token of a new account, made as an operator would (the real commands)."""
    url, data_dir = server
    paperfeed(data_dir, "user", "add", "ada", "--email", "ada@example.org", stdin="correct horse battery staple\n")
    return HfApi(endpoint=url, token=paperfeed(data_dir, "token", "create", "ada", "--name", "hf client").strip())


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


def test_collections_through_huggingface_hub(hf, ada):
    """Every collection call of huggingface_hub, unchanged, against the demo's sample papers."""
    made = ada.create_collection("Scaling contrastive loss", description="Batch size papers")
    assert (made.slug, made.title, made.owner["name"], made.private) == ("ada/scaling-contrastive-loss",
                                                                          made.title, "ada", False)
    assert made.url == f"{hf.endpoint}/collections/ada/scaling-contrastive-loss" and made.items == []
    # exists_ok: the second create answers 409 with the first's slug, and the client fetches it.
    assert ada.create_collection("Scaling contrastive loss", exists_ok=True).slug == made.slug
    with pytest.raises(HfHubHTTPError) as twice:
        ada.create_collection("Scaling contrastive loss")
    assert twice.value.response.status_code == 409

    first = ada.add_collection_item(made.slug, "2410.17243", "paper", note="Near-infinite batch size <b>")
    second = ada.add_collection_item(made.slug, "2410.18693", "paper")
    assert [(i.item_id, i.item_type, i.position) for i in second.items] == [
        ("2410.17243", "paper", 0), ("2410.18693", "paper", 1)
    ]
    assert first.items[0].note == "Near-infinite batch size <b>"
    assert ada.add_collection_item(made.slug, "2410.18693", "paper", exists_ok=True).slug == made.slug
    for wrong, status in ((("2410.99999", "paper"), 404), (("gpt2", "model"), 400)):
        with pytest.raises(HfHubHTTPError) as refused:
            ada.add_collection_item(made.slug, *wrong)
        assert refused.value.response.status_code == status

    moved = second.items[1].item_object_id
    ada.update_collection_item(made.slug, moved, position=0, note="Read first")
    got = hf.get_collection(made.slug)  # public: anyone reads it
    assert [(i.item_id, i.position, i.note) for i in got.items] == [
        ("2410.18693", 0, "Read first"), ("2410.17243", 1, "Near-infinite batch size <b>")
    ]
    assert got.description == "Batch size papers" and got.last_updated is not None

    # The anonymous list is public; it filters by owner and by item, as Hugging Face's does.
    listed = list(hf.list_collections(owner="ada"))
    assert [c.slug for c in listed] == [made.slug] and listed[0].title == "Scaling contrastive loss"
    assert [c.slug for c in hf.list_collections(item="papers/2410.18693")] == [made.slug]
    assert list(hf.list_collections(item="papers/2410.00001")) == []

    ada.delete_collection_item(made.slug, moved)
    assert [i.item_id for i in hf.get_collection(made.slug).items] == ["2410.17243"]
    ada.delete_collection_item(made.slug, moved, missing_ok=True)

    # Private: gone for everyone but the owner, and out of the public list.
    hidden = ada.create_collection("Private notes", private=True)
    assert hidden.private is True and ada.get_collection(hidden.slug).title == "Private notes"
    with pytest.raises(HfHubHTTPError) as unseen:
        hf.get_collection(hidden.slug)
    assert unseen.value.response.status_code == 404
    assert hidden.slug not in [c.slug for c in hf.list_collections()]
    assert hidden.slug in [c.slug for c in ada.list_collections(owner="ada")]

    # Writes need the owner's token.
    with pytest.raises(HfHubHTTPError) as anonymous:
        hf.delete_collection(made.slug)
    assert anonymous.value.response.status_code == 401
    ada.delete_collection(made.slug)
    ada.delete_collection(made.slug, missing_ok=True)
    with pytest.raises(HfHubHTTPError) as gone:
        hf.get_collection(made.slug)
    assert gone.value.response.status_code == 404
