"""URL scheme: Hugging Face's paths, so links and habits carry over (see PRODUCT.md)."""

from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.generic import RedirectView

from paperfeed.feeds import syndication
from paperfeed.feeds import views as feed_views
from paperfeed.ops.views import health, security_txt
from paperfeed.papers import views as paper_views
from paperfeed.papers.urlconverters import ArxivIdConverter
from paperfeed.search import views as search_views
from paperfeed.thumbnails import views as thumbnail_views

register_converter(ArxivIdConverter, "arxiv")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="feed-latest", permanent=False)),
    path("api/", include("paperfeed.api.urls")),
    path("papers", feed_views.latest_day, name="feed-latest"),
    path("papers/date/<str:day>", feed_views.day, name="feed-day"),
    path("papers/week/<str:week>", feed_views.week, name="feed-week"),
    path("papers/month/<str:month>", feed_views.month, name="feed-month"),
    path("papers/search", search_views.search_page, name="search"),
    # Community features, one app each; their paths are listed in docs/features/community.md.
    path("", include("paperfeed.community.accounts.urls")),
    path("", include("paperfeed.community.votes.urls")),
    path("", include("paperfeed.community.discussion.urls")),
    path("", include("paperfeed.community.collections.urls")),
    path("", include("paperfeed.community.orgs.urls")),
    path("", include("paperfeed.community.claims.urls")),
    path("", include("paperfeed.community.submissions.urls")),
    path("", include("paperfeed.personal.urls")),
    path("", include("paperfeed.digests.urls")),
    path("papers/<arxiv:arxiv_id>.md", paper_views.paper_markdown, name="paper-markdown"),
    path("papers/<arxiv:arxiv_id>", paper_views.paper_detail, name="paper-detail"),
    path("feeds/daily.<str:fmt>", syndication.daily_feed, name="feed-daily-syndication"),
    path("feeds/trending.<str:fmt>", syndication.trending_feed, name="feed-trending-syndication"),
    path("feeds/search.<str:fmt>", syndication.search_feed, name="feed-search-syndication"),
    path("feeds/category/<str:code>.<str:fmt>", syndication.category_feed, name="feed-category-syndication"),
    path("thumbnails/<path:name>.webp", thumbnail_views.thumbnail, name="thumbnail"),
    path("healthz", health, name="health"),
    path(".well-known/security.txt", security_txt, name="security-txt"),
    path("admin/", admin.site.urls),
]

# JSON under /api/, Django's pages elsewhere (api/errors.py).
handler400 = "paperfeed.api.errors.bad_request"
handler403 = "paperfeed.api.errors.permission_denied"
handler404 = "paperfeed.api.errors.page_not_found"
handler500 = "paperfeed.api.errors.server_error"
