from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "paperfeed.search"

    def ready(self) -> None:
        from paperfeed.papers.store import register_insert_hook

        # Bulk loads index their papers in as few statements as the database allows
        # (engines.base.Engine.batch_insert).
        register_insert_hook(index_inserted_papers)


def index_inserted_papers():
    """The store's insert hook: a context manager around each batch of new papers."""
    from paperfeed.search.engines import engine

    return engine().batch_insert()
