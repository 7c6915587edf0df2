from django.apps import AppConfig


class PersonalConfig(AppConfig):
    name = "paperfeed.personal"
    label = "personal"
    verbose_name = "personal ranking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from paperfeed.personal import signals

        signals.connect()
