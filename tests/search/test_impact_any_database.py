"""Impact lists are FTS5's: on PostgreSQL `paperfeed index` leaves them out and search is as before."""

import pytest
from django.core.management import call_command
from django.db import connection

from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.search.backends import lexical_backend
from paperfeed.sources.normalize import build_record

pytestmark = pytest.mark.django_db


def test_index_builds_impact_lists_on_sqlite_only(settings, capsys):
    settings.PAPERFEED_IMPACT_THRESHOLD = 2
    Paper.objects.all().delete()
    store_records([build_record(arxiv_id=f"2612.{70001 + i}", title=f"Quokka census {i}") for i in range(4)])
    call_command("index", "--no-embed")
    out = capsys.readouterr().out
    assert ("impact lists: " in out) == (connection.vendor == "sqlite")
    assert len(lexical_backend().candidates("quokka census")) == 4
