"""Test data and a CSRF-enforcing client, shared by the orgs, claims and submissions tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from django.test import Client

from paperfeed.papers.models import Author, DailyEntry, Organization, Paper, PaperAuthor

# Ids of the new scheme in a month the bundled sample does not reach (the sample may be loaded).
_serial = itertools.count(1)


def fresh_arxiv_id() -> str:
    return f"2612.{99000 + next(_serial):05d}"


def make_paper(arxiv_id: str | None = None, *, title: str = "A paper", authors=(), age_days: float = 2, **extra) -> Paper:
    """A stored paper whose first version is `age_days` old, with its byline as Author rows."""
    published = extra.pop("published", datetime.now(UTC) - timedelta(days=age_days))
    paper = Paper.objects.create(
        arxiv_id=arxiv_id or fresh_arxiv_id(),
        title=title,
        abstract=extra.pop("abstract", "An abstract."),
        authors_text=", ".join(authors),
        num_authors=len(authors),
        published=published,
        updated=published,
        **extra,
    )
    for position, name in enumerate(authors):
        author, _ = Author.objects.get_or_create(name=name)
        PaperAuthor.objects.create(paper=paper, author=author, position=position)
    return paper


def make_org(slug: str, name: str | None = None, avatar_url: str = "") -> Organization:
    return Organization.objects.create(slug=slug, name=name or slug.title(), avatar_url=avatar_url)


def list_paper(paper: Paper, day, **extra) -> DailyEntry:
    return DailyEntry.objects.create(paper=paper, date=day, **extra)


def csrf_client(user=None) -> Client:
    """A client that enforces CSRF like a browser would see it, logged in as `user`."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def token(client: Client, page: str = "/papers/submit") -> str:
    """The CSRF token, as a form on `page` would carry it (GET sets the cookie)."""
    response = client.get(page)
    assert response.status_code == 200, response.status_code
    return client.cookies["csrftoken"].value
