from django import template

from paperfeed.thumbnails import files

register = template.Library()


@register.simple_tag
def thumbnail_url(paper) -> str:
    return files.url_for(paper)
