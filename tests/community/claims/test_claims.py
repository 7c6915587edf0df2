"""Authorship claims: the box on the paper page, POST /papers/<id>/claim, and the admin review."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction

from paperfeed.community.accounts.models import Attempt
from paperfeed.community.claims.models import AuthorshipClaim
from paperfeed.papers.models import Author
from tests.community.submissions.support import csrf_client, make_paper, token

pytestmark = pytest.mark.django_db

BYLINE = ("Ada Claimtest", "Bea Claimtest", "Cy Claimtest")
Status = AuthorshipClaim.Status


@pytest.fixture
def paper():
    return make_paper(title="A claimable paper", authors=BYLINE)


def claim_box(page: str) -> str:
    match = re.search(r'<div class="claim-box" id="claim">(.*?)\n</div>', page, re.DOTALL)
    assert match, "no claim box on the page"
    return match.group(1)


def send_claim(client, paper, author_name="Bea Claimtest", message="", **extra):
    data = {"csrfmiddlewaretoken": token(client, paper.get_absolute_url()), "message": message}
    if author_name is not None:
        data["author"] = str(Author.objects.get(name=author_name).pk)
    return client.post(f"/papers/{paper.arxiv_id}/claim", data, **extra)


# -- the box on the paper page ---------------------------------------------------------------


def test_anonymous_readers_are_invited_to_log_in(client, paper):
    box = claim_box(client.get(paper.get_absolute_url()).content.decode())
    assert f'href="/login?next=/papers/{paper.arxiv_id}%23claim"' in box
    assert "<form" not in box
    response = client.post(f"/papers/{paper.arxiv_id}/claim", {"author": "1"})
    assert (response.status_code, response["Location"]) == (302, f"/login?next=/papers/{paper.arxiv_id}")
    assert not AuthorshipClaim.objects.filter(paper=paper).exists()


def test_a_user_without_a_claim_gets_the_form_with_the_byline_in_order(make_user, paper):
    box = claim_box(csrf_client(make_user()).get(paper.get_absolute_url()).content.decode())
    assert "<summary class=\"btn\">Claim authorship</summary>" in box
    assert f'action="/papers/{paper.arxiv_id}/claim"' in box
    assert re.findall(r'<option value="\d+">([^<]+)</option>', box) == list(BYLINE)
    assert 'name="csrfmiddlewaretoken"' in box


def test_a_claim_is_created_pending_and_the_page_says_so(make_user, paper):
    user = make_user("bea")
    client = csrf_client(user)
    response = send_claim(client, paper, message="I am Bea; bea@uni.example")
    assert (response.status_code, response["Location"]) == (303, f"/papers/{paper.arxiv_id}#claim")
    claim = AuthorshipClaim.objects.get(paper=paper, user=user)
    assert (claim.status, claim.author.name, claim.message, claim.reviewed_by, claim.reviewed_at) == (
        Status.PENDING, "Bea Claimtest", "I am Bea; bea@uni.example", None, None
    )
    box = claim_box(client.get(paper.get_absolute_url()).content.decode())
    assert "Claim pending review</span>" in box
    assert "<form" not in box
    # Asking again changes nothing and costs nothing.
    assert send_claim(client, paper).status_code == 303
    assert AuthorshipClaim.objects.filter(paper=paper, user=user).count() == 1
    assert Attempt.objects.filter(scope="claim", key=str(user.pk)).count() == 1


def test_htmx_gets_the_box_back(make_user, paper):
    client = csrf_client(make_user())
    response = send_claim(client, paper, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.templates[0].name == "claims/_claim.html"
    assert "Claim pending review</span>" in response.content.decode()


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [("/daily", "/daily"), ("https://evil.example/x", None), ("//evil.example/x", None), ("", None)],
)
def test_a_claim_returns_to_a_same_site_next_only(make_user, paper, next_url, expected):
    client = csrf_client(make_user())
    data = {
        "csrfmiddlewaretoken": token(client, paper.get_absolute_url()),
        "author": str(Author.objects.get(name="Bea Claimtest").pk),
        "next": next_url,
    }
    response = client.post(f"/papers/{paper.arxiv_id}/claim", data)
    assert response.status_code == 303
    assert response["Location"] == (expected or f"/papers/{paper.arxiv_id}#claim")


def test_hx_request_false_is_not_htmx(make_user, paper):
    response = send_claim(csrf_client(make_user()), paper, HTTP_HX_REQUEST="false")
    assert response.status_code == 303


def test_a_name_not_on_the_byline_is_refused(make_user, paper):
    make_paper(authors=("Zed Elsewhere",))
    client = csrf_client(make_user())
    response = send_claim(client, paper, author_name="Zed Elsewhere")
    assert response.status_code == 400
    assert response.context["claim_form"].errors["author"] == ["Choose your name from this paper's authors."]
    assert "Choose your name from this paper&#x27;s authors." in response.content.decode()
    missing = send_claim(client, paper, author_name=None)
    assert missing.status_code == 400
    assert missing.context["claim_form"].errors["author"] == ["This field is required."]
    assert not AuthorshipClaim.objects.filter(paper=paper).exists()


def test_a_paper_without_author_names_can_be_claimed_without_choosing_one(make_user):
    paper = make_paper(title="Count only")
    client = csrf_client(make_user())
    box = claim_box(client.get(paper.get_absolute_url()).content.decode())
    assert "<select" not in box
    assert "tell the moderator which one is yours" in box
    assert send_claim(client, paper, author_name=None, message="third author").status_code == 303
    assert AuthorshipClaim.objects.get(paper=paper).author is None


def test_get_is_405_and_a_post_without_csrf_is_403(make_user, paper):
    client = csrf_client(make_user())
    assert client.get(f"/papers/{paper.arxiv_id}/claim").status_code == 405
    response = client.post(f"/papers/{paper.arxiv_id}/claim", {"author": str(Author.objects.get(name="Ada Claimtest").pk)})
    assert response.status_code == 403
    assert not AuthorshipClaim.objects.filter(paper=paper).exists()


def test_an_unknown_paper_is_404(make_user):
    client = csrf_client(make_user())
    csrf = token(client)
    assert client.post("/papers/2612.98765/claim", {"csrfmiddlewaretoken": csrf}).status_code == 404


def test_claims_are_rate_limited_with_retry_after(make_user, settings):
    settings.PAPERFEED_CLAIMS_PER_DAY = 1
    first, second = make_paper(authors=BYLINE[:1]), make_paper(authors=BYLINE[1:2])
    client = csrf_client(make_user())
    assert send_claim(client, first, author_name=BYLINE[0]).status_code == 303
    response = send_claim(client, second, author_name=BYLINE[1])
    assert response.status_code == 429
    assert 86_300 < int(response["Retry-After"]) <= 86_401
    assert "You have made the most authorship claims allowed in 24 hours." in response.content.decode()
    assert not AuthorshipClaim.objects.filter(paper=second).exists()


def test_a_hostile_message_is_stored_as_text_and_escaped_in_the_admin(make_user, paper):
    payload = '<script>alert("m")</script><img src=x onerror=alert(1)>'
    send_claim(csrf_client(make_user("bea")), paper, message=payload)
    claim = AuthorshipClaim.objects.get(paper=paper)
    assert claim.message == payload
    admin = csrf_client(make_user("root", is_staff=True, is_superuser=True))
    page = admin.get(f"/admin/claims/authorshipclaim/{claim.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(&quot;m&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert '<script>alert("m")' not in page
    assert "<img src=x" not in page


# -- review in the admin ---------------------------------------------------------------------


@pytest.fixture
def moderator(make_user):
    return make_user("moderator", is_staff=True, is_superuser=True)


def admin_action(client, action: str, claims) -> object:
    csrf = token(client, "/admin/claims/authorshipclaim/")
    return client.post(
        "/admin/claims/authorshipclaim/",
        {"csrfmiddlewaretoken": csrf, "action": action, "_selected_action": [str(c.pk) for c in claims]},
    )


def test_the_queue_lists_pending_claims_first_and_filters_by_status(make_user, moderator, paper):
    other = make_paper(authors=("Dee Claimtest",))
    # The pending claim is the oldest: newest-first alone would list it last.
    pending = AuthorshipClaim.objects.create(paper=paper, user=make_user("new"))
    denied = AuthorshipClaim.objects.create(paper=paper, user=make_user("old"), status=Status.DENIED)
    approved = AuthorshipClaim.objects.create(paper=other, user=make_user("yes"), status=Status.APPROVED)
    client = csrf_client(moderator)
    page = client.get("/admin/claims/authorshipclaim/").content.decode()
    rows = re.findall(r'name="_selected_action" value="(\d+)"', page)
    assert rows == [str(pending.pk), str(approved.pk), str(denied.pk)]
    only_denied = client.get("/admin/claims/authorshipclaim/?status__exact=denied").content.decode()
    assert re.findall(r'name="_selected_action" value="(\d+)"', only_denied) == [str(denied.pk)]


def test_approving_sets_the_reviewer_and_the_user_sees_they_are_an_author(make_user, moderator, paper):
    user = make_user("bea")
    send_claim(csrf_client(user), paper)
    claim = AuthorshipClaim.objects.get(paper=paper)
    response = admin_action(csrf_client(moderator), "approve", [claim])
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by) == (Status.APPROVED, moderator)
    assert claim.reviewed_at is not None
    box = claim_box(csrf_client(user).get(paper.get_absolute_url()).content.decode())
    assert "You are an author of this paper</span>" in box
    assert "<form" not in box
    # An approved claim stays open: no second claim can be made.
    assert send_claim(csrf_client(user), paper).status_code == 303
    assert AuthorshipClaim.objects.filter(paper=paper, user=user).count() == 1


def test_a_denied_claim_shows_the_note_and_can_be_requested_again(make_user, moderator, paper):
    user = make_user("bea")
    send_claim(csrf_client(user), paper)
    claim = AuthorshipClaim.objects.get(paper=paper)
    admin = csrf_client(moderator)
    assert admin_action(admin, "deny", [claim]).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by) == (Status.DENIED, moderator)

    # The moderator adds a note in the change form (hostile text stays text on the paper page).
    note = 'Please write from your university address <b onmouseover="alert(1)">x</b>'
    url = f"/admin/claims/authorshipclaim/{claim.pk}/change/"
    csrf = token(admin, url)
    response = admin.post(url, {"csrfmiddlewaretoken": csrf, "status": "denied", "review_note": note})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.review_note == note

    client = csrf_client(user)
    box = claim_box(client.get(paper.get_absolute_url()).content.decode())
    assert (
        "Your claim was denied: Please write from your university address "
        "&lt;b onmouseover=&quot;alert(1)&quot;&gt;x&lt;/b&gt; — you can claim again." in box
    )
    assert '<b onmouseover="alert(1)">' not in box
    assert "<summary class=\"btn\">Claim authorship</summary>" in box

    assert send_claim(client, paper, message="from my university address").status_code == 303
    assert list(AuthorshipClaim.objects.filter(paper=paper, user=user).order_by("pk").values_list("status", flat=True)) == [
        Status.DENIED, Status.PENDING
    ]
    assert "Claim pending review</span>" in claim_box(client.get(paper.get_absolute_url()).content.decode())


def test_the_database_allows_one_open_claim_but_any_number_of_denied_ones(make_user, paper):
    user = make_user()
    AuthorshipClaim.objects.create(paper=paper, user=user, status=Status.DENIED)
    AuthorshipClaim.objects.create(paper=paper, user=user, status=Status.DENIED)
    AuthorshipClaim.objects.create(paper=paper, user=user, status=Status.PENDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorshipClaim.objects.create(paper=paper, user=user, status=Status.APPROVED)
    assert AuthorshipClaim.objects.filter(paper=paper, user=user).count() == 3


def test_approve_skips_claims_that_are_not_pending(make_user, moderator, paper):
    user = make_user()
    old = AuthorshipClaim.objects.create(paper=paper, user=user, status=Status.DENIED)
    AuthorshipClaim.objects.create(paper=paper, user=user, status=Status.PENDING)
    admin_action(csrf_client(moderator), "approve", [old])
    old.refresh_from_db()
    assert (old.status, old.reviewed_by) == (Status.DENIED, None)


def test_reopening_an_old_claim_beside_an_open_one_is_a_form_error(make_user, moderator, paper):
    user = make_user()
    old = AuthorshipClaim.objects.create(paper=paper, user=user, status=Status.DENIED)
    AuthorshipClaim.objects.create(paper=paper, user=user, status=Status.PENDING)
    admin = csrf_client(moderator)
    url = f"/admin/claims/authorshipclaim/{old.pk}/change/"
    response = admin.post(url, {"csrfmiddlewaretoken": token(admin, url), "status": "approved", "review_note": ""})
    assert response.status_code == 200
    assert "This user has another open claim on this paper; review that one instead." in response.content.decode()
    old.refresh_from_db()
    assert old.status == Status.DENIED


def test_changing_the_status_in_the_form_records_the_reviewer(make_user, moderator, paper):
    claim = AuthorshipClaim.objects.create(paper=paper, user=make_user())
    admin = csrf_client(moderator)
    url = f"/admin/claims/authorshipclaim/{claim.pk}/change/"
    assert admin.post(url, {"csrfmiddlewaretoken": token(admin, url), "status": "approved", "review_note": ""}).status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.reviewed_by) == (Status.APPROVED, moderator)
    assert admin.get("/admin/claims/authorshipclaim/add/").status_code == 403
