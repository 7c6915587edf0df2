"""/.well-known/security.txt (RFC 9116): whom to tell about a vulnerability in this instance."""

from datetime import datetime, timedelta, timezone

import pytest


def fields(text: str) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in text.splitlines() if line)


@pytest.mark.django_db
def test_names_the_configured_contact_with_a_future_expiry(client, settings):
    settings.PAPERFEED_SECURITY_CONTACT = "security@example.org"
    settings.BASE_URL = "https://papers.example.org"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    found = fields(response.content.decode())
    assert found["Contact"] == "mailto:security@example.org"
    assert found["Canonical"] == "https://papers.example.org/.well-known/security.txt"
    expires = datetime.strptime(found["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    # RFC 9116: in the future, and less than a year ahead.
    assert datetime.now(timezone.utc) < expires < datetime.now(timezone.utc) + timedelta(days=365)


@pytest.mark.django_db
def test_a_url_contact_is_given_as_is(client, settings):
    settings.PAPERFEED_SECURITY_CONTACT = "https://example.org/report-a-vulnerability"
    found = fields(client.get("/.well-known/security.txt").content.decode())
    assert found["Contact"] == "https://example.org/report-a-vulnerability"


@pytest.mark.django_db
def test_absent_without_a_contact(client, settings):
    # Contact is required: a file naming nobody would mislead.
    settings.PAPERFEED_SECURITY_CONTACT = ""
    assert client.get("/.well-known/security.txt").status_code == 404
