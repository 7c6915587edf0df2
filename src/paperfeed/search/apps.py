from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "paperfeed.search"

    def ready(self) -> None:
        from paperfeed.papers.store import register_insert_hook
        from paperfeed.search.backends import fts_batch_insert

        # Bulk loads index their papers in one pass (see fts_batch_insert).
        register_insert_hook(fts_batch_insert)
