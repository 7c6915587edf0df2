from django.apps import AppConfig


class ThumbnailsConfig(AppConfig):
    name = "paperfeed.thumbnails"
