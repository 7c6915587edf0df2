from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "paperfeed.community.discussion"
    label = "discussion"
    default_auto_field = "django.db.models.BigAutoField"
