from django import template

from paperfeed.api.models import ApiToken

register = template.Library()


@register.simple_tag
def api_tokens_of(user):
    """The user's tokens, active first, for the account settings page."""
    if not user.is_authenticated:
        return []
    return sorted(ApiToken.objects.filter(user=user), key=lambda t: (t.revoked_at is not None, -t.pk))
