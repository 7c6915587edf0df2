from django.urls import path

from paperfeed.digests import views

urlpatterns = [
    path("subscribe", views.subscribe_page, name="subscribe"),
    path("settings/digest", views.digest_settings, name="digest-settings"),
    path("subscribe/confirm/<str:token>", views.confirm_page, name="subscribe-confirm"),
    path("unsubscribe/<str:token>", views.unsubscribe_page, name="unsubscribe"),
    path("digests/<str:kind>/<str:slug>", views.digest_web, name="digest-web"),
]
