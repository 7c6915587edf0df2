"""What one subscriber's digest says, and the e-mail that says it.

A digest is a list of sections (trending now; personal picks, saved-search matches, followed
authors and new versions come from the personal-ranking features and plug in through
SECTION_BUILDERS). Both parts of the mail come from templates with autoescaping on: every
title, name and abstract is escaped, in HTML and — by being plain text — in the text part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from paperfeed.digests.models import Subscription
from paperfeed.digests.periods import DigestPeriod
from paperfeed.digests.sections import BUILDERS as PERSONAL_BUILDERS
from paperfeed.digests.sections import Item, Section
from paperfeed.digests.subscriptions import unsubscribe_url
from paperfeed.papers.models import DailyEntry, total_upvotes_expression
from paperfeed.sources.models import AnnouncementDay

TRENDING_ITEMS = {"daily": 10, "weekly": 20}


@dataclass
class Digest:
    subscription: Subscription
    period: DigestPeriod
    sections: list[Section] = field(default_factory=list)
    notice: str = ""  # the one line sent instead of papers when arXiv announced nothing

    @property
    def paper_count(self) -> int:
        return sum(len(s.items) for s in self.sections)

    @property
    def empty(self) -> bool:
        return not self.sections and not self.notice

    @property
    def subject(self) -> str:
        label = self.period.span.label
        if self.notice:
            return f"No new papers · {label}"
        return f"{'Daily' if self.period.kind == 'daily' else 'Weekly'} papers · {label}"


def trending_section(subscription: Subscription, period: DigestPeriod, cache: dict) -> Section | None:
    """The period's most upvoted papers (imported and local votes), as on the feed page."""
    if not subscription.include_trending:
        return None
    key = ("trending", period.key)
    if key not in cache:  # the same for every subscriber: one query per run, not per mail
        cache[key] = _period_top(period, TRENDING_ITEMS[period.kind])
    items = cache[key]
    return Section("Trending", list(items)) if items else None


def _period_top(period: DigestPeriod, limit: int) -> list[Item]:
    entries = (
        DailyEntry.objects.filter(date__range=(period.span.start, period.span.end), paper__withdrawn=False)
        .select_related("paper")
        .annotate(total=total_upvotes_expression("paper__"))
        .order_by("-total", "paper__arxiv_id")
    )
    items: list[Item] = []
    seen: set[int] = set()
    for entry in entries.iterator():
        if entry.paper_id in seen:  # a paper listed on two days of a week counts once
            continue
        seen.add(entry.paper_id)
        items.append(Item(entry.paper, entry.total))
        if len(items) >= limit:
            break
    return items


# Each builder returns a section or None; later features append to this list.
# A builder may keep what is the same for every subscriber in `cache`, which lives for one run.
SECTION_BUILDERS: list[Callable[[Subscription, DigestPeriod, dict], Section | None]] = [trending_section]


def _mutes(subscription: Subscription, cache: dict):
    from paperfeed.personal.mutes import Mutes

    if not subscription.user_id:
        return Mutes()
    key = ("mutes", subscription.user_id)
    if key not in cache:
        cache[key] = Mutes.for_user(subscription.user)
    return cache[key]


def no_announcement_notice(period: DigestPeriod) -> str:
    """The one-line notice for a period without papers, naming why when we know it."""
    days = AnnouncementDay.objects.filter(date__range=(period.span.start, period.span.end))
    if days.exists() and not days.filter(announced=True).exists():
        return f"arXiv made no announcement for {period.span.label}, so there are no new papers."
    return f"No papers were listed for {period.span.label}."


def _builders() -> list:
    return [*PERSONAL_BUILDERS, *SECTION_BUILDERS]  # the personal sections first: they are the most specific


def compose(subscription: Subscription, period: DigestPeriod, cache: dict | None = None) -> Digest:
    cache = {} if cache is None else cache
    digest = Digest(subscription, period)
    mutes = _mutes(subscription, cache)
    shown: set[int] = set()
    for build in _builders():
        section = build(subscription, period, cache)
        if section is None:
            continue
        # Mute rules hold here as on every page; a paper appears once, in its first section.
        allowed = set(mutes.keep([item.paper.pk for item in section.items])) if mutes else None
        section = Section(
            section.title,
            [i for i in section.items if i.paper.pk not in shown and (allowed is None or i.paper.pk in allowed)],
        )
        shown.update(i.paper.pk for i in section.items)
        if section.items:
            digest.sections.append(section)
    if not digest.sections and subscription.notify_no_announcement:
        if ("notice", period.key) not in cache:
            cache[("notice", period.key)] = no_announcement_notice(period)
        digest.notice = cache[("notice", period.key)]
    return digest


def message_id(subscription_id: int, period_key: str) -> str:
    """Stable per (subscription, period): a re-sent copy carries the same id, so mail
    clients that de-duplicate by Message-ID show it once."""
    host = urlsplit(settings.BASE_URL).hostname or "localhost"
    return f"<digest.{subscription_id}.{period_key.replace(':', '.')}@{host}>"


def _signature(digest: Digest) -> tuple:
    return (
        digest.period.key,
        digest.notice,
        tuple((s.title, tuple((i.paper.pk, i.upvotes, i.note) for i in s.items)) for s in digest.sections),
    )


def _bodies(digest: Digest, cache: dict) -> tuple[str, str]:
    """The papers part of the mail, text and HTML. Most subscribers of a period get the same
    papers, so it is rendered once per distinct content, not once per subscriber."""
    key = ("body", _signature(digest))
    if key not in cache:
        context = {
            "digest": digest,
            "web_url": f"{settings.BASE_URL}/digests/{digest.period.kind}/{digest.period.span.slug}",
        }
        cache[key] = (
            render_to_string("digests/_body.txt", context),
            # Rendered by an autoescaping template: every title and name in it is escaped.
            mark_safe(render_to_string("digests/_body.html", context)),  # noqa: S308
        )
    return cache[key]


def build_message(digest: Digest, msg_id: str, cache: dict | None = None) -> EmailMultiAlternatives:
    subscription = digest.subscription
    body_text, body_html = _bodies(digest, {} if cache is None else cache)
    context = {
        "digest": digest,
        "body_text": body_text,
        "body_html": body_html,
        "base_url": settings.BASE_URL,
        "unsubscribe_url": unsubscribe_url(subscription),
    }
    text = render_to_string("digests/email.txt", context)
    html = render_to_string("digests/email.html", context)
    message = EmailMultiAlternatives(
        subject=digest.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        headers={
            "Message-ID": msg_id,
            # RFC 2369 + RFC 8058: mail clients show an "Unsubscribe" button that POSTs
            # "List-Unsubscribe=One-Click" to this URL, with no log-in and no confirmation page.
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"paperfeed digest <digest.{urlsplit(settings.BASE_URL).hostname or 'localhost'}>",
            "Auto-Submitted": "auto-generated",
            "Precedence": "bulk",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
