from django.urls import path

from paperfeed.community.submissions import views

urlpatterns = [
    path("papers/submit", views.submit_paper, name="submit"),
]
