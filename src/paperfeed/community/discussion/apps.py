from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "paperfeed.community.discussion"
    label = "discussion"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from paperfeed.community.discussion import merging
        from paperfeed.papers.merge import register_merge_step

        # A merge of duplicate papers moves the comments (papers does not import this app).
        register_merge_step(merging.STEP)
