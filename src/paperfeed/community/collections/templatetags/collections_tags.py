"""The "Save" control of cards and paper pages (templates/collections/_save.html), and the
public collections a paper is in, on its page."""

from __future__ import annotations

from django import template
from django.db.models import Count

from paperfeed.community.collections import saving
from paperfeed.community.collections.models import Collection, CollectionItem
from paperfeed.core.page_cache import csrf_token_for

register = template.Library()


@register.inclusion_tag("collections/_save_button.html", takes_context=True)
def save_button(context):
    """Uses the including template's `paper`; on a collection's page (`collection` and
    `is_owner` in the context) the owner also gets a "Remove" button."""
    request = getattr(context, "request", None)
    paper = context["paper"]
    user = getattr(request, "user", None)
    logged_in = bool(user and user.is_authenticated)
    collection = context.get("collection")
    return {
        "paper": paper,
        "logged_in": logged_in,
        "saved": saving.has_saved(request, paper.pk) if logged_in else False,
        "here": request.get_full_path() if request is not None else "",
        "csrf_token": csrf_token_for(request) if request is not None else "",
        "collection": collection if (collection is not None and context.get("is_owner")) else None,
        # On the paper page the control is a button among the page's actions, not a chip.
        "detail": getattr(getattr(request, "resolver_match", None), "url_name", None) == "paper-detail",
    }


# The paper page names this many of the public collections a paper is in, most recently
# updated first, and says how many there are in all.
SHOWN_COLLECTIONS = 5


@register.inclusion_tag("collections/_in_collections.html")
def public_collections_with(paper):
    """Public collections holding `paper`, of members who are not suspended (their profiles
    and collections are not shown either): what other readers gathered it with."""
    holding = CollectionItem.objects.filter(paper=paper).values("collection")
    collections = Collection.objects.filter(pk__in=holding, public=True, owner__is_active=True)
    shown = list(
        collections.select_related("owner").annotate(paper_count=Count("items")).order_by("-updated_at", "-pk")[
            :SHOWN_COLLECTIONS
        ]
    )
    total = len(shown) if len(shown) < SHOWN_COLLECTIONS else collections.count()
    return {"collections": shown, "total": total}
