from django.contrib import admin

from paperfeed.thumbnails.models import ThumbnailFailure


@admin.register(ThumbnailFailure)
class ThumbnailFailureAdmin(admin.ModelAdmin):
    list_display = ("paper", "failures", "last_tried", "retry_at", "last_error")
    search_fields = ("paper__arxiv_id", "last_error")
    readonly_fields = ("paper", "failures", "last_error", "last_tried", "retry_at")
    ordering = ("-last_tried",)

    def has_add_permission(self, request):
        # Failures are recorded by `paperfeed thumbnails`; one made by hand would mean nothing.
        return False
