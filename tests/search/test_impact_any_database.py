"""`paperfeed index` builds the impact lists on either database, and search uses them."""

import pytest
from django.core.management import call_command

from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.search.backends import lexical_backend
from paperfeed.search.impact import impact_store
from paperfeed.sources.normalize import build_record

pytestmark = pytest.mark.django_db


def test_index_builds_impact_lists_and_search_reads_them(settings, capsys):
    settings.PAPERFEED_IMPACT_THRESHOLD = 2
    Paper.objects.all().delete()
    impact_store.clear()
    store_records([build_record(arxiv_id=f"2612.{70001 + i}", title=f"Quokka census {i}") for i in range(4)])
    call_command("index", "--no-embed")
    assert "impact lists: 2 common terms, 8 postings" in capsys.readouterr().out  # quokka, census
    stems = {lexical_backend().tokenizer().terms(word)[0] for word in ("quokka", "census")}
    assert impact_store.current().terms == stems
    assert len(lexical_backend().candidates("quokka census")) == 4
    impact_store.clear()
