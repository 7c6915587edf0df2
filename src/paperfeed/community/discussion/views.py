"""Posting, editing and deleting comments. POST only for changes; htmx gets the thread back.

Without JavaScript every change answers 303 back to the paper page at the comment's anchor;
with htmx (HX-Request) it answers with the re-rendered thread, which the page swaps in.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods, require_POST

from paperfeed.community.discussion import services
from paperfeed.community.discussion.forms import CommentForm
from paperfeed.community.discussion.models import Comment
from paperfeed.community.discussion.thread import FormState, thread_context
from paperfeed.community.http import SeeOther, is_htmx
from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.models import Paper


def _back_to(paper: Paper, anchor: str) -> SeeOther:
    return SeeOther(f"{paper.get_absolute_url()}#{anchor}")


def _thread_response(request, paper: Paper, status: int = 200, **extra) -> HttpResponse:
    paper.refresh_from_db(fields=["comment_count"])
    html = render_to_string("discussion/_thread_body.html", thread_context(request, paper, **extra), request=request)
    return HttpResponse(html, status=status)


def _login_first(request, paper: Paper) -> HttpResponse:
    """A visitor whose session ended: to the login page, and back to the paper afterwards."""
    back = f"{paper.get_absolute_url()}#discussion"
    response = redirect_to_login(back)
    if is_htmx(request):
        # htmx would swap the login page into the thread; make it navigate instead.
        return HttpResponse(status=401, headers={"HX-Redirect": response["Location"]})
    response.status_code = 303
    return response


def _refused(request, paper: Paper, state: FormState, status: int, comment: Comment | None = None, **headers):
    """A post that could not be saved: the form again, with the text and the reason."""
    if is_htmx(request):
        response = _thread_response(request, paper, status=status, form_state=state)
    else:
        context = {"paper": paper, "form_state": state, "comment": comment}
        response = render(request, "discussion/comment_form.html", context, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


@require_POST
def comment_create(request, arxiv_id: str):
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        raise Http404("Not an arXiv identifier.")
    paper = get_object_or_404(Paper, arxiv_id=parsed.id)
    if not request.user.is_authenticated:
        return _login_first(request, paper)

    form = CommentForm(request.POST)
    raw_parent = request.POST.get("parent") or None
    state = FormState(parent_id=_int_or_none(raw_parent), body=request.POST.get("body", ""))
    if not form.is_valid():
        state.errors = [e for errors in form.errors.values() for e in errors]
        return _refused(request, paper, state, 400)
    parent = None
    if form.cleaned_data["parent"]:
        parent = Comment.objects.filter(pk=form.cleaned_data["parent"], paper=paper).first()
        if parent is None or not parent.visible:
            state.errors = ["The comment you replied to is no longer there."]
            return _refused(request, paper, state, 400)

    limit = services.comment_limit()
    if not limit.allow(request.user.pk):
        wait = limit.retry_after(request.user.pk)
        state.errors = [
            f"You have posted {limit.count} comments in the last hour, the most allowed. "
            f"Please try again in {_minutes(wait)}."
        ]
        return _refused(request, paper, state, 429, **{"Retry-After": str(wait)})

    comment = services.create_comment(paper, request.user, form.cleaned_data["body"], parent)
    if is_htmx(request):
        return _thread_response(request, paper)
    return _back_to(paper, f"comment-{comment.pk}")


def _own_comment(request, comment_id: int, allow_staff: bool) -> tuple[Comment | None, HttpResponse | None]:
    comment = get_object_or_404(Comment.objects.select_related("paper"), pk=comment_id, deleted=False)
    if not request.user.is_authenticated:
        return None, _login_first(request, comment.paper)
    if comment.author_id != request.user.pk and not (allow_staff and request.user.is_staff):
        return None, HttpResponseForbidden("This is not your comment.")
    return comment, None


@require_http_methods(["GET", "POST"])
def comment_edit(request, comment_id: int):
    comment, refusal = _own_comment(request, comment_id, allow_staff=False)
    if refusal:
        return refusal
    paper = comment.paper
    if comment.hidden:
        return HttpResponseForbidden("A moderator has hidden this comment; it can no longer be edited.")
    if request.method == "GET":
        state = FormState(body=comment.body, editing_id=comment.pk)
        return render(request, "discussion/comment_form.html", {"paper": paper, "form_state": state, "comment": comment})

    form = CommentForm(request.POST)
    state = FormState(body=request.POST.get("body", ""), editing_id=comment.pk)
    if not form.is_valid():
        state.errors = [e for errors in form.errors.values() for e in errors]
        return _refused(request, paper, state, 400, comment=comment)
    services.edit_comment(comment, form.cleaned_data["body"])
    if is_htmx(request):
        return _thread_response(request, paper)
    return _back_to(paper, f"comment-{comment.pk}")


@require_POST
def comment_delete(request, comment_id: int):
    comment, refusal = _own_comment(request, comment_id, allow_staff=True)
    if refusal:
        return refusal
    paper = comment.paper
    services.delete_comment(comment)
    if is_htmx(request):
        return _thread_response(request, paper)
    return _back_to(paper, "discussion")


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
