"""Template tags of the personal app: which authors on a page the reader follows."""

from __future__ import annotations

from django import template

from paperfeed.personal.models import FollowedAuthor

register = template.Library()


@register.simple_tag(takes_context=True)
def followed_among(context, names) -> list[str]:
    """The names (of this paper's byline) the reader follows, in byline order; one query."""
    user = context.get("user")
    names = list(names or [])
    if not (user and user.is_authenticated and names):
        return []
    followed = set(
        FollowedAuthor.objects.filter(user=user, author__name__in=names).values_list("author__name", flat=True)
    )
    return [name for name in names if name in followed]
