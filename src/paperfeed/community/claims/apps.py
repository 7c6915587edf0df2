from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "paperfeed.community.claims"
    label = "claims"
    default_auto_field = "django.db.models.BigAutoField"
