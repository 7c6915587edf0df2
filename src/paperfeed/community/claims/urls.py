from django.urls import path

from paperfeed.community.claims import views

urlpatterns = [
    path("papers/<arxiv:arxiv_id>/claim", views.claim_paper, name="claim-paper"),
]
