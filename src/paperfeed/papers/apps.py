from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "paperfeed.papers"
    verbose_name = "Papers"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from paperfeed.papers.models import DailyEntry, Paper
        from paperfeed.papers.signals import paper_activity_changed

        # Cached pages (core/page_cache.py) go stale on a vote, a comment, a submission or a
        # merge, and on a paper or listing saved one at a time (the admin, a submission); the
        # store and the batch commands announce their own writes.
        paper_activity_changed.connect(_pages_changed, dispatch_uid="papers.pages_changed")
        for model in (Paper, DailyEntry):
            post_save.connect(_pages_changed, sender=model, dispatch_uid=f"papers.pages_changed.save.{model.__name__}")
            post_delete.connect(_pages_changed, sender=model, dispatch_uid=f"papers.pages_changed.delete.{model.__name__}")


def _pages_changed(sender, **kwargs) -> None:
    from paperfeed.core.page_cache import pages_changed

    pages_changed()
