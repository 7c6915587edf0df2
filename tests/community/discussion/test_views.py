"""Posting, editing and deleting comments through the test client; the counter stays exact."""

from __future__ import annotations

import re

from django.test import Client

from paperfeed.community.claims.models import AuthorshipClaim
from paperfeed.community.discussion.models import Comment
from paperfeed.papers.models import Paper

HTMX = {"HTTP_HX_REQUEST": "true"}


def post_comment(client, paper, body, **extra):
    return client.post(f"/papers/{paper.arxiv_id}/comments", {"body": body, **extra})


def count(paper) -> int:
    return Paper.objects.get(pk=paper.pk).comment_count


def discussion_html(client, paper) -> str:
    html = client.get(paper.get_absolute_url()).content.decode()
    start = html.index('<section id="discussion"')
    return html[start : html.index("</section>", start)]


# -- creating ------------------------------------------------------------------------------


def test_post_comment_redirects_to_its_anchor(client, paper, ada):
    client.force_login(ada)
    response = post_comment(client, paper, "Nice *result* for $x_1$")
    comment = Comment.objects.get(paper=paper)
    assert response.status_code == 303
    assert response["Location"] == f"/papers/{paper.arxiv_id}#comment-{comment.pk}"
    assert comment.author == ada
    assert comment.body_html == '<p>Nice <em>result</em> for <span class="math">$x_1$</span></p>'
    assert count(paper) == 1


def test_versioned_id_in_the_url_finds_the_paper(client, paper, ada):
    client.force_login(ada)
    response = client.post(f"/papers/{paper.arxiv_id}v2/comments", {"body": "hi"})
    assert response.status_code == 303
    assert response["Location"].startswith(f"/papers/{paper.arxiv_id}#comment-")
    assert count(paper) == 1


def test_htmx_post_returns_the_thread(client, paper, ada):
    client.force_login(ada)
    response = client.post(f"/papers/{paper.arxiv_id}/comments", {"body": "via htmx"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<h2 id="discussion-heading">Discussion (1)</h2>')
    assert "<p>via htmx</p>" in html
    assert "<html" not in html


def test_anonymous_post_goes_to_login(client, paper):
    response = post_comment(client, paper, "hello")
    assert response.status_code == 303
    assert response["Location"] == f"/login?next=/papers/{paper.arxiv_id}%23discussion"
    assert Comment.objects.count() == 0


def test_get_is_not_allowed(client, paper, ada):
    client.force_login(ada)
    assert client.get(f"/papers/{paper.arxiv_id}/comments").status_code == 405
    comment = Comment.objects.create(paper=paper, author=ada, body="x", body_html="<p>x</p>")
    assert client.get(f"/comments/{comment.pk}/delete").status_code == 405
    assert client.put(f"/comments/{comment.pk}/edit").status_code == 405


def test_csrf_is_required(paper, ada):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    assert post_comment(client, paper, "no token").status_code == 403
    page = client.get(paper.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert post_comment(client, paper, "with token", csrfmiddlewaretoken=token).status_code == 303
    assert list(Comment.objects.values_list("body", flat=True)) == ["with token"]


def test_unknown_paper_is_404(client, ada):
    client.force_login(ada)
    assert client.post("/papers/2611.99999/comments", {"body": "x"}).status_code == 404


def test_empty_and_too_long_bodies_are_refused_with_the_text_kept(client, paper, ada):
    client.force_login(ada)
    response = post_comment(client, paper, "   ")
    assert response.status_code == 400
    assert "Write something first: the comment is empty." in response.content.decode()
    long_body = "a" * 10_001
    response = post_comment(client, paper, long_body)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Comments are limited to 10,000 characters (this one has 10001)." in html
    assert f">{long_body}</textarea>" in html
    # Windows line breaks count once, as the browser counted them.
    assert post_comment(client, paper, "a\r\n" * 3333 + "b").status_code == 303
    assert Comment.objects.get().body == "a\n" * 3333 + "b"
    assert count(paper) == 1


def test_htmx_refusal_shows_the_error_in_the_thread(client, paper, ada):
    client.force_login(ada)
    response = client.post(f"/papers/{paper.arxiv_id}/comments", {"body": ""}, **HTMX)
    assert response.status_code == 400
    assert '<ul class="form-errors" id="comment-body-new-errors" role="alert"><li>Write something first' in (
        response.content.decode()
    )


def test_rate_limit_answers_429_with_retry_after(client, paper, ada, bob, settings):
    settings.PAPERFEED_COMMENTS_PER_HOUR = 2
    client.force_login(ada)
    assert post_comment(client, paper, "one").status_code == 303
    assert post_comment(client, paper, "two").status_code == 303
    response = post_comment(client, paper, "three")
    assert response.status_code == 429
    assert 3590 <= int(response["Retry-After"]) <= 3601
    assert "You have posted 2 comments in the last hour" in response.content.decode()
    assert count(paper) == 2
    client.force_login(bob)  # the limit is per user
    assert post_comment(client, paper, "bob's").status_code == 303


# -- replies -------------------------------------------------------------------------------


def test_replies_are_one_level_deep(client, paper, ada, bob):
    client.force_login(ada)
    post_comment(client, paper, "top")
    top = Comment.objects.get()
    client.force_login(bob)
    post_comment(client, paper, "reply", parent=top.pk)
    reply = Comment.objects.get(body="reply")
    post_comment(client, paper, "reply to reply", parent=reply.pk)
    assert Comment.objects.get(body="reply to reply").parent_id == top.pk
    assert reply.parent_id == top.pk
    html = discussion_html(client, paper)
    assert html.index(f'id="comment-{top.pk}"') < html.index('<ol class="comment-replies">') < html.index(
        f'id="comment-{reply.pk}"'
    )
    assert count(paper) == 3


def test_reply_to_another_papers_comment_is_refused(client, paper, ada):
    other = Paper.objects.create(arxiv_id="2611.79999", title="Other")
    foreign = Comment.objects.create(paper=other, author=ada, body="x", body_html="<p>x</p>")
    client.force_login(ada)
    response = post_comment(client, paper, "sneaky", parent=foreign.pk)
    assert response.status_code == 400
    assert "The comment you replied to is no longer there." in response.content.decode()
    assert count(paper) == 0


# -- editing and deleting ------------------------------------------------------------------


def test_author_edits_and_the_page_says_edited(client, paper, ada):
    client.force_login(ada)
    post_comment(client, paper, "frist")
    comment = Comment.objects.get()
    assert client.get(f"/comments/{comment.pk}/edit").status_code == 200
    response = client.post(f"/comments/{comment.pk}/edit", {"body": "**first**"})
    assert response.status_code == 303
    assert response["Location"] == f"/papers/{paper.arxiv_id}#comment-{comment.pk}"
    comment.refresh_from_db()
    assert comment.body_html == "<p><strong>first</strong></p>"
    assert comment.edited_at is not None
    assert '<span class="comment-edited"' in discussion_html(client, paper)
    assert count(paper) == 1


def test_others_cannot_edit_or_delete(client, paper, ada, bob):
    comment = Comment.objects.create(paper=paper, author=ada, body="mine", body_html="<p>mine</p>")
    client.force_login(bob)
    assert client.get(f"/comments/{comment.pk}/edit").status_code == 403
    assert client.post(f"/comments/{comment.pk}/edit", {"body": "yours"}).status_code == 403
    assert client.post(f"/comments/{comment.pk}/delete").status_code == 403
    comment.refresh_from_db()
    assert (comment.body, comment.deleted) == ("mine", False)
    html = discussion_html(client, paper)
    assert f"/comments/{comment.pk}/edit" not in html and f"/comments/{comment.pk}/delete" not in html


def test_staff_may_delete_but_not_edit(client, paper, ada, make_user):
    client.force_login(ada)
    post_comment(client, paper, "spam")
    comment = Comment.objects.get()
    client.force_login(make_user("mod", is_staff=True))
    assert client.post(f"/comments/{comment.pk}/edit", {"body": "edited"}).status_code == 403
    assert client.post(f"/comments/{comment.pk}/delete").status_code == 303
    assert count(paper) == 0


def test_deleted_comment_with_replies_shows_deleted_and_without_disappears(client, paper, ada, bob):
    client.force_login(ada)
    post_comment(client, paper, "parent text")
    post_comment(client, paper, "lonely text")
    parent, lonely = Comment.objects.order_by("pk")
    client.force_login(bob)
    post_comment(client, paper, "child text", parent=parent.pk)
    assert count(paper) == 3

    client.force_login(ada)
    response = client.post(f"/comments/{parent.pk}/delete")
    assert response.status_code == 303
    assert response["Location"] == f"/papers/{paper.arxiv_id}#discussion"
    assert client.post(f"/comments/{lonely.pk}/delete").status_code == 303
    assert count(paper) == 1
    html = discussion_html(client, paper)
    assert "Discussion (1)" in html
    assert '<p class="comment-gone">[deleted]</p>' in html
    assert "parent text" not in html and "lonely text" not in html
    assert f'id="comment-{lonely.pk}"' not in html
    assert "child text" in html
    parent.refresh_from_db()
    assert (parent.body, parent.body_html, parent.deleted) == ("", "", True)
    # Deleting twice counts once; a deleted comment cannot be edited.
    assert client.post(f"/comments/{parent.pk}/delete").status_code == 404
    assert client.post(f"/comments/{parent.pk}/edit", {"body": "back"}).status_code == 404
    assert count(paper) == 1


def test_htmx_delete_returns_the_thread(client, paper, ada):
    client.force_login(ada)
    post_comment(client, paper, "bye")
    comment = Comment.objects.get()
    response = client.post(f"/comments/{comment.pk}/delete", **HTMX)
    assert response.status_code == 200
    assert response.content.decode().startswith('<h2 id="discussion-heading">Discussion (0)</h2>')


# -- the thread on the paper page ----------------------------------------------------------


def test_thread_for_visitors(client, paper, ada):
    Comment.objects.create(paper=paper, author=ada, body="x", body_html="<p>hello</p>")
    Paper.objects.filter(pk=paper.pk).update(comment_count=1)
    html = discussion_html(client, paper)
    assert '<h2 id="discussion-heading">Discussion (1)</h2>' in html
    assert '<a class="comment-author" href="/users/ada">ada</a>' in html
    assert '<div class="comment-body"><p>hello</p></div>' in html
    assert f'<a class="btn" href="/login?next=/papers/{paper.arxiv_id}%23discussion">Log in to comment</a>' in html
    assert "<textarea" not in html
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT[^"]+" title="[^"]+">just now</time>', html)


def test_thread_for_members_has_a_labelled_form(client, paper, ada):
    client.force_login(ada)
    html = discussion_html(client, paper)
    assert '<label class="comment-label" for="comment-body-new">Add a comment</label>' in html
    assert '<p class="comment-help" id="comment-body-new-help">Markdown and $math$ supported.</p>' in html
    assert "No comments yet. Start the discussion below." in html


def test_author_badge_only_for_approved_claims(client, paper, ada, bob, make_user):
    carol = make_user("carol")
    for user in (ada, bob, carol):
        Comment.objects.create(paper=paper, author=user, body="x", body_html=f"<p>by {user.username}</p>")
    AuthorshipClaim.objects.create(paper=paper, user=ada, status=AuthorshipClaim.Status.APPROVED)
    AuthorshipClaim.objects.create(paper=paper, user=bob, status=AuthorshipClaim.Status.PENDING)
    AuthorshipClaim.objects.create(paper=paper, user=carol, status=AuthorshipClaim.Status.DENIED)
    other = Paper.objects.create(arxiv_id="2611.79998", title="Other")
    AuthorshipClaim.objects.create(paper=other, user=carol, status=AuthorshipClaim.Status.APPROVED)
    html = discussion_html(client, paper)
    assert html.count('class="badge comment-author-badge"') == 1
    ada_part = html[html.index("/users/ada") : html.index("<p>by ada</p>")]
    assert ">Author</span>" in ada_part


def test_comment_thread_takes_constant_queries(client, paper, ada, bob):
    def render_count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(paper.get_absolute_url()).status_code == 200
        return len(queries)

    Comment.objects.create(paper=paper, author=ada, body="x", body_html="<p>x</p>")
    render_count()  # once first: a worker's first page may run one-time look-ups (caches per process)
    few = render_count()
    for i in range(10):
        top = Comment.objects.create(paper=paper, author=bob if i % 2 else ada, body="x", body_html="<p>x</p>")
        Comment.objects.create(paper=paper, author=ada, parent=top, body="y", body_html="<p>y</p>")
    assert render_count() == few


XSS = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "[click](javascript:alert(1))",
    "<a href=\"javascript:alert(2)\">x</a>",
    "$x$</span><svg onload=alert(3)>",
]


def test_hostile_comments_are_shown_escaped(client, paper, ada):
    client.force_login(ada)
    for body in XSS:
        assert post_comment(client, paper, body).status_code == 303
    html = client.get(paper.get_absolute_url()).content.decode()
    # The author's edit forms hold the source, escaped; a textarea's content is text anyway.
    sources = re.findall(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in sources
    assert "[click](javascript:alert(1))" in sources
    outside = re.sub(r"<textarea[^>]*>.*?</textarea>", "", html, flags=re.S)
    for dangerous in ("<script>alert", "<img src=x", "<svg onload", "javascript:alert", '<a href="javascript'):
        assert dangerous not in outside, dangerous
    assert "<p>&lt;script&gt;alert('x')&lt;/script&gt;</p>" in outside
    assert '<p><span class="math">$x$</span>&lt;/span&gt;&lt;svg onload=alert(3)&gt;</p>' in outside


def test_cards_show_the_comment_count(client, paper, ada):
    from datetime import date

    from paperfeed.papers.models import DailyEntry

    DailyEntry.objects.create(date=date(2026, 11, 24), paper=paper)
    chip = f'<a class="chip comment-chip" href="/papers/{paper.arxiv_id}#discussion">'
    html = client.get("/papers/date/2026-11-24").content.decode()
    # No discussion yet is worth saying too: the count is on every card, 0 included.
    assert chip in html and '0<span class="visually-hidden"> comments</span></a>' in html
    client.force_login(ada)
    post_comment(client, paper, "one")
    post_comment(client, paper, "two")
    html = client.get("/papers/date/2026-11-24").content.decode()
    assert chip in html and '2<span class="visually-hidden"> comments</span></a>' in html


def test_comments_at_the_source_count_on_cards_and_the_thread_links_to_them(client, paper, ada, settings):
    """A paper listed by Hugging Face with 3 comments there: its card says 3, as its upvotes
    count the source's too; the thread here says where those 3 are."""
    from datetime import date

    from paperfeed.papers.daily import Listing, list_papers

    list_papers([Listing(paper.pk, date(2026, 11, 24), num_comments=3)])
    html = client.get("/papers/date/2026-11-24").content.decode()
    assert '3<span class="visually-hidden"> comments</span></a>' in html
    page = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    link = f'<a href="{settings.PAPERFEED_HF_URL}/papers/{paper.arxiv_id}" rel="noopener noreferrer">'
    assert "Discussion (0)" in page and f"3 comments on {link}this paper's Hugging Face page</a>" in page
    assert "No comments here yet." in page
    client.force_login(ada)
    post_comment(client, paper, "one here")
    assert '4<span class="visually-hidden"> comments</span></a>' in client.get("/papers/date/2026-11-24").content.decode()
    page = client.get(f"/papers/{paper.arxiv_id}").content.decode()
    assert "Discussion (1)" in page and "the ones below were written here" in page


def test_comments_refresh_the_trending_score(client, paper, ada):
    from django.utils import timezone

    from paperfeed.feeds.models import TrendingScore
    from paperfeed.papers.models import DailyEntry

    DailyEntry.objects.create(date=timezone.now().date(), paper=paper)
    client.force_login(ada)
    post_comment(client, paper, "one")
    post_comment(client, paper, "two")
    assert TrendingScore.objects.get(paper=paper).comments == 2
    client.post(f"/comments/{Comment.objects.first().pk}/delete")
    assert TrendingScore.objects.get(paper=paper).comments == 1
