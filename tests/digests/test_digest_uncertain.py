"""A delivery its sender left mid-hand-off (`sending`) is sent again only when that sender is
known dead: its process is gone (a pid now held by another process counts as gone) or its
lease is over. The sender is a real process (`sleep`), alive or killed; the mail goes to a
real SMTP server on loopback; the run is in-process, on the suite's database (both runs)."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from paperfeed.digests.compose import message_id
from paperfeed.digests.models import Delivery, Subscription
from paperfeed.digests.sending import LEASE, MAX_ATTEMPTS, resolve, send_digests
from paperfeed.digests.subscriptions import subscribe
from paperfeed.sources.processes import start_token, this_host

pytestmark = pytest.mark.django_db

DAY = date(2024, 10, 25)  # the bundled sample's Hugging Face list
AFTER = datetime(2024, 10, 27, 12, tzinfo=UTC)
PERIOD = "daily:2024-10-25"


@pytest.fixture
def live_sender():
    """A process of this machine that is still running, as `claimed_by` names it."""
    process = subprocess.Popen(["sleep", "60"])
    try:
        yield f"{this_host()}:{process.pid}:{start_token(process.pid)}"
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def dead_sender():
    """A process of this machine that was killed (and reaped), as `claimed_by` names it."""
    process = subprocess.Popen(["sleep", "60"])
    claimed_by = f"{this_host()}:{process.pid}:{start_token(process.pid)}"
    process.kill()
    process.wait()
    return claimed_by


def _left_mid_hand_off(email: str, claimed_by: str, *, ago=timedelta(seconds=5), **fields) -> Delivery:
    """`email`'s digest as a sender leaves it when it stops during DATA (or is still in it)."""
    subscribe(email, "daily", confirmed=True)
    subscription = Subscription.objects.get(email=email)
    return Delivery.objects.create(
        subscription=subscription,
        period_key=PERIOD,
        state=fields.pop("state", Delivery.State.SENDING),
        message_id=message_id(subscription.pk, PERIOD),
        claimed_by=claimed_by,
        claimed_at=timezone.now() - ago,
        attempts=fields.pop("attempts", 1),
        **fields,
    )


def _sent_once_more(smtp, row: Delivery, report) -> None:
    """The row went out (again) under its own Message-ID, and the run is clean."""
    [copy] = smtp.to(row.subscription.email)  # the row is made up: its first copy reached no server here
    assert copy.message["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert row.state == Delivery.State.SENT
    assert (report.resent, report.ok, report.uncertain) == (1, True, [])


@pytest.mark.parametrize(
    "how",
    ["its process was killed", "its pid belongs to another process now", "another machine's, lease over"],
)
def test_a_dead_senders_delivery_is_sent_again_with_the_same_message_id(sample_db, smtp, dead_sender, live_sender, how):
    claimed_by, ago = {
        "its process was killed": (dead_sender, timedelta(seconds=5)),
        # The live process's pid with another start time: the pid was reused after the sender died.
        "its pid belongs to another process now": (live_sender.rpartition(":")[0] + ":1", timedelta(seconds=5)),
        "another machine's, lease over": ("elsewhere.example:4242:99", LEASE + timedelta(minutes=1)),
    }[how]
    row = _left_mid_hand_off("ada@example.org", claimed_by, ago=ago)
    subscribe("bob@example.org", "daily", confirmed=True)

    report = send_digests("daily", DAY, now=AFTER)

    _sent_once_more(smtp, row, report)
    assert report.sent == 2 and len(smtp.to("bob@example.org")) == 1


@pytest.mark.parametrize("how", ["its process is running", "another machine's, within its lease"])
def test_a_live_senders_delivery_is_left_alone(sample_db, smtp, live_sender, how):
    claimed_by = live_sender if how == "its process is running" else "elsewhere.example:4242:99"
    row = _left_mid_hand_off("ada@example.org", claimed_by)
    subscribe("bob@example.org", "daily", confirmed=True)

    report = send_digests("daily", DAY, now=AFTER)

    assert smtp.to("ada@example.org") == []
    row.refresh_from_db()
    assert (row.state, row.claimed_by) == (Delivery.State.SENDING, claimed_by)
    assert (report.sent, report.resent, report.uncertain) == (1, 0, [])


def test_hold_keeps_the_delivery_for_the_operator_until_resolved_or_the_setting_changes(
    sample_db, smtp, settings, dead_sender
):
    settings.PAPERFEED_DIGEST_UNCERTAIN = "hold"
    ada = _left_mid_hand_off("ada@example.org", dead_sender)
    bea = _left_mid_hand_off("bea@example.org", dead_sender)

    held = send_digests("daily", DAY, now=AFTER)
    again = send_digests("daily", DAY, now=AFTER)

    assert smtp.received == []
    for report in (held, again):
        assert not report.ok and sorted(r.pk for r in report.uncertain) == [ada.pk, bea.pk]
        assert report.resent == 0
    # The operator's decision for one: send it again. The other is re-sent once the setting
    # is back to the default, without anyone resolving it.
    assert resolve([ada.pk], mark_sent=False) == 1
    assert send_digests("daily", DAY, now=AFTER).sent == 1
    assert [r.message["Message-ID"] for r in smtp.received] == [ada.message_id]
    settings.PAPERFEED_DIGEST_UNCERTAIN = "resend"
    _sent_once_more(smtp, bea, send_digests("daily", DAY, now=AFTER))


def test_a_delivery_out_of_attempts_is_held_not_sent_again(sample_db, smtp, dead_sender):
    # A sender that keeps dying in the hand-over of the same message does not mail it forever.
    row = _left_mid_hand_off("ada@example.org", dead_sender, attempts=MAX_ATTEMPTS)

    report = send_digests("daily", DAY, now=AFTER)

    assert smtp.received == [] and not report.ok
    assert [r.pk for r in report.uncertain] == [row.pk]
