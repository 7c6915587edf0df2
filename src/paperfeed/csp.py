"""The Content-Security-Policy header of every HTML page.

Pages load scripts, styles and fonts from the site only, and hold no inline script, no
inline event handler and no style attribute: so even markup that slipped past escaping could
run nothing. KaTeX sets its inline styles through the CSSOM (element.style), which CSP
allows; htmx is told not to add its indicator <style> (base.html's htmx-config).

Organization logos are hot-linked (orgs/_avatar.html): Hugging Face serves them from
cdn-avatars.huggingface.co, which is allowed. PAPERFEED_CSP_EXTRA adds sources for anything
else an operator links (docs/configuration.md).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:", "https://cdn-avatars.huggingface.co"),
    "font-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}

# A source as CSP writes it: a scheme ("https:"), a host with optional scheme, wildcard, port
# and path, or a quoted keyword/hash. Nothing that could end a directive (";" or ",").
_SOURCE = re.compile(r"^(?:'[A-Za-z0-9+/=_-]+'|[A-Za-z][A-Za-z0-9+.-]*:|(?:[A-Za-z][A-Za-z0-9+.-]*://)?[A-Za-z0-9*.%:/_~!$&()+=@-]+)$")


def build_policy(extra: str = "") -> str:
    """The header value: BASE_POLICY plus the sources of `extra` ("img-src https://a; font-src https://b")."""
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    for part in extra.split(";"):
        words = part.split()
        if not words:
            continue
        name, sources = words[0].lower(), words[1:]
        if name not in policy:
            raise ImproperlyConfigured(
                f"PAPERFEED_CSP_EXTRA: {name!r} is not a directive of the policy ({', '.join(policy)})"
            )
        if not sources:
            raise ImproperlyConfigured(f"PAPERFEED_CSP_EXTRA: {name} names no source")
        for source in sources:
            if "," in source or not _SOURCE.match(source):
                raise ImproperlyConfigured(f"PAPERFEED_CSP_EXTRA: {source!r} is not a CSP source")
        if policy[name] == ["'none'"]:
            policy[name] = []
        policy[name] += [s for s in sources if s not in policy[name]]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Adds the policy to HTML responses that do not set one of their own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PAPERFEED_CSP

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" in response:
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        # Django's own debug pages (PAPERFEED_DEBUG only) are styled and scripted inline.
        if settings.DEBUG and response.status_code >= 400:
            return response
        response["Content-Security-Policy"] = self.policy
        return response
