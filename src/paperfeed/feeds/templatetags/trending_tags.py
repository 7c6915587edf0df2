""" "Why is this trending": the parts of a paper's stored score (templates/feeds/_trending_why.html)."""

from __future__ import annotations

from django import template
from django.conf import settings

from paperfeed.feeds.models import TrendingScore
from paperfeed.feeds.trending import describe_age, describe_score

register = template.Library()

# Pages whose cards explain their score without being asked: the trending list itself and the
# paper page (whenever the paper has a score).
_ALWAYS_ON = {"trending", "paper-detail"}


def _stored_score(paper) -> TrendingScore | None:
    try:
        return paper.trending  # cached when the view selected it with the paper
    except TrendingScore.DoesNotExist:
        return None


@register.inclusion_tag("feeds/_trending_why_line.html", takes_context=True)
def trending_why(context):
    paper = context.get("paper")
    request = getattr(context, "request", None)
    match = getattr(request, "resolver_match", None)
    wanted = context.get("show_trending_why") or (match is not None and match.url_name in _ALWAYS_ON)
    score = _stored_score(paper) if (paper is not None and wanted) else None
    if score is None:
        return {"score": None}
    return {
        "score": score,
        "upvotes": score.upvotes,
        "comments": score.comments,
        "age": describe_age(score.age_hours),
        "value": describe_score(score.score),
        "gravity": settings.PAPERFEED_TRENDING_GRAVITY,
        "comment_weight": settings.PAPERFEED_TRENDING_COMMENT_WEIGHT,
        "detail": match is not None and match.url_name == "paper-detail",
    }


@register.filter
def trending_number(value: float) -> str:
    """Gravity and weight as written in the formula: 1.5, 0.5, 2 (no trailing zeros)."""
    return f"{value:g}"
