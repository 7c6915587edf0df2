"""What a Hugging Face import keeps: `paperfeed ingest hf-daily` run in-process against the
loopback fixture server (so on SQLite and on PostgreSQL), then read back through the API
and the pages with Django's test client.

The 2024-10-25 list is the RECORDED daily_papers response (29 items). Where a test needs
what that response lacks (a second day, fields of newer responses, hostile values), it
DERIVES a body from the recorded one and says so.

What the API may answer differently from the recording (docs/operations.md, "What an import
from Hugging Face keeps"): the `_id`s of authors and the `discussionId` (this instance's
own rows and threads), and the paper's title and abstract, which are stored with their
white space folded (arXiv's hard line wrapping is not kept).
"""

from __future__ import annotations

import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from paperfeed.papers.models import DailyEntry, Paper

from .fixture_server import FIXTURES

pytestmark = pytest.mark.django_db

RECORDED = json.loads((FIXTURES / "hf" / "daily_papers_2024-10-25.json").read_text(encoding="utf-8"))
DAY = "2024-10-25"
# Keys whose values are this instance's own (see the module docstring).
OWN_IDS = {"_id", "discussionId"}
FOLDED = {"title", "summary"}


@pytest.fixture
def hf_server(fixture_server, settings):
    settings.PAPERFEED_HF_URL = fixture_server.url
    settings.PAPERFEED_HTTP_BACKOFF = 0.05
    settings.PAPERFEED_HTTP_TIMEOUT = 2
    settings.PAPERFEED_API_ANON_RATE = 0
    return fixture_server


def ingest_command(day: str) -> None:
    """`paperfeed ingest hf-daily --date DAY`, in-process."""
    out, err = StringIO(), StringIO()
    call_command("ingest", "hf-daily", "--date", day, stdout=out, stderr=err)
    assert "0 quarantined" in out.getvalue(), out.getvalue() + err.getvalue()


def ingest(day: str) -> None:
    """What the command runs (fetch, parse, store, list), without its one-second pause between
    requests to Hugging Face, which tests that ingest several days would otherwise wait out."""
    from paperfeed.sources.hf_daily import fetch_daily
    from paperfeed.sources.http import PoliteClient
    from paperfeed.sources.pipeline import Sink

    sink = Sink("hf-daily")
    client = PoliteClient(pacing_key="hf", interval=0)
    try:
        fetch_daily(client, {"date": day}, sink)
    finally:
        client.close()
    assert sink.summary.quarantined == 0


def on_day(items: list[dict], day: str) -> str:
    """DERIVED: the items listed on another day (their listing time moved to it), as JSON."""
    for item in items:
        item["publishedAt"] = day + item["publishedAt"][10:]
    return json.dumps(items)


def api(path: str):
    response = Client(HTTP_HOST="127.0.0.1").get(path)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def served_day(day: str = DAY) -> dict[str, dict]:
    return {item["paper"]["id"]: item for item in api(f"/api/daily_papers?date={day}&limit=100")}


def differences(ours: object, theirs: object, path: str = "") -> list[str]:
    """Every place where `theirs` (the recording) has a value `ours` does not repeat."""
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{path}: {ours!r} is not an object"]
        found = []
        for key, value in theirs.items():
            if key in OWN_IDS:
                continue
            if key not in ours:
                found.append(f"{path}.{key}: missing (source: {value!r})"[:200])
            elif key in FOLDED and isinstance(value, str):
                if value.split() != str(ours[key]).split():
                    found.append(f"{path}.{key}: {ours[key]!r} != {value!r}"[:200])
            else:
                found += differences(ours[key], value, f"{path}.{key}")
        return found
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return [f"{path}: {ours!r} != {theirs!r}"[:200]]
        return [d for n, (a, b) in enumerate(zip(ours, theirs)) for d in differences(a, b, f"{path}[{n}]")]
    return [] if ours == theirs and type(ours) is type(theirs) else [f"{path}: {ours!r} != {theirs!r}"[:200]]


def test_the_recorded_day_is_served_field_for_field(hf_server):
    ingest_command(DAY)
    served = served_day()
    assert set(served) >= {item["paper"]["id"] for item in RECORDED}
    problems = [d for item in RECORDED for d in differences(served[item["paper"]["id"]], item, item["paper"]["id"])]
    assert problems == []
    for item in RECORDED:  # and the paper alone, as GET /api/papers/<id> serves it
        paper = api(f"/api/papers/{item['paper']['id']}")
        assert differences(paper, item["paper"], item["paper"]["id"]) == []
        conforms(paper, "Paper")
    for item in served.values():
        conforms(item, "DailyPaper")


def conforms(value: object, schema: str) -> None:
    """`value` is valid by the OpenAPI document's schema of that name (none of the schemas
    used here has OpenAPI's `nullable`, so a JSON Schema validator reads them as they are)."""
    import jsonschema

    from paperfeed.api.openapi import SCHEMAS

    jsonschema.validate(value, {"$ref": f"#/components/schemas/{schema}", "components": {"schemas": SCHEMAS}})


def test_each_kept_field_on_its_own(hf_server):
    """The same comparison, one field of the issue at a time, so a failure names the field."""
    ingest(DAY)
    served = served_day()
    pairs = [(served[item["paper"]["id"]], item) for item in RECORDED]
    assert [ours["publishedAt"] for ours, _ in pairs] == [item["publishedAt"] for item in RECORDED]
    assert [ours["numComments"] for ours, _ in pairs] == [item["numComments"] for item in RECORDED]
    assert sum(item["numComments"] for item in RECORDED) > 0
    for key in ("fullname", "avatarUrl", "name", "isPro", "isHf", "isMod"):
        assert [ours["submittedBy"][key] for ours, _ in pairs] == [item["submittedBy"][key] for item in RECORDED], key
    assert [ours["submittedBy"].get("followerCount") for ours, _ in pairs] == [
        item["submittedBy"].get("followerCount") for item in RECORDED
    ]
    assert [ours["thumbnail"] for ours, _ in pairs] == [item["thumbnail"] for item in RECORDED]
    # 8 items have media; the others have no key at Hugging Face and an empty list here.
    assert [ours["mediaUrls"] for ours, _ in pairs] == [item.get("mediaUrls", []) for item in RECORDED]
    claimed = 0
    for ours, item in pairs:
        for mine, theirs in zip(ours["paper"]["authors"], item["paper"]["authors"], strict=True):
            assert mine["name"] == theirs["name"] and mine["hidden"] == theirs["hidden"]
            for key in ("status", "statusLastChangedAt"):
                assert mine.get(key) == theirs.get(key), (item["paper"]["id"], theirs["name"], key)
            if "user" in theirs:  # every key as given (the login is also under "name", as in submittedBy)
                assert {key: mine["user"].get(key) for key in theirs["user"]} == theirs["user"]
                assert mine["user"]["name"] == theirs["user"]["user"]
                claimed += 1
            else:
                assert "user" not in mine
    assert claimed == 50
    assert sum(any("user" in a for a in item["paper"]["authors"]) for item in RECORDED) == 23
    assert [ours["paper"]["upvotes"] for ours, _ in pairs] == [item["paper"]["upvotes"] for item in RECORDED]


def test_num_comments_is_the_imported_count_plus_local_comments(hf_server, django_user_model):
    from paperfeed.community.discussion.services import create_comment

    ingest(DAY)
    item = next(item for item in RECORDED if item["numComments"])
    paper = Paper.objects.get(arxiv_id=item["paper"]["id"])
    reader = django_user_model.objects.create_user("reader-comments", "reader-comments@example.org", "pw-long-enough")
    create_comment(paper, reader, "A local comment.")
    assert served_day()[paper.arxiv_id]["numComments"] == item["numComments"] + 1
    assert api(f"/api/papers/{paper.arxiv_id}")["numComments"] == item["numComments"] + 1
    ingest(DAY)  # a second import of the same count adds nothing
    assert served_day()[paper.arxiv_id]["numComments"] == item["numComments"] + 1


ONE = "2410.18693"  # on the recorded list with 35 upvotes


def _oct_24() -> list[dict]:
    """DERIVED: the day before, listing ONE with the smaller count it had then."""
    item = copy.deepcopy(next(i for i in RECORDED if i["paper"]["id"] == ONE))
    item["paper"]["upvotes"] = 3
    item["publishedAt"] = "2024-10-24T09:15:00.000Z"
    return [item]


@pytest.mark.parametrize("order", [("2024-10-24", DAY), (DAY, "2024-10-24")])
def test_a_paper_on_two_days_lists_has_one_count(hf_server, order):
    hf_server.add_hf_day("2024-10-24", json.dumps(_oct_24()))
    for day in order:
        ingest(day)
    ingest(order[0])  # and again: nothing adds up
    assert api(f"/api/papers/{ONE}")["upvotes"] == 35
    assert served_day()[ONE]["paper"]["upvotes"] == 35
    assert served_day("2024-10-24")[ONE]["paper"]["upvotes"] == 35
    assert served_day("2024-10-24")[ONE]["publishedAt"] == "2024-10-24T09:15:00.000Z"
    assert served_day()[ONE]["publishedAt"] == next(i for i in RECORDED if i["paper"]["id"] == ONE)["publishedAt"]
    assert list(DailyEntry.objects.filter(paper__arxiv_id=ONE).order_by("date").values_list("upvotes", flat=True)) == [3, 35]


NEWER = {  # DERIVED: fields newer Hugging Face paper objects carry, on one recorded item
    "githubRepo": "https://github.com/DAMO-NLP-SG/Inf-CLIP",
    "githubStars": 1234,
    "projectPage": "https://example.org/inf-clip",
    "ai_summary": "Tiles the loss so that batch size no longer costs quadratic memory.",
    "ai_keywords": ["contrastive loss", "tile-based computation", "batch size"],
}


def test_newer_paper_fields_are_kept_served_and_shown(hf_server):
    items = copy.deepcopy(RECORDED)
    items[0]["paper"].update(NEWER)
    hf_server.add_hf_day("2024-11-05", on_day(items, "2024-11-05"))
    ingest("2024-11-05")
    arxiv_id = items[0]["paper"]["id"]
    paper_json = api(f"/api/papers/{arxiv_id}")
    assert {key: paper_json.get(key) for key in NEWER} == NEWER
    assert {key: served_day("2024-11-05")[arxiv_id]["paper"].get(key) for key in NEWER} == NEWER

    # Stars change: a later import that carries them replaces them; one that does not keeps them.
    items[0]["paper"]["githubStars"] = 1500
    hf_server.add_hf_day("2024-11-06", on_day(items[:1], "2024-11-06"))
    ingest("2024-11-06")
    without = copy.deepcopy(RECORDED[:1])
    hf_server.add_hf_day("2024-11-07", on_day(without, "2024-11-07"))
    ingest("2024-11-07")
    paper = Paper.objects.get(arxiv_id=arxiv_id)
    assert (paper.github_stars, paper.ai_keywords) == (1500, NEWER["ai_keywords"])

    client = Client(HTTP_HOST="127.0.0.1")
    page = client.get(f"/papers/{arxiv_id}").content.decode()
    assert "1.5k" in page and NEWER["projectPage"] in page
    day = client.get("/papers/date/2024-11-07").content.decode()
    assert "1.5k" in day  # the card's GitHub chip shows the stars


HOSTILE_NAME = '<img src=x onerror="alert(1)">Mallory & "Co"'


def _hostile_items() -> list[dict]:
    """DERIVED: the recorded list with one item's source-given strings made hostile."""
    items = copy.deepcopy(RECORDED)
    item = items[0]
    item["submittedBy"].update({"fullname": HOSTILE_NAME, "avatarUrl": "javascript:alert(1)", "isPro": "yes",
                                "followerCount": -5})
    item["thumbnail"] = "JavaScript:alert(2)"
    item["mediaUrls"] = ["data:text/html,<script>alert(3)</script>", "//evil.example/a.png", "/\\evil.example/b.png",
                         "https://cdn.example/ok.png", 42, "https://cdn.example/new\nline.png"]
    author = item["paper"]["authors"][0]
    author["user"].update({"fullname": HOSTILE_NAME, "avatarUrl": " vbscript:x", "_id": {"$gt": ""}})
    author["status"] = "<b>claimed</b>"
    author["statusLastChangedAt"] = "yesterday"
    item["paper"].update({"githubStars": True, "ai_keywords": ["<script>x</script>", 7, ""], "ai_summary": ["not text"],
                          "projectPage": "javascript:alert(4)"})
    return items


def test_hostile_values_are_dropped_or_escaped(hf_server):
    items = _hostile_items()
    hf_server.add_hf_day("2024-11-03", on_day(items, "2024-11-03"))
    ingest("2024-11-03")
    arxiv_id = items[0]["paper"]["id"]
    item = served_day("2024-11-03")[arxiv_id]
    submitter = item["submittedBy"]
    assert submitter["fullname"] == HOSTILE_NAME  # JSON carries text as text
    assert submitter["avatarUrl"] == ""  # not a javascript: link
    assert submitter["isPro"] is False and "followerCount" not in submitter  # wrong types are left out
    assert item["thumbnail"] == ""
    assert item["mediaUrls"] == ["https://cdn.example/ok.png"]
    author = item["paper"]["authors"][0]
    assert author["user"]["fullname"] == HOSTILE_NAME and author["user"]["avatarUrl"] == ""
    assert "_id" not in author["user"] and "statusLastChangedAt" not in author
    assert author["status"] == "<b>claimed</b>"
    assert "githubStars" not in item["paper"] and "ai_summary" not in item["paper"]
    assert item["paper"]["ai_keywords"] == ["<script>x</script>"]
    assert "projectPage" not in item["paper"]

    client = Client(HTTP_HOST="127.0.0.1")
    for path in ("/papers/date/2024-11-03", f"/papers/{arxiv_id}"):
        page = client.get(path).content.decode()
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Mallory &amp; &quot;Co&quot;" in page, path
        assert "<img src=x" not in page and "javascript:" not in page.lower(), path


def test_the_pages_show_the_submitters_full_name_and_picture(hf_server):
    ingest(DAY)
    item = next(i for i in RECORDED if i["submittedBy"]["avatarUrl"].startswith("https://")
                and i["submittedBy"]["fullname"] != i["submittedBy"]["name"])
    relative = next(i for i in RECORDED if i["submittedBy"]["avatarUrl"].startswith("/"))
    client = Client(HTTP_HOST="127.0.0.1")
    day = client.get(f"/papers/date/{DAY}").content.decode()
    assert f'title="{item["submittedBy"]["name"]}">{item["submittedBy"]["fullname"]}</strong>' in day
    assert f'src="{item["submittedBy"]["avatarUrl"]}"' in day
    assert relative["submittedBy"]["avatarUrl"] not in day  # a path on Hugging Face's site: the initial instead
    page = client.get(f"/papers/{item['paper']['id']}").content.decode()
    assert f'{item["submittedBy"]["fullname"]}</strong>' in page


def test_export_and_import_keep_it(hf_server):
    from paperfeed.api.dump import export_lines, import_lines

    ingest(DAY)
    before = served_day()
    lines = [line for line in export_lines() if json.loads(line).get("paper", json.loads(line).get("id")) in before]
    assert len(lines) >= 2 * len(RECORDED)
    Paper.objects.filter(arxiv_id__in=list(before)).delete()
    summary = import_lines(lines)
    assert summary.problems == []
    after = served_day()
    # The rows are new (new `_id`s and discussionIds); everything else is as it was.
    assert [differences(after[key], before[key], key) for key in before] == [[] for _ in before]
