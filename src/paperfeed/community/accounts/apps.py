from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "paperfeed.community.accounts"
    label = "accounts"
    verbose_name = "accounts and throttling"
    default_auto_field = "django.db.models.BigAutoField"
