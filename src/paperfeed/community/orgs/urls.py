from django.urls import path

from paperfeed.community.orgs import views

urlpatterns = [
    path("organizations", views.organization_list, name="organizations"),
    path("organizations/<slug:slug>", views.organization_detail, name="organization"),
]
