"""Writes on papers, for an account (token or session): upvote, comment, submit, index.

Each calls the service the web pages use (votes.services, discussion.services, the
submissions rules and forms), with the same rate limits, so the API cannot do what the
site would refuse.
"""

from __future__ import annotations

from django.db import transaction

from paperfeed.api import params
from paperfeed.api.http import ApiError, json_body, json_list, json_object
from paperfeed.api.papers import paper_or_404
from paperfeed.api.serializers import PaperBatch, iso, object_id, pk_of_object_id
from paperfeed.community.accounts.throttle import Limit
from paperfeed.community.discussion import services as discussion
from paperfeed.community.discussion.forms import CommentForm
from paperfeed.community.discussion.models import Comment
from paperfeed.community.discussion.services import comment_limit
from paperfeed.community.submissions import rules
from paperfeed.community.submissions.forms import SubmitForm
from paperfeed.community.submissions.views import submission_limit
from paperfeed.community.votes import services as votes
from paperfeed.community.votes.views import VOTE_LIMIT
from paperfeed.papers.models import Paper


def check_limit(limit: Limit, user) -> None:
    if not limit.allow(user.pk):
        raise ApiError("Too many requests; try again later.", 429, {"Retry-After": str(limit.retry_after(user.pk))})


def _vote(request, user, arxiv_id: str, want: bool):
    paper = paper_or_404(arxiv_id)
    check_limit(VOTE_LIMIT, user)
    voted = votes.set_vote(user, paper, want)
    paper.refresh_from_db(fields=["upvotes"])
    return json_object({"id": paper.arxiv_id, "upvoted": voted, "upvotes": PaperBatch([paper.pk]).upvotes(paper)})


def upvote(request, user, arxiv_id: str):
    return _vote(request, user, arxiv_id, True)


def remove_upvote(request, user, arxiv_id: str):
    return _vote(request, user, arxiv_id, False)


def comment_json(comment: Comment) -> dict:
    visible = comment.visible
    return {
        "id": object_id(comment.pk),
        "parentId": object_id(comment.parent_id) if comment.parent_id else None,
        "author": {"name": comment.author.get_username()} if visible else None,
        "createdAt": iso(comment.created_at),
        "editedAt": iso(comment.edited_at),
        "deleted": not visible,
        # Markdown as written, and the sanitised HTML the site shows; both empty once removed.
        "body": comment.body if visible else "",
        "bodyHtml": comment.body_html if visible else "",
    }


def comments(request, arxiv_id: str):
    paper = paper_or_404(arxiv_id)
    rows = Comment.objects.filter(paper=paper).select_related("author").order_by("created_at", "id")
    return json_list([comment_json(comment) for comment in rows])


def _parent_pk(value) -> int | None:
    if value in (None, ""):
        return None
    pk = pk_of_object_id(value)
    if pk is not None:
        return pk
    raise ApiError("parentId must be the id of a comment on this paper.")


def add_comment(request, user, arxiv_id: str):
    paper = paper_or_404(arxiv_id)
    data = json_body(request)
    body = data.get("body")
    if not isinstance(body, str):
        raise ApiError("body must be a string of Markdown.")
    parent_pk = _parent_pk(data.get("parentId"))
    form = CommentForm({"body": body, "parent": parent_pk or ""})
    if not form.is_valid():
        raise ApiError(" ".join(e for errors in form.errors.values() for e in errors))
    parent = None
    if parent_pk is not None:
        parent = Comment.objects.filter(pk=parent_pk, paper=paper).first()
        if parent is None or not parent.visible:
            raise ApiError("The comment you replied to is no longer there.")
    check_limit(comment_limit(), user)
    comment = discussion.create_comment(paper, user, form.cleaned_data["body"], parent)
    return json_object(comment_json(comment), status=201)


def submit(request, user):
    """Put a paper on a day's list, by Hugging Face's rules (community/submissions/rules.py)."""
    data = json_body(request)
    reference = data.get("arxivId")
    if not isinstance(reference, str) or not reference.strip():
        raise ApiError("arxivId must be an arXiv identifier or link.")
    fields = {"paper": reference, "date": data.get("date") or "", "organization": data.get("organization") or ""}
    if not all(isinstance(value, str) for value in fields.values()):
        raise ApiError("arxivId, date and organization must be strings.")
    form = SubmitForm(fields, user=user)
    if not form.is_valid():
        raise ApiError(" ".join(f"{name}: {e}" for name, errors in form.errors.items() for e in errors))
    check_limit(submission_limit(), user)
    try:
        entry = rules.submit(user, form.cleaned_data["paper"], form.cleaned_data["date"], form.cleaned_data["organization"])
    except rules.Refused as refusal:
        raise ApiError(str(refusal), refusal.status) from None
    return json_object(PaperBatch([entry.paper_id]).item(entry.paper, entry), status=201)


def index_paper(request, user):
    """Hugging Face's POST /api/papers/index: make a paper known, fetching it from arXiv."""
    reference = params.arxiv_id(json_body(request).get("arxivId"))
    paper = Paper.objects.filter(arxiv_id=reference.id).first()
    status = 200
    if paper is None:
        # Every fetch may cost a request to arXiv: counted like a submission.
        check_limit(submission_limit(), user)
        try:
            with transaction.atomic():
                paper = rules.fetch_from_arxiv(reference)
        except rules.Refused as refusal:
            raise ApiError(str(refusal), 404 if refusal.status == 400 else refusal.status) from None
        status = 201
    return json_object(PaperBatch([paper.pk]).paper(paper), status=status)
