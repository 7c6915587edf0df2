"""Moderation in the Django admin, driven through the test client as a superuser."""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed.community.claims.models import AuthorshipClaim
from paperfeed.community.collections.models import Collection, CollectionItem
from paperfeed.community.discussion import services
from paperfeed.community.discussion.models import Comment
from paperfeed.community.votes.models import Vote
from paperfeed.papers.models import Announcement, DailyEntry, Paper, PaperVersion
from paperfeed.papers.store import store_records
from paperfeed.search.engines import engine
from paperfeed.sources.normalize import build_record

COMMENTS = "/admin/discussion/comment/"
PAPERS = "/admin/papers/paper/"


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def paper(db):
    return Paper.objects.create(arxiv_id="2611.71001", title="Moderated paper")


def comment(paper, author, body="text", **extra):
    return services.create_comment(paper, author, body, **extra)


def count(paper) -> int:
    return Paper.objects.get(pk=paper.pk).comment_count


# -- comments ------------------------------------------------------------------------------


def test_hide_and_unhide_keep_the_count_exact(admin_client, paper, make_user):
    ada = make_user("ada")
    first, second = comment(paper, ada, "spam one"), comment(paper, ada, "spam two")
    kept = comment(paper, ada, "fine")
    assert count(paper) == 3
    selected = [first.pk, second.pk]

    response = admin_client.post(COMMENTS, {"action": "hide_comments", "_selected_action": selected}, follow=True)
    assert response.status_code == 200
    assert "Hid 2 comments." in response.content.decode()
    assert count(paper) == 1
    # Hiding again changes nothing.
    admin_client.post(COMMENTS, {"action": "hide_comments", "_selected_action": selected})
    assert count(paper) == 1
    page = admin_client.get(paper.get_absolute_url()).content.decode()
    assert "Discussion (1)" in page and "spam one" not in page and "<p>fine</p>" in page

    response = admin_client.post(COMMENTS, {"action": "unhide_comments", "_selected_action": [first.pk]}, follow=True)
    assert "Unhid 1 comment." in response.content.decode()
    assert count(paper) == 2
    assert list(Comment.objects.filter(hidden=True).values_list("pk", flat=True)) == [second.pk]
    assert kept.pk not in selected


def test_hidden_parent_with_replies_shows_a_placeholder(admin_client, paper, make_user):
    ada, bob = make_user("ada"), make_user("bob")
    parent = comment(paper, ada, "rude words")
    comment(paper, bob, "a calm reply", parent=parent)
    admin_client.post(COMMENTS, {"action": "hide_comments", "_selected_action": [parent.pk]})
    page = admin_client.get(paper.get_absolute_url()).content.decode()
    assert '<p class="comment-gone">[hidden by a moderator]</p>' in page
    assert "rude words" not in page and "a calm reply" in page
    assert count(paper) == 1


def test_hidden_and_then_deleted_counts_once(client, paper, make_user):
    ada = make_user("ada")
    target = comment(paper, ada)
    services.set_hidden([target], hidden=True)
    client.force_login(ada)
    assert client.post(f"/comments/{target.pk}/delete").status_code == 303
    assert count(paper) == 0
    services.set_hidden(Comment.objects.filter(pk=target.pk), hidden=False)
    assert count(paper) == 0  # deleted stays invisible


def test_comment_admin_lists_filters_and_searches(admin_client, paper, make_user):
    ada = make_user("ada")
    comment(paper, ada, "needle in the haystack")
    hidden = comment(paper, ada, "needle hidden")
    services.set_hidden([hidden], hidden=True)
    response = admin_client.get(COMMENTS, {"q": "needle", "hidden__exact": "1"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [hidden.pk]
    assert admin_client.get(COMMENTS, {"deleted__exact": "0"}).status_code == 200
    assert admin_client.get(f"{COMMENTS}{hidden.pk}/change/").status_code == 200


def test_admin_hard_delete_recounts(admin_client, paper, make_user):
    ada = make_user("ada")
    parent = comment(paper, ada)
    comment(paper, ada, parent=parent)
    comment(paper, ada)
    assert count(paper) == 3
    response = admin_client.post(
        COMMENTS, {"action": "delete_selected", "_selected_action": [parent.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert count(paper) == 1  # the reply went with its parent


def test_non_staff_cannot_moderate(client, paper, make_user):
    ada = make_user("ada")
    target = comment(paper, ada)
    client.force_login(ada)
    response = client.post(COMMENTS, {"action": "hide_comments", "_selected_action": [target.pk]})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert count(paper) == 1


# -- paper links ---------------------------------------------------------------------------


def _paper_form(paper, **changes) -> dict:
    data = {
        "arxiv_id": paper.arxiv_id, "title": paper.title, "abstract": "", "authors_text": "", "num_authors": 0,
        "primary_category": "", "github_repo": "", "project_page": "", "published_0": "", "published_1": "",
        "updated_0": "", "updated_1": "", "latest_version": 1, "comments": "", "journal_ref": "", "doi": "",
        "report_no": "", "license": "", "submitter": "",
        "papercategory_set-TOTAL_FORMS": 0, "papercategory_set-INITIAL_FORMS": 0,
        "versions-TOTAL_FORMS": 0, "versions-INITIAL_FORMS": 0,
    }  # fmt: skip
    data.update(changes)
    return data


def test_code_and_project_links_are_editable(admin_client, paper):
    url = f"{PAPERS}{paper.pk}/change/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url, _paper_form(paper, github_repo="https://github.com/ada/code", project_page="http://ada.example/p")
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert (paper.github_repo, paper.project_page) == ("https://github.com/ada/code", "http://ada.example/p")


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://files.example/x", "data:text/html,hi"])
def test_links_must_be_http(admin_client, paper, bad):
    response = admin_client.post(f"{PAPERS}{paper.pk}/change/", _paper_form(paper, github_repo=bad, project_page=bad))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["github_repo"] == ["Enter a valid URL."]
    paper.refresh_from_db()
    assert paper.github_repo == ""


# -- merging duplicates --------------------------------------------------------------------


@pytest.fixture
def duplicates(db, make_user):
    store_records([
        build_record(arxiv_id="2611.72001", title="Zyxomorphic transformers for merging",
                     abstract="We study zyxomorphic attention.", authors=["Ada Lovelace"],
                     versions=[{"version": "v1", "created": "2026-11-20T10:00:00Z"}]),
        build_record(arxiv_id="2611.72002", title="Zyxomorphic transformers for merging (duplicate)",
                     abstract="", authors=["Ada Lovelace"], github_repo="https://github.com/ada/zyx",
                     versions=[{"version": "v1", "created": "2026-11-20T10:00:00Z"},
                               {"version": "v2", "created": "2026-11-22T10:00:00Z"}]),
    ])  # fmt: skip
    keep, dup = Paper.objects.get(arxiv_id="2611.72001"), Paper.objects.get(arxiv_id="2611.72002")
    users = {name: make_user(name) for name in ("ada", "bob", "cy", "dee")}
    DailyEntry.objects.create(date=date(2026, 11, 21), paper=keep, upvotes=5)
    DailyEntry.objects.create(date=date(2026, 11, 21), paper=dup, upvotes=3, submitted_by="bob")
    DailyEntry.objects.create(date=date(2026, 11, 22), paper=dup, upvotes=2)
    Announcement.objects.create(date=date(2026, 11, 21), paper=keep, kind="new")
    Announcement.objects.create(date=date(2026, 11, 21), paper=dup, kind="new")
    Announcement.objects.create(date=date(2026, 11, 23), paper=dup, kind="replace", version=2)
    for user in (users["ada"], users["bob"]):
        Vote.objects.create(user=user, paper=keep)
    for user in (users["bob"], users["cy"]):
        Vote.objects.create(user=user, paper=dup)
    Paper.objects.filter(pk=keep.pk).update(upvotes=2)
    Paper.objects.filter(pk=dup.pk).update(upvotes=2)
    comment(keep, users["ada"], "on the original")
    hidden = comment(dup, users["bob"], "on the duplicate, hidden")
    services.set_hidden([hidden], hidden=True)
    comment(dup, users["cy"], "on the duplicate")
    both = Collection.objects.create(owner=users["ada"], name="Both", slug="both")
    only_dup = Collection.objects.create(owner=users["bob"], name="Dup", slug="dup")
    CollectionItem.objects.create(collection=both, paper=keep)
    CollectionItem.objects.create(collection=both, paper=dup)
    CollectionItem.objects.create(collection=only_dup, paper=dup)
    AuthorshipClaim.objects.create(paper=keep, user=users["ada"], status="pending")
    AuthorshipClaim.objects.create(paper=dup, user=users["ada"], status="approved")
    AuthorshipClaim.objects.create(paper=dup, user=users["dee"], status="denied")
    return keep, dup, users


def test_merge_needs_exactly_two_papers(admin_client, duplicates):
    keep, _, _ = duplicates
    response = admin_client.post(PAPERS, {"action": "merge_duplicates", "_selected_action": [keep.pk]}, follow=True)
    assert "Select exactly two papers to merge." in response.content.decode()
    assert Paper.objects.filter(arxiv_id="2611.72002").exists()


def test_merge_through_the_admin_moves_everything(admin_client, duplicates):
    keep, dup, _ = duplicates
    assert {h.paper_id for h in engine().lexical.search("zyxomorphic").hits} == {keep.pk, dup.pk}

    selected = {"action": "merge_duplicates", "_selected_action": [keep.pk, dup.pk]}
    confirm = admin_client.post(PAPERS, selected)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Merge duplicate papers" in html
    assert f'<input type="radio" name="keep" value="{keep.pk}" id="keep-{keep.pk}" checked>' in html

    response = admin_client.post(PAPERS, {**selected, "keep": keep.pk, "confirm": "yes"}, follow=True)
    assert response.status_code == 200
    assert "Merged 2611.72002 into 2611.72001" in response.content.decode()

    assert not Paper.objects.filter(pk=dup.pk).exists()
    keep.refresh_from_db()
    # Daily entries: same day combined (5 + 3 imported upvotes), the other day moved.
    entries = list(DailyEntry.objects.filter(paper=keep).order_by("date").values_list("date", "upvotes", "submitted_by"))
    assert entries == [(date(2026, 11, 21), 8, "bob"), (date(2026, 11, 22), 2, "")]
    # Votes: bob voted for both and keeps one.
    assert sorted(Vote.objects.filter(paper=keep).values_list("user__username", flat=True)) == ["ada", "bob", "cy"]
    assert keep.upvotes == 3
    # One count: the source's highest (the combined day's 8) + the 3 local votes.
    assert (keep.source_upvotes, keep.total_upvotes) == (8, 11)
    # Comments: all moved; the hidden one does not count.
    assert Comment.objects.filter(paper=keep).count() == 3
    assert keep.comment_count == 2
    # Collections: "Both" holds the paper once, "Dup" now holds the kept paper.
    assert sorted(CollectionItem.objects.filter(paper=keep).values_list("collection__slug", flat=True)) == ["both", "dup"]
    # Claims: ada's approval beats her pending claim; dee's denied claim moves.
    claims = sorted(AuthorshipClaim.objects.filter(paper=keep).values_list("user__username", "status"))
    assert claims == [("ada", "approved"), ("dee", "denied")]
    assert sorted(Announcement.objects.filter(paper=keep).values_list("date", flat=True)) == [
        date(2026, 11, 21), date(2026, 11, 23)]  # fmt: skip
    assert list(PaperVersion.objects.filter(paper=keep).values_list("number", flat=True)) == [1, 2]
    assert keep.latest_version == 2
    # Blank fields filled from the duplicate, the kept paper's own text untouched.
    assert keep.github_repo == "https://github.com/ada/zyx"
    assert keep.abstract == "We study zyxomorphic attention."
    # The search index no longer returns the duplicate.
    assert [h.paper_id for h in engine().lexical.search("zyxomorphic").hits] == [keep.pk]
    assert admin_client.get("/papers/2611.72002").status_code == 404
    page = admin_client.get("/papers/2611.72001").content.decode()
    assert "Discussion (2)" in page and "on the duplicate" in page


def test_merge_rolls_back_as_a_whole(duplicates, monkeypatch):
    from paperfeed.papers import merge

    keep, dup, _ = duplicates

    def broken(keep, duplicate):
        raise RuntimeError("disk full")

    monkeypatch.setattr(merge, "_fill_blanks", broken)
    with pytest.raises(RuntimeError):
        merge.merge_papers(keep, dup)
    assert Paper.objects.filter(pk=dup.pk).exists()
    assert Vote.objects.filter(paper=dup).count() == 2
    assert DailyEntry.objects.filter(paper=dup).count() == 2


def test_a_paper_cannot_merge_into_itself(duplicates):
    from paperfeed.papers.merge import merge_papers

    keep, _, _ = duplicates
    with pytest.raises(ValueError):
        merge_papers(keep, keep)
