from django.urls import path

from paperfeed.community.votes import views
from paperfeed.feeds import views as feed_views

urlpatterns = [
    # Before the paper page's <arxiv:…> pattern in the root URLconf: "trending" is no arXiv id
    # today, but the order keeps it so whatever the converter learns to accept.
    path("papers/trending", feed_views.trending, name="trending"),
    path("papers/<arxiv:arxiv_id>/upvote", views.upvote, name="upvote"),
]
