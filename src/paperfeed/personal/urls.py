from django.urls import path

from paperfeed.personal import views

urlpatterns = [
    path("for-you", views.for_you, name="for-you"),
    path("papers/<arxiv:arxiv_id>/not-interested", views.not_interested, name="not-interested"),
    path("settings/personal", views.personal_settings, name="personal-settings"),
    path("settings/personal/<str:what>", views.personal_update, name="personal-update"),
    path("feeds/personal/<str:token>.<str:fmt>", views.personal_feed, name="personal-feed"),
]
