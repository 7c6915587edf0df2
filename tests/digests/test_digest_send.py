"""Digests through a real SMTP server on loopback: contents, headers, opt-in, opt-out, bounces."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client

from paperfeed.digests.compose import message_id
from paperfeed.digests.models import Delivery, Subscription
from paperfeed.digests.sending import send_digests, write_dry_run
from paperfeed.digests.subscriptions import subscribe
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.sources.models import AnnouncementDay

pytestmark = pytest.mark.django_db

DAY = date(2024, 10, 25)  # the bundled sample's Hugging Face list
AFTER = datetime(2024, 10, 27, 12, tzinfo=UTC)


def _active(email: str, **extra) -> Subscription:
    subscribe(email, "daily", confirmed=True)
    subscription = Subscription.objects.get(email=email)
    if extra:
        Subscription.objects.filter(pk=subscription.pk).update(**extra)
        subscription.refresh_from_db()
    return subscription


def _parts(message) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


def test_each_subscriber_gets_one_digest_with_both_parts_and_unsubscribe_headers(sample_db, smtp):
    ada = _active("ada@example.org")
    _active("bob@example.org")
    top = DailyEntry.objects.filter(date=DAY).select_related("paper").order_by("-upvotes", "paper__arxiv_id").first()

    report = send_digests("daily", DAY, now=AFTER)

    assert (report.due, report.sent, report.ok) == (2, 2, True)
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["ada@example.org", "bob@example.org"]
    message = smtp.to("ada@example.org")[0].message
    assert message["Subject"] == "Daily papers · Friday, October 25, 2024"
    assert message["Message-ID"] == message_id(ada.pk, "daily:2024-10-25")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://127.0.0.1:8000/unsubscribe/[^>\s]+>", message["List-Unsubscribe"].strip())
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    assert top.paper.title in parts["text/plain"]
    assert f"http://127.0.0.1:8000/papers/{top.paper.arxiv_id}" in parts["text/plain"]
    assert f'href="http://127.0.0.1:8000/papers/{top.paper.arxiv_id}"' in parts["text/html"]

    again = send_digests("daily", DAY, now=AFTER)
    assert (again.sent, again.already_done) == (0, 2)
    assert len(smtp.received) == 2


def test_titles_are_escaped_in_html_and_plain_in_text(sample_db, smtp):
    day = date(2030, 1, 2)
    paper = Paper.objects.create(arxiv_id="3001.00001", title='<script>alert("x")</script> & <b onmouseover=1>')
    DailyEntry.objects.create(date=day, paper=paper, upvotes=3)
    _active("eve@example.org")

    send_digests("daily", day, now=datetime(2030, 1, 4, tzinfo=UTC))

    parts = _parts(smtp.to("eve@example.org")[0].message)
    assert "<script>" not in parts["text/html"] and "<b onmouseover" not in parts["text/html"]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b onmouseover=1&gt;" in parts["text/html"]
    assert '<script>alert("x")</script> & <b onmouseover=1>' in parts["text/plain"]


def test_one_click_unsubscribe_without_login_stops_the_next_digest(sample_db, smtp):
    _active("ada@example.org")
    send_digests("daily", DAY, now=AFTER)
    header = smtp.to("ada@example.org")[0].message["List-Unsubscribe"]
    path = urlsplit(header.strip().strip("<>")).path
    client = Client(enforce_csrf_checks=True)  # mail clients post without cookies or CSRF tokens

    assert client.get(path).status_code == 200  # a GET (link scanners) changes nothing
    assert Subscription.objects.get(email="ada@example.org").status == "active"
    response = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    subscription = Subscription.objects.get(email="ada@example.org")
    assert (subscription.status, subscription.end_reason) == ("unsubscribed", "one-click unsubscribe")
    report = send_digests("daily", DAY + timedelta(days=1), now=AFTER + timedelta(days=1))
    assert report.due == 0 and len(smtp.received) == 1
    assert client.post(path[:-3] + "xyz").status_code == 404  # a forged token


def test_double_opt_in_through_the_web(sample_db, smtp):
    client = Client(enforce_csrf_checks=False)
    response = client.post(
        "/subscribe", {"email": "new@example.org", "period": "daily", "notify_no_announcement": "on"}
    )
    assert response.status_code == 200 and b"Check your inbox" in response.content
    pending = Subscription.objects.get(email="new@example.org")
    assert (pending.status, pending.notify_no_announcement) == ("pending", True)
    [mail] = smtp.to("new@example.org")
    link = re.search(r"http://127.0.0.1:8000(/subscribe/confirm/\S+)", _parts(mail.message)["text/plain"]).group(1)

    assert send_digests("daily", DAY, now=AFTER).due == 0  # not before confirming
    client.get(link)
    assert Subscription.objects.get(email="new@example.org").status == "pending"  # GET only shows a button
    assert client.post(link).status_code == 200
    assert Subscription.objects.get(email="new@example.org").status == "active"
    assert send_digests("daily", DAY, now=AFTER).sent == 1
    assert len(smtp.to("new@example.org")) == 2  # the confirmation, then the digest


def test_hard_bounce_is_recorded_and_stops_further_sends(sample_db, smtp):
    _active("gone@example.org")
    _active("ok@example.org")
    smtp.refuse.add("gone@example.org")

    report = send_digests("daily", DAY, now=AFTER)

    assert report.sent == 1 and len(report.rejected) == 1 and "550" in report.rejected[0]
    gone = Subscription.objects.get(email="gone@example.org")
    assert gone.status == "bounced" and "No such user" in gone.end_reason
    assert Delivery.objects.get(subscription=gone).state == "rejected"
    send_digests("daily", DAY, now=AFTER)  # a re-run of the same period
    send_digests("daily", date(2025, 12, 1), now=datetime(2025, 12, 3, tzinfo=UTC))  # a later period
    assert smtp.rcpts.count("gone@example.org") == 1
    assert smtp.rcpts.count("ok@example.org") == 2
    assert subscribe("gone@example.org", "daily").startswith("address bounced")


def test_a_day_without_announcement_sends_a_notice_only_to_those_who_asked(sample_db, smtp):
    quiet = date(2031, 3, 1)
    AnnouncementDay.objects.create(date=quiet, feed="cs.LG", announced=False)
    _active("notice@example.org", notify_no_announcement=True)
    silent = _active("silent@example.org")

    report = send_digests("daily", quiet, now=datetime(2031, 3, 3, tzinfo=UTC))

    assert (report.sent, report.empty) == (1, 1)
    message = smtp.to("notice@example.org")[0].message
    assert message["Subject"] == "No new papers · Saturday, March 1, 2031"
    assert "arXiv made no announcement" in _parts(message)["text/plain"]
    assert Delivery.objects.get(subscription=silent).state == "empty"
    assert smtp.to("silent@example.org") == []


def test_smtp_down_fails_then_a_later_run_delivers_once(sample_db, smtp, settings):
    _active("ada@example.org")
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    failed = send_digests("daily", DAY, now=AFTER)
    assert failed.sent == 0 and failed.failed and not failed.ok
    row = Delivery.objects.get()
    assert row.state == "failed" and row.next_attempt_at > AFTER - timedelta(days=1)

    settings.EMAIL_PORT = real_port
    too_soon = send_digests("daily", DAY, now=row.next_attempt_at - timedelta(seconds=1))
    assert too_soon.sent == 0
    later = send_digests("daily", DAY, now=row.next_attempt_at + timedelta(seconds=1))
    assert later.sent == 1 and len(smtp.received) == 1


def test_send_hour_and_time_zone_decide_when_a_digest_is_due(sample_db, smtp):
    _active("la@example.org", timezone="America/Los_Angeles", send_hour=7)
    # Oct 26, 07:00 in Los Angeles (PDT, UTC-7) is 14:00 UTC.
    assert send_digests("daily", DAY, now=datetime(2024, 10, 26, 13, 59, tzinfo=UTC)).due == 0
    assert send_digests("daily", DAY, now=datetime(2024, 10, 26, 14, 0, tzinfo=UTC)).sent == 1


def test_dry_run_writes_eml_files_and_records_nothing(sample_db, tmp_path):
    _active("ada@example.org")
    written = write_dry_run("daily", DAY, tmp_path / "out", now=AFTER)
    assert [p.name for p in written] == [f"{Subscription.objects.get().pk}-daily-2024-10-25.eml"]
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in written[0].read_bytes()
    assert not Delivery.objects.exists()


def test_web_view_shows_the_days_digest(sample_db, client):
    top = DailyEntry.objects.filter(date=DAY).select_related("paper").order_by("-upvotes", "paper__arxiv_id").first()
    response = client.get("/digests/daily/2024-10-25")
    assert response.status_code == 200
    assert top.paper.get_absolute_url().encode() in response.content
    assert client.get("/digests/daily/nonsense").status_code == 404
