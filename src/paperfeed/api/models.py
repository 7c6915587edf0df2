"""Personal API tokens: the secret is shown once; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

# "pf_" marks a paperfeed token, so a client's stray Hugging Face token ("hf_…") can be told
# apart from a wrong paperfeed one; the next 8 characters are kept in clear to recognise it.
TOKEN_MARK = "pf_"
PREFIX_LENGTH = len(TOKEN_MARK) + 8


def hash_token(token: str) -> str:
    # A token is 256 random bits: a plain hash cannot be brute-forced, so no slow KDF is needed.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH)
    hashed_secret = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, user, name: str) -> tuple[ApiToken, str]:
        """A new token for the user; returns the row and the secret (never stored)."""
        secret = TOKEN_MARK + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name.strip()[:100] or "token", prefix=secret[:PREFIX_LENGTH], hashed_secret=hash_token(secret)
        )
        return token, secret

    def revoke(self) -> None:
        ApiToken.objects.filter(pk=self.pk, revoked_at=None).update(revoked_at=timezone.now())
