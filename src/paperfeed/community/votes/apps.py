from django.apps import AppConfig


class VotesConfig(AppConfig):
    name = "paperfeed.community.votes"
    label = "votes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from paperfeed.community.votes import merging, services
        from paperfeed.papers.cards import register_card_state
        from paperfeed.papers.merge import register_merge_step

        # Papers calls back into this app without importing it (docs/layers.md): cards load
        # whether the reader voted, and a merge of duplicate papers moves the votes.
        register_card_state(services.prime)
        register_merge_step(merging.STEP)
