from django.apps import AppConfig


class VotesConfig(AppConfig):
    name = "paperfeed.community.votes"
    label = "votes"
    default_auto_field = "django.db.models.BigAutoField"
