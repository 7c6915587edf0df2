"""A reader manages their digest from the account: double opt-in, content, time zone, hour."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.test import Client

from paperfeed.digests.models import Subscription
from paperfeed.digests.sending import send_digests
from tests.community.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_reader_subscribes_confirms_and_chooses_content_and_time(sample_db, smtp, django_user_model):
    reader = django_user_model.objects.create_user("digester", "digester@example.org", PASSWORD)
    client = Client()
    client.force_login(reader)
    assert b"Subscribe" in client.get("/settings/digest").content
    assert Client().get("/settings/digest").status_code == 302  # log-in required

    client.post("/settings/digest", {"action": "subscribe", "period": "daily"})
    subscription = Subscription.objects.get(user=reader)
    assert subscription.status == "pending" and subscription.email == "digester@example.org"
    [mail] = smtp.to("digester@example.org")
    link = re.search(r"https?://[^/\s]+(/subscribe/confirm/\S+)", mail.message.get_body(("plain",)).get_content())
    client.post(link.group(1))

    response = client.post(
        "/settings/digest",
        {
            "period": "daily",
            "include_trending": "",
            "include_personal": "on",
            "timezone": "Europe/Berlin",
            "send_hour": "9",
        },
    )
    assert response.status_code == 200 and b"Saved." in response.content
    subscription.refresh_from_db()
    assert (subscription.status, subscription.timezone, subscription.send_hour, subscription.include_trending) == (
        "active",
        "Europe/Berlin",
        9,
        False,
    )
    # 2024-10-26 09:00 in Berlin (CEST, UTC+2) is 07:00 UTC; without trending and with no
    # personal signals there is nothing to send, which is recorded, not mailed.
    assert send_digests("daily", date(2024, 10, 25), now=datetime(2024, 10, 26, 6, 59, tzinfo=UTC)).due == 0
    report = send_digests("daily", date(2024, 10, 25), now=datetime(2024, 10, 26, 7, 0, tzinfo=UTC))
    assert (report.due, report.sent, report.empty) == (1, 0, 1)

    assert (
        client.post("/settings/digest", {"period": "daily", "timezone": "Mars/Olympus", "send_hour": "9"}).status_code
        == 400
    )
    client.post("/settings/digest", {"action": "unsubscribe"})
    assert Subscription.objects.get(user=reader).status == "unsubscribed"
