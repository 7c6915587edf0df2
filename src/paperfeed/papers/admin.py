from django.contrib import admin

from paperfeed.papers.models import Author, Category, DailyEntry, Organization, Paper, PaperCategory, PaperVersion


class PaperCategoryInline(admin.TabularInline):
    model = PaperCategory
    extra = 0
    raw_id_fields = ("category",)


class PaperVersionInline(admin.TabularInline):
    model = PaperVersion
    extra = 0


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ("arxiv_id", "title", "primary_category", "published", "latest_version", "withdrawn")
    list_filter = ("withdrawn", "primary_category")
    search_fields = ("arxiv_id", "title", "authors_text")
    readonly_fields = ("created_at", "modified_at")
    raw_id_fields = ("primary_category",)
    inlines = [PaperCategoryInline, PaperVersionInline]


@admin.register(DailyEntry)
class DailyEntryAdmin(admin.ModelAdmin):
    list_display = ("date", "paper", "upvotes", "submitted_by", "organization")
    list_filter = ("date",)
    search_fields = ("paper__arxiv_id", "paper__title", "submitted_by")
    raw_id_fields = ("paper", "organization")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")


admin.site.register(Category)
admin.site.register(Author, search_fields=("name",))
