"""Collections in Hugging Face's shape, so huggingface_hub's collection calls work unchanged.

A collection's slug is "owner/slug" (Hugging Face's "namespace/…"), which is also its page
on the site (/collections/<owner>/<slug>). Items are papers only; their `_id` is the
CollectionItem's id as a 24-hex object id. paperfeed's own field names (name, public, papers…)
are answered next to Hugging Face's (title, private, items…); docs/features/api-collections.md maps them.

Who sees what is the site's rule: a public collection is anyone's to read, a private one
exists only for its owner (404 for anyone else); only the owner changes a collection (403 for
someone else's public one).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.http import urlencode

from paperfeed.api import params
from paperfeed.api.auth import token_user
from paperfeed.api.http import ApiError, json_body, json_list, json_object
from paperfeed.api.papers import paper_or_404
from paperfeed.api.serializers import iso, object_id, pk_of_object_id, user_json
from paperfeed.community.collections import saving
from paperfeed.community.collections.models import NOTE_LENGTH, Collection, CollectionItem
from paperfeed.papers.ids import parse_arxiv_id

TITLE_LENGTH = 100
DESCRIPTION_LENGTH = 2000
# Hugging Face shows a list's collections with their first four items only.
LISTED_ITEMS = 4
SORTS = ("lastModified", "trending", "upvotes")
# paperfeed has no collection themes; Hugging Face's field is answered with this constant.
THEME = "default"


def hf_slug(collection: Collection) -> str:
    return f"{collection.owner.get_username()}/{collection.slug}"


def item_json(item: CollectionItem) -> dict:
    data = {
        "_id": object_id(item.pk),
        "id": item.paper.arxiv_id,
        "type": "paper",
        "position": item.position,
        "title": item.paper.title,
        "publishedAt": iso(item.paper.published),
        "addedAt": iso(item.added_at),
    }
    if item.note:
        # Plain text as the owner wrote it, and as HTML (escaped, paragraphs) as Hugging Face gives both.
        data["note"] = {"text": item.note, "html": linebreaks(escape(item.note))}
    return data


def collection_json(request, collection: Collection, items: list[CollectionItem] | None = None,
                    position: bool = True) -> dict:
    """The collection as Hugging Face answers it, with paperfeed's own fields after.

    `items` defaults to all of them; `position` (its place in the owner's list) is left out of
    list answers, where huggingface_hub counts positions itself and a second one is an error."""
    if items is None:
        items = list(collection.items.select_related("paper").order_by("position", "id"))
    page = reverse("collection-detail", args=[collection.owner.get_username(), collection.slug])
    data = {
        "slug": hf_slug(collection),
        "title": collection.name,
        "description": collection.description,
        "owner": user_json(collection.owner),
        "items": [item_json(item) for item in items],
        "lastUpdated": iso(collection.updated_at),
        "private": not collection.public,
        "theme": THEME,
        "upvotes": 0,
        "isUpvotedByUser": False,
        "shareUrl": request.build_absolute_uri(page),
        # paperfeed's names, kept for the clients written against them.
        "name": collection.name,
        "public": collection.public,
        "createdAt": iso(collection.created_at),
        "updatedAt": iso(collection.updated_at),
        "url": page,
        "papers": [item.paper.arxiv_id for item in items],
    }
    if position:
        newer = Collection.objects.filter(owner_id=collection.owner_id)
        data["position"] = newer.filter(
            Q(updated_at__gt=collection.updated_at) | Q(updated_at=collection.updated_at, pk__gt=collection.pk)
        ).count()
    return data


def caller(request):
    """The account of a token or session, or None: reads of public collections need none."""
    user = token_user(request)
    if user is None and getattr(request, "user", None) is not None and request.user.is_authenticated:
        user = request.user
    return user


def _find(owner: str, slug: str) -> Collection | None:
    return Collection.objects.select_related("owner").filter(owner__username=owner, slug=slug).first()


def _visible(request, owner: str, slug: str) -> Collection:
    collection = _find(owner, slug)
    if collection is None or not (collection.public or _is_owner(caller(request), collection)):
        raise Http404("Collection not found.")
    return collection


def _is_owner(user, collection: Collection) -> bool:
    return user is not None and collection.owner_id == user.pk


def owned(user, owner: str, slug: str) -> Collection:
    collection = _find(owner, slug)
    if collection is None or not (collection.public or _is_owner(user, collection)):
        raise Http404("Collection not found.")
    if not _is_owner(user, collection):
        raise ApiError("Only the owner can change a collection.", 403)
    return collection


# -- reads ------------------------------------------------------------------------------------


def _item_filter(values: list[str]) -> Q | None:
    """HF's `item` filter ("papers/2311.12983", "models/…"): papers match by id; paperfeed holds
    no models, datasets or Spaces, so those match nothing (an empty list, not an error)."""
    papers = []
    for value in values:
        kind, _, ident = value.partition("/")
        if kind not in ("papers", "models", "datasets", "spaces", "collections", "buckets") or not ident:
            raise ApiError("item must look like papers/2410.18693 (or models/…, datasets/…, spaces/…).")
        if kind == "papers":
            parsed = parse_arxiv_id(ident)
            if parsed is None:
                raise ApiError("item papers/… must name an arXiv identifier such as papers/2410.18693.")
            papers.append(parsed.id)
    return Q(items__paper__arxiv_id__in=papers)


def list_collections(request):
    """Hugging Face's GET /api/collections: public collections (and the caller's own private
    ones), newest change first, in pages linked by the Link header."""
    owners = params.texts(request, "owner", 150)
    item_values = params.texts(request, "item", 200)
    params.choice(request, "sort", SORTS)  # no collection votes: every order is lastModified
    limit = params.limit(request, 50)
    page = params.integer(request, "p", 0, 0, params.MAX_PAGE)
    user = caller(request)

    collections = Collection.objects.filter(Q(public=True) | Q(owner_id=user.pk) if user else Q(public=True))
    if owners:
        collections = collections.filter(owner__username__in=owners)
    if item_values:
        collections = collections.filter(_item_filter(item_values)).distinct()
    collections = collections.select_related("owner").prefetch_related(
        Prefetch("items", queryset=CollectionItem.objects.select_related("paper").order_by("position", "id"))
    ).order_by("-updated_at", "-id")
    rows = list(collections[page * limit : (page + 1) * limit + 1])
    more, rows = len(rows) > limit, rows[:limit]
    answer = []
    for collection in rows:
        items = list(collection.items.all())
        data = collection_json(request, collection, items[:LISTED_ITEMS], position=False)
        data["papers"] = [item.paper.arxiv_id for item in items]  # paperfeed's field: all of them
        answer.append(data)
    response = json_list(answer)
    if more:
        query = [(key, value) for key, values in request.GET.lists() if key != "p" for value in values]
        query.append(("p", page + 1))
        response["Link"] = f'<{request.build_absolute_uri(reverse("api-collections"))}?{urlencode(query)}>; rel="next"'
    return response


def get_collection(request, owner: str, slug: str):
    return json_object(collection_json(request, _visible(request, owner, slug)))


# -- writes -----------------------------------------------------------------------------------


def _string(data: dict, name: str, longest: int, default: str | None = None) -> str | None:
    value = data.get(name, default)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > longest:
        raise ApiError(f"{name} must be a string of at most {longest} characters.")
    return value


def _flag(data: dict, name: str) -> bool | None:
    value = data.get(name)
    if value is not None and not isinstance(value, bool):
        raise ApiError(f"{name} must be true or false.")
    return value


def _title(data: dict, required: bool) -> str | None:
    """Hugging Face's `title` or paperfeed's `name` (the same field; both must agree if both come)."""
    title, name = _string(data, "title", TITLE_LENGTH), _string(data, "name", TITLE_LENGTH)
    if title is not None and name is not None and title.strip() != name.strip():
        raise ApiError("title and name are the same field: give one, or the same text in both.")
    chosen = title if title is not None else name
    if chosen is not None and not chosen.strip():
        raise ApiError("title must be a string of 1 to 100 characters.")
    if chosen is None and required:
        raise ApiError("title (or name) must be a string of 1 to 100 characters.")
    return chosen.strip() if chosen is not None else None


def _public(data: dict) -> bool | None:
    """Hugging Face's `private` or paperfeed's `public`: two names for one flag."""
    private, public = _flag(data, "private"), _flag(data, "public")
    if private is not None and public is not None and private == public:
        raise ApiError("private and public contradict each other.")
    return (not private) if private is not None else public


def create_collection(request, user):
    """POST /api/collections, as Hugging Face's (title, namespace, private) or paperfeed's
    (name, public) body. A second collection of the same title is a 409 naming the first's
    slug, which is what huggingface_hub's exists_ok=True reads."""
    data = json_body(request)
    title = _title(data, required=True)
    description = _string(data, "description", DESCRIPTION_LENGTH, "")
    public = _public(data)
    namespace = _string(data, "namespace", 150)
    if namespace is not None and namespace != user.get_username():
        raise ApiError("Collections belong to their owner's account: namespace must be your user name.", 403)
    for unsupported in ("resourceGroupId",):
        if data.get(unsupported) is not None:
            raise ApiError(f"{unsupported} is not supported by paperfeed.")
    existing = Collection.objects.select_related("owner").filter(owner=user, name__iexact=title).first()
    if existing is not None:
        return json_object(
            {"error": "You already have a collection of this title.", "slug": hf_slug(existing)}, status=409
        )
    try:
        collection = saving.create_collection(user, title, description, bool(public))
    except saving.LimitReached as exc:
        raise ApiError(str(exc), 409) from None
    return json_object(collection_json(request, collection), status=201)


def update_collection(request, user, owner: str, slug: str):
    """Hugging Face's PATCH /api/collections/{slug}: title, description, private. The slug stays
    (as on Hugging Face), so links keep working. Its answer is {"success", "data"}."""
    collection = owned(user, owner, slug)
    data = json_body(request)
    for unsupported in ("position", "theme"):
        if data.get(unsupported) is not None:
            raise ApiError(f"{unsupported} is not supported by paperfeed: collections have no theme or order.")
    title = _title(data, required=False)
    description = _string(data, "description", DESCRIPTION_LENGTH)
    public = _public(data)
    if title is not None:
        collection.name = title
    if description is not None:
        collection.description = description
    if public is not None:
        collection.public = public
    collection.save()
    return json_object({"success": True, "data": collection_json(request, collection)})


def delete_collection(request, user, owner: str, slug: str):
    collection = owned(user, owner, slug)
    name = hf_slug(collection)
    collection.delete()
    return json_object({"success": True, "deleted": name})


def _paper_item(data: dict):
    item = data.get("item")
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("type"), str):
        raise ApiError('item must be {"id": "2410.18693", "type": "paper"}.')
    if item["type"] != "paper":
        raise ApiError("paperfeed collections hold papers only: item.type must be \"paper\".")
    return paper_or_404(item["id"])


def add_item(request, user, owner: str, slug: str):
    """Hugging Face's POST /api/collections/{slug}/items: the paper goes last; 409 when it is
    in the collection already (huggingface_hub's exists_ok=True reads that)."""
    collection = owned(user, owner, slug)
    data = json_body(request)
    paper = _paper_item(data)
    note = _string(data, "note", NOTE_LENGTH, "")
    try:
        added = saving.add_paper(collection, paper, note=note)
    except saving.LimitReached as exc:
        raise ApiError(str(exc), 409) from None
    if not added:
        raise ApiError("This paper is in the collection already.", 409)
    collection.refresh_from_db()
    return json_object(collection_json(request, collection))


def _item(collection: Collection, item_object_id: str) -> CollectionItem:
    pk = pk_of_object_id(item_object_id)
    item = CollectionItem.objects.filter(collection=collection, pk=pk).first() if pk is not None else None
    if item is None:
        raise Http404("No such item in this collection.")
    return item


def update_item(request, user, owner: str, slug: str, item_id: str):
    """Hugging Face's PATCH …/items/{item_id}: a note (empty clears it) and/or a position."""
    collection = owned(user, owner, slug)
    item = _item(collection, item_id)
    data = json_body(request)
    note = _string(data, "note", NOTE_LENGTH)
    position = data.get("position")
    if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 0):
        raise ApiError("position must be an integer of 0 or more.")
    with transaction.atomic():
        if note is not None:
            saving.set_note(item, note)
        if position is not None:
            saving.move_item(item, position)
    collection.refresh_from_db()
    return json_object(collection_json(request, collection))


def delete_item(request, user, owner: str, slug: str, item_id: str):
    collection = owned(user, owner, slug)
    item = _item(collection, item_id)
    saving.remove_paper(collection, item.paper)
    collection.refresh_from_db()
    return json_object(collection_json(request, collection))
