from django.urls import path

from paperfeed.community.accounts import profile, reset, views

urlpatterns = [
    path("signup", views.signup, name="signup"),
    path("login", views.Login.as_view(), name="login"),
    path("logout", views.logout_view, name="logout"),
    path("password-reset", reset.ResetRequest.as_view(), name="password_reset"),
    path("password-reset/sent", reset.ResetDone.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>", reset.ResetConfirm.as_view(), name="password_reset_confirm"),
    path("password-reset/done", reset.ResetComplete.as_view(), name="password_reset_complete"),
    path("users/<str:username>", profile.profile, name="profile"),
    path("settings/account", profile.account_settings, name="account-settings"),
]
