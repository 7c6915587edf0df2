"""Submitting a paper to a day's list: the rules, and fetching a paper the database lacks.

"The day's list" is the DailyEntry date, a calendar day in UTC — the day the paper is
submitted unless the submitter picks an earlier one, as on Hugging Face, where a paper
appears on the list of the day it was submitted. The rules (Hugging Face's by default):

- the paper's first arXiv version is at most PAPERFEED_SUBMIT_MAX_AGE_DAYS days older than
  the list day (0: no limit), and not newer than it;
- a paper is on the daily lists once, whatever the day;
- no list in the future, no withdrawn paper.

A paper the database lacks is fetched from the arXiv API through the same code path as
`paperfeed submit` and every ingest (polite client, Sink, run log), then the rules are checked
and the entry written in one transaction: a refused or failed submission lists nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from paperfeed.papers.ids import ArxivId
from paperfeed.papers.models import DailyEntry, Organization, Paper
from paperfeed.papers.signals import activity_changed
from paperfeed.sources.http import SourceError
from paperfeed.sources.single import fetch_paper

# A web request makes one attempt: the client's retries honour Retry-After waits of up to
# minutes, which would park a web worker; the submitter can simply try again.
WEB_RETRIES = 0


class Refused(Exception):
    """The submission breaks a rule or the paper cannot be had; the message is for the user."""

    status = 400


class SourceFailed(Refused):
    """arXiv did not answer usefully: not the submitter's fault (502 Bad Gateway)."""

    status = 502


def today() -> date:
    """Today in UTC (USE_TZ is on, so now() is in UTC)."""
    return timezone.now().date()


def fetch_from_arxiv(reference: ArxivId) -> Paper:
    """Store an unknown paper from the arXiv API (the path `paperfeed submit` takes);
    Refused when arXiv fails or lacks it."""
    try:
        paper = fetch_paper(reference.id, origin=f"web: {reference}", retries=WEB_RETRIES)
    except SourceError as exc:
        raise SourceFailed("arXiv could not be reached or sent an unreadable answer; please try again later.") from exc
    if paper is None:
        raise Refused(f"arXiv does not know the paper {reference.id}.")
    return paper


def first_version_date(paper: Paper) -> date | None:
    """The UTC day of the paper's first version: `published`, else the oldest stored version."""
    when = paper.published or paper.versions.order_by("number").values_list("created", flat=True).first()
    return when.astimezone(timezone.get_fixed_timezone(0)).date() if when else None


def check_age(paper: Paper, day: date) -> None:
    max_age = settings.PAPERFEED_SUBMIT_MAX_AGE_DAYS
    first = first_version_date(paper)
    if first is None:
        if max_age:
            raise Refused(f"The arXiv date of {paper.arxiv_id} is unknown, so the {max_age}-day rule cannot be checked.")
        return
    if first > day:
        raise Refused(f"{paper.arxiv_id} first appeared on arXiv on {first:%Y-%m-%d}, after the list of {day:%Y-%m-%d}.")
    age = (day - first).days
    if max_age and age > max_age:
        raise Refused(
            f"{paper.arxiv_id} first appeared on arXiv on {first:%Y-%m-%d}, {age} days before the list of "
            f"{day:%Y-%m-%d}: papers can be submitted within {max_age} days of their first version."
        )


def refuse_if_listed(paper: Paper) -> None:
    already = DailyEntry.objects.filter(paper=paper).order_by("date").first()
    if already is not None:
        raise Refused(f"{paper.arxiv_id} is already on the list of {already.date:%Y-%m-%d}; a paper is listed once.")


def submittable_papers(limit: int = 5) -> list[Paper]:
    """Stored papers on no list that the age rule allows today, newest first: what the submit
    page suggests (papers an ingest stored without listing, or the demo's unlisted ones)."""
    papers = Paper.objects.filter(daily_entries__isnull=True, withdrawn=False, published__isnull=False)
    max_age = settings.PAPERFEED_SUBMIT_MAX_AGE_DAYS
    if max_age:
        papers = papers.filter(published__date__gte=today() - timedelta(days=max_age))
    return list(papers.order_by("-published", "arxiv_id")[:limit])


def submit(user, reference: ArxivId, day: date, organization: Organization | None = None) -> DailyEntry:
    """Put the paper on the day's list for `user`; raises Refused with the reason otherwise."""
    if day > today():
        raise Refused(f"The list of {day:%Y-%m-%d} is in the future (today is {today():%Y-%m-%d} UTC).")
    paper = Paper.objects.filter(arxiv_id=reference.id).first()
    if paper is None:
        paper = fetch_from_arxiv(reference)
    else:
        refuse_if_listed(paper)  # before anything else: a listed paper needs no other check
    if paper.withdrawn:
        raise Refused(f"{paper.arxiv_id} has been withdrawn from arXiv.")
    check_age(paper, day)
    with transaction.atomic():
        # The row lock makes "listed once" hold between concurrent submitters on PostgreSQL;
        # SQLite's IMMEDIATE transactions already run writers one at a time.
        paper = Paper.objects.select_for_update().get(pk=paper.pk)
        refuse_if_listed(paper)
        entry = DailyEntry.objects.create(
            date=day,
            paper=paper,
            submitted_by=user.get_username()[:150],
            submitter=user,
            organization=organization,
        )
        # Listing starts the paper's trending age: its line must not keep the v1 date's.
        activity_changed(DailyEntry, paper.pk)
    return entry
