from __future__ import annotations

import pytest

from tests.digests.smtp_server import SmtpServer


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, and Django's mail settings pointing at it."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        yield server.handler
