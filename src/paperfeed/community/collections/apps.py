from django.apps import AppConfig


class CollectionsConfig(AppConfig):
    name = "paperfeed.community.collections"
    label = "collections"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from paperfeed.community.collections import merging, saving
        from paperfeed.papers.cards import register_card_state
        from paperfeed.papers.merge import register_merge_step

        # Papers calls back into this app without importing it (docs/layers.md): cards load
        # whether the reader saved them, and a merge of duplicate papers moves the items.
        register_card_state(saving.prime)
        register_merge_step(merging.STEP)
