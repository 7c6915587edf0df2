"""/api/…: Hugging Face's paths first, then paperfeed's writes; openapi.py describes each."""

from django.urls import path, re_path

from paperfeed.api import daily, mine, pages, papers, tokens, writes
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
    path(
        "collections", endpoint(GET=mine.my_collections, POST=mine.create_collection), name="api-collections"
    ),
    path("collections/<str:slug>/papers", endpoint(POST=mine.add_to_collection), name="api-collection-papers"),
    path(
        "collections/<str:slug>/papers/<arxiv:arxiv_id>",
        endpoint(DELETE=mine.remove_from_collection),
        name="api-collection-paper",
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
    # Anything else under /api/ answers a JSON 404, as Hugging Face's API does.
    re_path(r"^.*$", pages.not_found, name="api-not-found"),
]
