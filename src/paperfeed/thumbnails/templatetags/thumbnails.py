from django import template

from paperfeed.thumbnails import files

register = template.Library()


@register.simple_tag
def thumbnail_url(paper) -> str:
    """The paper's thumbnail URL, or "" when it has none (read from the row: no disk access)."""
    if not getattr(paper, "thumbnail_at", None):
        return ""
    try:
        return files.url_path(paper.arxiv_id, paper.thumbnail_at)
    except ValueError:
        return ""
