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
        # A paper's page names the public collections holding it (cached for anonymous readers).
        from django.db.models.signals import post_delete, post_save

        from paperfeed.community.collections.models import Collection, CollectionItem

        for model in (Collection, CollectionItem):
            post_save.connect(_public_collections_changed, sender=model, dispatch_uid=f"collections.pages.save.{model.__name__}")
            post_delete.connect(_public_collections_changed, sender=model, dispatch_uid=f"collections.pages.delete.{model.__name__}")


def _public_collections_changed(sender, instance, **kwargs) -> None:
    """New page generation when what a paper page shows of public collections may have changed:
    a public collection or its items, or a collection saved whole (it may have turned private).
    Private collections' saves change no page anyone else sees."""
    from paperfeed.community.collections.models import Collection
    from paperfeed.core.page_cache import pages_changed

    if sender is Collection:
        # An existing collection saved whole: its form may have made it private.
        edited = kwargs.get("created") is False and kwargs.get("update_fields") is None
        changed = instance.public or edited
    else:  # an item: its collection may be gone already (deleted with it)
        changed = Collection.objects.filter(pk=instance.collection_id, public=True).exists()
    if changed:
        pages_changed()
