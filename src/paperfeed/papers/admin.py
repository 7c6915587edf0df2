from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.validators import URLValidator
from django.db.models import Count
from django.template.response import TemplateResponse

from paperfeed.papers.merge import merge_papers
from paperfeed.papers.models import Author, Category, DailyEntry, Organization, Paper, PaperCategory, PaperVersion


class PaperCategoryInline(admin.TabularInline):
    model = PaperCategory
    extra = 0
    raw_id_fields = ("category",)


class PaperVersionInline(admin.TabularInline):
    model = PaperVersion
    extra = 0


class WebURLField(forms.URLField):
    # Pages link these as buttons: only http(s), never javascript: or data: (nor ftp).
    default_validators = [URLValidator(schemes=["http", "https"])]


def _web_link(label: str) -> forms.URLField:
    return WebURLField(
        label=label, required=False, max_length=500, assume_scheme="https", help_text="An http(s) URL, or empty."
    )


class PaperForm(forms.ModelForm):
    github_repo = _web_link("Code (GitHub repository)")
    project_page = _web_link("Project page")
    license = forms.URLField(required=False, max_length=300, assume_scheme="https")

    class Meta:
        model = Paper
        fields = "__all__"


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    form = PaperForm
    list_display = ("arxiv_id", "title", "primary_category", "published", "latest_version", "upvotes",
                    "comment_count", "withdrawn")  # fmt: skip
    list_filter = ("withdrawn", "primary_category")
    search_fields = ("arxiv_id", "title", "authors_text")
    # The counters follow votes and comments; moderators change those, never the numbers.
    readonly_fields = ("created_at", "modified_at", "upvotes", "comment_count")
    raw_id_fields = ("primary_category",)
    inlines = [PaperCategoryInline, PaperVersionInline]
    actions = ["merge_duplicates"]
    fieldsets = (
        (None, {"fields": ("arxiv_id", "title", "abstract", "authors_text", "num_authors", "primary_category")}),
        ("Links", {"fields": ("github_repo", "project_page")}),
        ("arXiv metadata", {"classes": ("collapse",), "fields": (
            "published", "updated", "latest_version", "comments", "journal_ref", "doi", "report_no", "license",
            "submitter", "withdrawn")}),
        ("Community", {"fields": ("upvotes", "comment_count", "created_at", "modified_at")}),
    )  # fmt: skip

    @admin.action(description="Merge duplicates into…", permissions=["change", "delete"])
    def merge_duplicates(self, request, queryset):
        """Two papers selected → a page to choose the one to keep → merge_papers()."""
        papers = list(
            queryset.annotate(
                n_entries=Count("daily_entries", distinct=True),
                n_votes=Count("votes", distinct=True),
                n_comments=Count("discussion", distinct=True),
                n_collections=Count("collection_items", distinct=True),
            ).order_by("pk")
        )
        if len(papers) != 2:
            self.message_user(request, "Select exactly two papers to merge.", messages.ERROR)
            return None
        if request.POST.get("confirm") == "yes":
            keep = next((p for p in papers if str(p.pk) == request.POST.get("keep")), None)
            if keep is None:
                self.message_user(request, "Choose the paper to keep.", messages.ERROR)
            else:
                duplicate = papers[1] if keep is papers[0] else papers[0]
                report = merge_papers(keep, duplicate)
                self.log_change(request, keep, str(report))
                self.message_user(request, f"{report}.", messages.SUCCESS)
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge duplicate papers",
            "opts": self.model._meta,
            "papers": papers,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "merge_duplicates",
        }
        return TemplateResponse(request, "admin/papers/paper/merge_confirm.html", context)


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
