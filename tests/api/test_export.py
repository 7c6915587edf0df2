"""A user's own data (every model holding it) and the site's papers, out and back in."""

from __future__ import annotations

import json
from datetime import date

from django.apps import apps
from django.contrib.auth import get_user_model

from paperfeed.api.userdata import SECTIONS, export_user

from ..helpers import run_cli, start_migrated
from .conftest import auth


def models_holding_user_data() -> set[str]:
    """Models with a link to the user model, and models whose link goes through one of those."""
    user_model = get_user_model()
    direct = {
        model
        for model in apps.get_models()
        if model is not user_model
        and any(f.is_relation and f.related_model is user_model and (f.many_to_one or f.one_to_one) for f in model._meta.get_fields() if f.concrete)
    }
    nested = {
        model
        for model in apps.get_models()
        if any(f.is_relation and f.many_to_one and f.related_model in direct and f.related_model.__name__ != "Paper"
               for f in model._meta.get_fields() if f.concrete)
    }
    return {m._meta.label for m in direct | nested}


def test_every_model_holding_user_data_is_exported():
    holding = models_holding_user_data()
    assert {"votes.Vote", "personal.SavedSearch", "digests.Delivery", "api.ApiToken"} <= holding
    assert holding - set(SECTIONS) == set(), "add these models to api/userdata.py"


def test_the_export_holds_a_row_of_each(client, make_user, make_paper, token_for):
    from paperfeed.community.collections.saving import add_paper, create_collection
    from paperfeed.community.discussion.services import create_comment
    from paperfeed.community.votes.services import set_vote
    from paperfeed.digests.models import Delivery, Subscription
    from paperfeed.papers.models import Author
    from paperfeed.personal.models import FollowedAuthor, MuteRule, SavedSearch

    user = make_user("ada")
    paper = make_paper("2611.00001", listed=date(2026, 11, 20))
    set_vote(user, paper, True)
    create_comment(paper, user, "hello")
    add_paper(create_collection(user, "Reading"), paper)
    SavedSearch.objects.create(user=user, query="sparse attention")
    MuteRule.objects.create(user=user, kind="keyword", value="quantum")
    FollowedAuthor.objects.create(user=user, author=Author.objects.get(name="Alan Turing"))
    subscription = Subscription.objects.create(email="ada@example.org", user=user, status="active")
    Delivery.objects.create(subscription=subscription, period_key="daily:2026-11-20", state="sent", message_id="<m@x>")
    secret = token_for(user, "laptop")

    data = export_user(user)
    assert data["votes"][0]["paper"] == "2611.00001"
    assert data["comments"][0]["body"] == "hello"
    assert data["collections"][0]["papers"][0]["paper"] == "2611.00001"
    assert data["savedSearches"][0]["query"] == "sparse attention"
    assert data["muteRules"][0] == {"kind": "keyword", "value": "quantum", "createdAt": data["muteRules"][0]["createdAt"]}
    assert data["followedAuthors"][0]["author"] == "Alan Turing"
    assert data["subscriptions"][0]["deliveries"][0]["period"] == "daily:2026-11-20"
    assert data["apiTokens"][0]["name"] == "laptop"
    text = json.dumps(data)
    assert secret not in text and "hashed" not in text and "pbkdf2" not in text

    # The same document from the API (a token here; the settings page links it for the session).
    download = client.get("/api/export/me", **auth(secret))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="paperfeed-{user.pk}-data.json"'
    assert download.json()["votes"] == data["votes"]
    assert client.get("/api/export/me").status_code == 401


SETUP = """
from datetime import date
from django.contrib.auth import get_user_model
from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record
from paperfeed.personal.models import SavedSearch
r = store_records([
    build_record(arxiv_id="2611.00001", title="First <b>paper</b>", abstract="On $x^2$.", authors=["Ada Lovelace", "Zoë Ünicode"],
                 categories=["cs.LG", "stat.ML"], versions=[{"version": "v1", "created": "2026-11-20T10:00:00Z"},
                 {"version": "v2", "created": "2026-11-22T10:00:00Z"}], github_repo="https://github.com/a/b"),
    build_record(arxiv_id="hep-th/9901001", title="Old style", versions=[{"version": "v1", "created": "1999-01-04T00:00:00Z"}]),
])
list_papers([Listing(r.paper_ids["2611.00001"], date(2026, 11, 20), 7, "ada", "Lab One")])
u = get_user_model().objects.create_user("ada", "ada@example.org", "pw-long-enough-1")
SavedSearch.objects.create(user=u, query="sparse attention")
"""


def test_cli_export_import_round_trip_is_idempotent(tmp_path):
    source, target = tmp_path / "source", tmp_path / "target"
    for data_dir in (source, target):
        start_migrated(data_dir)  # a migrated database, as `paperfeed init` leaves it (tests/helpers.py)
    assert run_cli(source, "shell", "-c", SETUP).returncode == 0
    exported = run_cli(source, "export", "-o", str(tmp_path / "all.jsonl"))
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(line) for line in (tmp_path / "all.jsonl").read_text().splitlines()]
    assert [(line["type"], line.get("id") or line.get("paper")) for line in lines] == [
        ("paper", "2611.00001"), ("paper", "hep-th/9901001"), ("daily", "2611.00001")
    ]
    first = run_cli(target, "import", str(tmp_path / "all.jsonl"))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "papers: 2 new, 0 updated, 0 unchanged; daily entries: 1 new of 1"
    second = run_cli(target, "import", str(tmp_path / "all.jsonl"))
    assert second.stdout.strip() == "papers: 0 new, 0 updated, 2 unchanged; daily entries: 0 new of 1"
    again = run_cli(target, "export")
    assert [json.loads(line) for line in again.stdout.splitlines()] == lines

    shown = run_cli(target, "show", "2611.00001")
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[:2] == ["First <b>paper</b>", "Ada Lovelace, Zoë Ünicode"]
    as_json = json.loads(run_cli(target, "show", "arXiv:2611.00001v2", "--json").stdout)
    assert as_json["upvotes"] == 7 and as_json["organization"]["fullname"] == "Lab One"
    missing = run_cli(target, "show", "2611.09999")
    assert missing.returncode == 1 and "not in the database" in missing.stderr

    user_export = run_cli(source, "export", "--user", "ada")
    assert json.loads(user_export.stdout)["savedSearches"][0]["query"] == "sparse attention"
    assert run_cli(source, "export", "--user", "nobody").returncode == 1


def test_import_reports_bad_lines_and_loads_the_rest(tmp_path):
    start_migrated(tmp_path / "d")
    (tmp_path / "bad.jsonl").write_text(
        '{"type": "paper", "id": "2611.00001", "title": "Good"}\nnot json\n{"type": "paper", "id": "x", "title": "t"}\n'
        '{"type": "daily", "date": "2026-11-20", "paper": "2611.00077"}\n'
    )
    out = run_cli(tmp_path / "d", "import", str(tmp_path / "bad.jsonl"))
    assert out.returncode == 1
    assert out.stdout.strip() == "papers: 1 new, 0 updated, 0 unchanged; daily entries: 0 new of 0"
    assert "line 2:" in out.stderr and "line 3: missing or malformed arXiv id 'x'" in out.stderr
    assert "line 4: paper '2611.00077' is neither in the file nor in the database" in out.stderr
