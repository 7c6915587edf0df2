from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "paperfeed.community.claims"
    label = "claims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from paperfeed.community.claims import merging
        from paperfeed.papers.merge import register_merge_step

        # A merge of duplicate papers moves the claims (papers does not import this app).
        register_merge_step(merging.STEP)
