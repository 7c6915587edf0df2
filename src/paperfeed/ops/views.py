"""Operational endpoints: a health check for monitors and security.txt for researchers."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

# RFC 9116 wants Expires less than a year ahead, so that a stale file is noticed; the file is
# generated per request, so it never goes stale while the setting is kept.
SECURITY_TXT_LIFETIME = timedelta(days=180)


def health(request):
    """For load balancers and uptime checks: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok"})


def security_contact_uri(contact: str) -> str:
    """The Contact field's URI: a URL as given, an e-mail address as mailto:."""
    if contact.startswith(("https://", "http://", "mailto:", "tel:")):
        return contact
    return f"mailto:{contact}"


@require_GET
def security_txt(request):
    """/.well-known/security.txt: whom to tell about a vulnerability in this instance.

    Contact is the one required field, so without PAPERFEED_SECURITY_CONTACT (or
    PAPERFEED_CONTACT_EMAIL) the file does not exist rather than name nobody.
    """
    contact = settings.PAPERFEED_SECURITY_CONTACT
    if not contact:
        raise Http404("No security contact is configured.")
    expires = (timezone.now() + SECURITY_TXT_LIFETIME).replace(microsecond=0)
    lines = [
        f"Contact: {security_contact_uri(contact)}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en",
        f"Canonical: {settings.BASE_URL}/.well-known/security.txt",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
