from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "paperfeed.search"

    def ready(self) -> None:
        from paperfeed.papers.store import register_bulk_write_hook, register_insert_hook

        # Bulk loads index their papers in as few statements as the database allows
        # (engines.base.Engine.batch_insert), and big loads prepare the connection for
        # touching every index (engines.base.Engine.prepare_bulk_writes).
        register_insert_hook(index_inserted_papers)
        register_bulk_write_hook(prepare_bulk_writes)


def index_inserted_papers():
    """The store's insert hook: a context manager around each batch of new papers."""
    from paperfeed.search.engines import engine

    return engine().batch_insert()


def prepare_bulk_writes() -> None:
    from paperfeed.search.engines import engine

    engine().prepare_bulk_writes()
