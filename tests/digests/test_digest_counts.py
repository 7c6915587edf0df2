"""Digest e-mails (through the real SMTP server) give each paper the count its pages show:
picks, followed authors' papers and trending alike, never 0 for a paper the source counted."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from paperfeed.digests.models import Subscription
from paperfeed.digests.sending import send_digests
from paperfeed.papers.models import Paper
from paperfeed.personal.models import FollowedAuthor, PickState, Recommendation

pytestmark = pytest.mark.django_db

DAY = date(2024, 10, 25)  # the bundled sample's Hugging Face list


def test_every_section_shows_the_one_count(sample_db, smtp, django_user_model):
    reader = django_user_model.objects.create_user("reader", "reader@example.org")
    picked = Paper.objects.get(arxiv_id="2410.17243")  # 64 on Hugging Face
    followed = Paper.objects.get(arxiv_id="2410.18693")  # 3 on the 24th's list, 35 on the 25th's
    FollowedAuthor.objects.create(user=reader, author=followed.authorships.first().author)
    Recommendation.objects.create(user=reader, paper=picked, score=9.0)
    # Picks as a nightly `paperfeed recommend` leaves them: current, so the send keeps them
    # (a refresh would pick the followed author's paper too, and the digest shows a paper once).
    PickState.objects.create(user=reader, version=1, computed_version=1)
    Subscription.objects.create(email="reader@example.org", user=reader, status="active", include_trending=False)

    report = send_digests("daily", DAY, now=datetime(2024, 10, 27, 12, tzinfo=UTC))

    assert report.sent == 1
    (received,) = smtp.to("reader@example.org")
    parts = {p.get_content_type(): p.get_content() for p in received.message.walk() if not p.is_multipart()}
    text = parts["text/plain"]
    assert "Picked for you" in text and "From authors you follow" in text
    for paper, count in ((picked, 64), (followed, 35)):
        after = text[text.index(paper.title[:40]) :]
        assert f"{count} upvotes" in after.split("\n\n")[0], paper.arxiv_id
        html_after = parts["text/html"][parts["text/html"].index(f"/papers/{paper.arxiv_id}") :]
        assert f"{count} upvotes" in html_after[:2000], paper.arxiv_id
