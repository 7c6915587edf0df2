"""/api/…: Hugging Face's paths first, then paperfeed's writes; openapi.py describes each."""

from django.urls import path, re_path

from paperfeed.api import collections, daily, mine, pages, papers, tokens, writes
from paperfeed.api.http import endpoint

urlpatterns = [
    path("daily_papers", endpoint(GET=daily.daily_papers), name="api-daily-papers"),
    path("papers", endpoint(GET=papers.paper_list), name="api-papers"),
    path("papers/search", endpoint(GET=papers.search), name="api-papers-search"),
    path("papers/index", endpoint(POST=writes.index_paper), name="api-papers-index"),
    path("papers/submit", endpoint(POST=writes.submit), name="api-papers-submit"),
    path(
        "papers/<arxiv:arxiv_id>/upvote",
        endpoint(POST=writes.upvote, DELETE=writes.remove_upvote),
        name="api-paper-upvote",
    ),
    path(
        "papers/<arxiv:arxiv_id>/comments",
        endpoint(GET=writes.comments, POST=writes.add_comment),
        name="api-paper-comments",
    ),
    path("papers/<arxiv:arxiv_id>", endpoint(GET=papers.paper_detail), name="api-paper"),
    # Collections as Hugging Face's API has them (api/collections.py), slugs being "owner/slug".
    path(
        "collections",
        endpoint(GET=collections.list_collections, POST=collections.create_collection),
        name="api-collections",
    ),
    # paperfeed's first route, by the bare slug of one's own collection. Its path has the shape
    # of "owner/slug" too (a collection named "papers"), so its other methods are that one's.
    path(
        "collections/<str:slug>/papers",
        endpoint(
            POST=mine.add_to_collection,
            GET=lambda request, slug: collections.get_collection(request, slug, "papers"),
            PATCH=lambda request, user, slug: collections.update_collection(request, user, slug, "papers"),
            DELETE=lambda request, user, slug: collections.delete_collection(request, user, slug, "papers"),
        ),
        name="api-collection-papers",
    ),
    path(
        "collections/<str:slug>/papers/<arxiv:arxiv_id>",
        endpoint(DELETE=mine.remove_from_collection),
        name="api-collection-paper",
    ),
    path(
        "collections/<str:owner>/<slug:slug>",
        endpoint(
            GET=collections.get_collection,
            PATCH=collections.update_collection,
            DELETE=collections.delete_collection,
        ),
        name="api-collection",
    ),
    path(
        "collections/<str:owner>/<slug:slug>/items",
        endpoint(POST=collections.add_item),
        name="api-collection-items",
    ),
    path(
        "collections/<str:owner>/<slug:slug>/items/<str:item_id>",
        endpoint(PATCH=collections.update_item, DELETE=collections.delete_item),
        name="api-collection-item",
    ),
    path(
        "subscription",
        endpoint(GET=mine.my_subscription, POST=mine.subscribe, DELETE=mine.unsubscribe),
        name="api-subscription",
    ),
    path("whoami-v2", endpoint(GET=mine.whoami), name="api-whoami"),
    path("export/me", endpoint(GET=pages.export_me), name="api-export-me"),
    path("openapi.json", endpoint(GET=pages.openapi_document), name="api-openapi"),
    path("docs", endpoint(GET=pages.docs), name="api-docs"),
    # The account settings page's forms (session + CSRF, HTML answers): not part of the API.
    path("tokens/new", tokens.create_token, name="api-token-create"),
    path("tokens/<int:token_id>/revoke", tokens.revoke_token, name="api-token-revoke"),
    # Anything else under /api/ answers a JSON 404, as Hugging Face's API does; [\s\S] so that
    # a path holding a newline (%0A) is matched too, which "." would not.
    re_path(r"^[\s\S]*$", pages.not_found, name="api-not-found"),
]
