"""{% discussion_thread %}: the paper page's discussion, for the page's current user."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

from paperfeed.community.discussion.markdown import MAX_LENGTH
from paperfeed.community.discussion.thread import thread_context

register = template.Library()


@register.inclusion_tag("discussion/thread.html", takes_context=True)
def discussion_thread(context) -> dict:
    # inclusion_tag carries csrf_token over from the page's context by itself.
    return thread_context(context["request"], context["paper"])


@register.simple_tag
def comment_max_length() -> int:
    return MAX_LENGTH


@register.filter
def ago(moment) -> str:
    """ "5 minutes ago", "3 days ago": one unit is enough next to the exact <time datetime>."""
    if not moment:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, depth=1)} ago"
