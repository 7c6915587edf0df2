"""Collections: the owner's list, a collection's page, and "save" from any card.

Only the owner changes a collection. Someone else's private collection does not exist for
the viewer (404); someone else's public collection can be seen but not changed (403).
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from paperfeed.community.accounts.throttle import Limit
from paperfeed.community.collections import saving
from paperfeed.community.collections.forms import CollectionForm
from paperfeed.community.collections.models import Collection
from paperfeed.community.http import (
    SeeOther,
    back,
    is_htmx,
    login_required_response,
    safe_next,
    too_many,
)
from paperfeed.community.votes.views import paper_for
from paperfeed.papers.cards import latest_entries, prime_card_state

# Collection writes (create, edit, save, remove) per user and minute.
WRITE_LIMIT = Limit("collection", count=120, window=timedelta(minutes=1))


def _throttled(request) -> HttpResponse | None:
    if WRITE_LIMIT.allow(request.user.pk):
        return None
    return too_many(WRITE_LIMIT.retry_after(request.user.pk))


def _visible(request, username: str, slug: str) -> Collection:
    collection = get_object_or_404(Collection.objects.select_related("owner"), owner__username=username, slug=slug)
    if not collection.public and collection.owner_id != request.user.pk:
        raise Http404("No such collection.")
    return collection


def _owned(request, username: str, slug: str) -> Collection:
    collection = _visible(request, username, slug)
    if collection.owner_id != request.user.pk:
        raise PermissionDenied("Only the owner can change a collection.")
    return collection


def _detail_url(collection: Collection) -> str:
    return reverse("collection-detail", args=[collection.owner.username, collection.slug])


@require_http_methods(["GET", "POST"])
def collection_list(request):
    """The user's collections and a form to create one (POST creates)."""
    if not request.user.is_authenticated:
        return login_required_response(request, reverse("collections"))
    form = CollectionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if limited := _throttled(request):
            return limited
        if form.is_valid():
            try:
                collection = saving.create_collection(request.user, **form.cleaned_data)
            except saving.LimitReached as exc:
                form.add_error(None, str(exc))
            else:
                return SeeOther(_detail_url(collection))
        status = 400
    collections = request.user.paper_collections.annotate(item_count=Count("items")).order_by("-updated_at", "-pk")
    return render(
        request,
        "collections/list.html",
        {
            "collections": collections,
            "form": form,
            "max_collections": saving.MAX_COLLECTIONS,
        },
        status=status,
    )


@require_http_methods(["GET"])
def collection_detail(request, username: str, slug: str):
    collection = _visible(request, username, slug)
    return _render_detail(request, collection)


def _render_detail(
    request,
    collection: Collection,
    form: CollectionForm | None = None,
    status: int = 200,
):
    # The owner's order (new papers last; the API can move them), as on Hugging Face.
    items = collection.items.select_related("paper", "paper__primary_category").order_by("position", "id")
    page = Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("p"))
    paper_ids = [item.paper_id for item in page.object_list]
    prime_card_state(request, paper_ids)
    latest = latest_entries(paper_ids)
    is_owner = collection.owner_id == request.user.pk
    return render(
        request,
        "collections/detail.html",
        {
            "collection": collection,
            "is_owner": is_owner,
            "page": page,
            # An item's note (set through the API, as on Hugging Face) shows under its card.
            "cards": [(item.paper, latest.get(item.paper_id), item.note) for item in page.object_list],
            "form": form or (CollectionForm(instance=collection) if is_owner else None),
            "max_items": saving.MAX_ITEMS,
        },
        status=status,
    )


def _owner_post(view):
    """A POST that changes a collection: login, then ownership (404/403), then the write
    limit, before the view gets the collection."""

    @require_POST
    @wraps(view)
    def wrapper(request, username: str, slug: str):
        if not request.user.is_authenticated:
            return login_required_response(request, reverse("collections"))
        collection = _owned(request, username, slug)
        if limited := _throttled(request):
            return limited
        return view(request, collection)

    return wrapper


@_owner_post
def collection_edit(request, collection: Collection):
    """Rename, describe, make public or private. The slug stays: shared links keep working."""
    form = CollectionForm(request.POST, instance=collection)
    if not form.is_valid():
        collection.refresh_from_db()
        return _render_detail(request, collection, form, status=400)
    form.save()
    return SeeOther(_detail_url(collection))


@_owner_post
def collection_delete(request, collection: Collection):
    collection.delete()
    return SeeOther(reverse("collections"))


@_owner_post
def collection_remove_item(request, collection: Collection):
    """Take a paper out (field `paper`: its arXiv id). htmx gets an empty body: the card goes."""
    paper = paper_for(request.POST.get("paper", ""))
    saving.remove_paper(collection, paper)
    if is_htmx(request):
        return HttpResponse("")
    return back(request, _detail_url(collection))


@require_http_methods(["GET", "POST"])
def save_paper(request, arxiv_id: str):
    """GET: the chooser (a page without JS, a fragment for htmx). POST: `add` or `remove` with a
    collection id, or `new_name` to create a collection and save the paper in it."""
    paper = paper_for(arxiv_id)
    if not request.user.is_authenticated:
        return login_required_response(request, paper.get_absolute_url())
    error = ""
    status = 200
    if request.method == "POST":
        if limited := _throttled(request):
            return limited
        try:
            _apply_save(request, paper)
        except saving.LimitReached as exc:
            error, status = str(exc), 400
        except ValueError as exc:
            error, status = str(exc), 400
        if not error and not is_htmx(request):
            return back(request, paper.get_absolute_url())
    context = _chooser_context(request, paper, error)
    template = "collections/_save_panel.html" if is_htmx(request) else "collections/save.html"
    return render(request, template, context, status=status)


def _apply_save(request, paper) -> None:
    new_name = " ".join(request.POST.get("new_name", "").split())
    if "new_name" in request.POST:
        if not new_name:
            raise ValueError("Give the new collection a name.")
        if len(new_name) > 100:
            raise ValueError("A collection's name has at most 100 characters.")
        collection = saving.create_collection(request.user, new_name)
        saving.add_paper(collection, paper)
        return
    for field, change in (("add", saving.add_paper), ("remove", saving.remove_paper)):
        value = request.POST.get(field)
        if value is None:
            continue
        if not value.isdigit():
            raise Http404("No such collection.")
        # Only the user's own collections: anyone else's id is simply not found.
        change(get_object_or_404(Collection, pk=int(value), owner=request.user), paper)
        return
    raise ValueError("Choose a collection.")


def _chooser_context(request, paper, error: str = "") -> dict:
    collections = list(request.user.paper_collections.order_by("name", "pk"))
    holding = set(paper.collection_items.filter(collection__owner=request.user).values_list("collection_id", flat=True))
    for collection in collections:
        collection.has_paper = collection.pk in holding
    posted_next = request.POST.get("next") if request.method == "POST" else request.GET.get("next")
    return {
        "paper": paper,
        "collections": collections,
        "error": error,
        "next": safe_next(request, posted_next, paper.get_absolute_url()),
    }
