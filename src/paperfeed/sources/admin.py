from django.contrib import admin

from paperfeed.sources.models import IngestProblem


@admin.register(IngestProblem)
class IngestProblemAdmin(admin.ModelAdmin):
    list_display = ("created_at", "source", "location", "reason")
    list_filter = ("source",)
    search_fields = ("location", "reason")
    readonly_fields = ("source", "location", "reason", "raw", "created_at")
