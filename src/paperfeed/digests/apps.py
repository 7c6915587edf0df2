from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "paperfeed.digests"
    label = "digests"
    default_auto_field = "django.db.models.BigAutoField"
