"""/users/<username>: the tabs, who sees what, pagination, and escaping of what users wrote."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from paperfeed.community.collections.models import Collection, CollectionItem
from paperfeed.community.discussion.models import Comment
from paperfeed.community.orgs.models import Membership
from paperfeed.community.votes.models import Vote
from paperfeed.papers.models import DailyEntry, Organization, Paper

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


def paper(number: int, title: str | None = None) -> Paper:
    return Paper.objects.create(
        arxiv_id=f"2611.{90000 + number}",
        title=title or f"Profile test paper {number}",
        published=datetime(2026, 11, 1, tzinfo=timezone.utc) + timedelta(days=number),
    )


def tab(client, username, name, **params):
    response = client.get(f"/users/{username}", {"tab": name, **params})
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def ada(make_user):
    return make_user("ada")


def test_the_head_shows_name_and_join_date(client, ada):
    ada.date_joined = datetime(2026, 3, 4, 12, tzinfo=timezone.utc)
    ada.save()
    html = tab(client, "ada", "upvotes")
    assert "<h1>ada</h1>" in html
    assert '<p class="lede">Joined <time datetime="2026-03-04">March 4, 2026</time></p>' in html
    assert "<title>ada · paperfeed</title>" in html


def test_tabs_with_counts(client, ada):
    Vote.objects.create(user=ada, paper=paper(1))
    html = tab(client, "ada", "upvotes")
    assert '<a href="?tab=upvotes" aria-current="page">Upvoted <span class="tab-count">1</span></a>' in html
    assert '<a href="?tab=submissions">Submitted <span class="tab-count">0</span></a>' in html
    assert '<a href="?tab=comments">Comments <span class="tab-count">0</span></a>' in html
    assert '<a href="?tab=collections">Collections <span class="tab-count">0</span></a>' in html
    assert '<a href="?tab=organizations">Organizations <span class="tab-count">0</span></a>' in html


def test_upvoted_papers_newest_vote_first(client, ada, make_user):
    first, second = paper(1, "First upvoted paper"), paper(2, "Second upvoted paper")
    Vote.objects.create(user=ada, paper=first)
    Vote.objects.create(user=ada, paper=second)
    Vote.objects.create(user=make_user("bob"), paper=paper(3, "Bob's paper"))
    html = tab(client, "ada", "upvotes")
    assert html.index("Second upvoted paper") < html.index("First upvoted paper")
    assert f'href="/papers/{first.arxiv_id}"' in html
    assert "Bob&#x27;s paper" not in html


def test_an_unknown_tab_shows_the_first(client, ada):
    html = tab(client, "ada", "passwords")
    assert '<a href="?tab=upvotes" aria-current="page">' in html
    assert "<strong>No upvoted papers yet.</strong>" in html


def test_submissions(client, ada):
    submitted = paper(4, "A submitted paper")
    DailyEntry.objects.create(date=date(2026, 11, 20), paper=submitted, submitter=ada, submitted_by="ada")
    DailyEntry.objects.create(date=date(2026, 11, 21), paper=paper(5, "Listed by the feed"))
    html = tab(client, "ada", "submissions")
    assert "A submitted paper" in html and "Listed by the feed" not in html
    assert '<span class="user-avatar user-avatar-xs" aria-hidden="true">A</span><span>submitted by <a href="/users/ada"><strong>ada</strong></a></span>' in html
    assert '<a href="?tab=submissions" aria-current="page">Submitted <span class="tab-count">1</span></a>' in html


def test_only_visible_comments_link_to_their_place(client, ada):
    target = paper(6, "A discussed paper")
    shown = Comment.objects.create(paper=target, author=ada, body="I liked section 3.")
    Comment.objects.create(paper=target, author=ada, body="Hidden by a moderator", hidden=True)
    Comment.objects.create(paper=target, author=ada, body="Deleted by ada", deleted=True)
    html = tab(client, "ada", "comments")
    assert f'<a class="math" href="/papers/{target.arxiv_id}#comment-{shown.pk}">A discussed paper</a>' in html
    assert "I liked section 3." in html
    assert "Hidden by a moderator" not in html and "Deleted by ada" not in html
    assert '<a href="?tab=comments" aria-current="page">Comments <span class="tab-count">1</span></a>' in html


def test_visitors_see_public_collections_and_the_owner_sees_all(client, ada, make_user):
    reading = Collection.objects.create(owner=ada, name="Reading group", slug="reading-group", public=True)
    CollectionItem.objects.create(collection=reading, paper=paper(7))
    Collection.objects.create(owner=ada, name="Secret plans", slug="secret-plans", public=False)

    visitor = tab(client, "ada", "collections")
    assert '<a href="/collections/ada/reading-group">Reading group</a>' in visitor
    assert "1 paper · updated" in visitor
    assert "Secret plans" not in visitor
    assert '<a href="?tab=collections" aria-current="page">Collections <span class="tab-count">1</span></a>' in visitor

    client.force_login(make_user("bob"))
    assert "Secret plans" not in tab(client, "ada", "collections")

    client.force_login(ada)
    owner = tab(client, "ada", "collections")
    assert '<a href="/collections/ada/secret-plans">Secret plans</a>' in owner
    assert '<span class="badge" title="Only you can see this collection">Private</span>' in owner
    assert owner.count(">Private</span>") == 1


def test_organizations(client, ada):
    lab = Organization.objects.create(slug="deep-lab", name="Deep Lab")
    Membership.objects.create(organization=lab, user=ada, role=Membership.Role.ADMIN)
    html = tab(client, "ada", "organizations")
    assert '<a href="/organizations/deep-lab">Deep Lab</a>' in html
    assert '<span class="badge badge-primary">Admin</span>' in html


def test_own_profile_links_to_settings(client, ada, make_user):
    settings_link = '<a class="btn profile-settings" href="/settings/account">Account settings</a>'
    assert settings_link not in tab(client, "ada", "upvotes")
    client.force_login(make_user("bob"))
    assert settings_link not in tab(client, "ada", "upvotes")
    client.force_login(ada)
    assert settings_link in tab(client, "ada", "upvotes")


def test_thirty_per_page(client, ada):
    for number in range(31):
        Vote.objects.create(user=ada, paper=paper(100 + number))
    first = tab(client, "ada", "upvotes")
    assert first.count('<li class="card') == 30
    assert '<span class="page-info">Page 1 of 2</span>' in first
    assert '<a href="?tab=upvotes&amp;p=2">Older →</a>' in first
    second = tab(client, "ada", "upvotes", p=2)
    assert second.count('<li class="card') == 1
    # The oldest vote is on the last page.
    assert "Profile test paper 100<" in second


@pytest.mark.parametrize("username", ["nobody", "suspended"])
def test_unknown_and_suspended_users_have_no_page(client, make_user, username):
    make_user("suspended", is_active=False)
    assert client.get(f"/users/{username}").status_code == 404


def test_everything_users_wrote_is_escaped(client, ada):
    hostile = paper(8, f"Title {SCRIPT} {ATTRIBUTE}")
    Vote.objects.create(user=ada, paper=hostile)
    DailyEntry.objects.create(date=date(2026, 11, 22), paper=hostile, submitter=ada, submitted_by=f"ada{SCRIPT}")
    Comment.objects.create(paper=hostile, author=ada, body=f"Look {SCRIPT} {ATTRIBUTE} [x](javascript:alert(1))")
    Collection.objects.create(
        owner=ada, name=f"List {SCRIPT}", slug="list", description=f"About {ATTRIBUTE}", public=True
    )
    org = Organization.objects.create(slug="evil", name=f"Org {ATTRIBUTE}", avatar_url="javascript:alert(1)")
    Membership.objects.create(organization=org, user=ada)
    for name in ("upvotes", "submissions", "comments", "collections", "organizations"):
        html = tab(client, "ada", name)
        assert "<script>alert(" not in html, name
        assert "<img src=x" not in html, name
        assert 'src="javascript:' not in html and 'href="javascript:' not in html, name
    assert "Look &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in tab(
        client, "ada", "comments"
    )
    assert "List &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in tab(client, "ada", "collections")
    assert "Org &quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in tab(client, "ada", "organizations")


def test_authored_papers_are_those_of_approved_claims(client, ada):
    from paperfeed.community.claims.models import AuthorshipClaim

    approved, pending, denied = paper(41, "Approved authorship"), paper(42, "Pending authorship"), paper(43, "Denied")
    AuthorshipClaim.objects.create(paper=approved, user=ada, status=AuthorshipClaim.Status.APPROVED)
    AuthorshipClaim.objects.create(paper=pending, user=ada, status=AuthorshipClaim.Status.PENDING)
    AuthorshipClaim.objects.create(paper=denied, user=ada, status=AuthorshipClaim.Status.DENIED)
    html = tab(client, "ada", "papers")
    assert '<a href="?tab=papers" aria-current="page">Authored <span class="tab-count">1</span></a>' in html
    assert "Approved authorship" in html
    assert "Pending authorship" not in html and "Denied" not in html


def test_no_authored_papers_yet(client, ada):
    assert "No papers claimed as author yet." in tab(client, "ada", "papers")
