from datetime import UTC, datetime

import pytest

from paperfeed.papers.models import Paper, PaperVersion
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record

pytestmark = pytest.mark.django_db

V1 = {"version": "v1", "created": "Mon, 2 Nov 2026 10:00:00 GMT"}
V2 = {"version": "v2", "created": "Mon, 9 Nov 2026 10:00:00 GMT"}


def record(**overrides):
    fields = dict(
        arxiv_id="2611.00001",
        title="A test paper",
        abstract="About testing stores.",
        authors="Ada Lovelace, Alan Turing",
        categories="cs.LG stat.ML",
        versions=[V1],
    )
    fields.update(overrides)
    return build_record(**fields)


def test_insert_then_rerun_changes_nothing():
    first = store_records([record()])
    assert first.created == ["2611.00001"]
    paper = Paper.objects.get(arxiv_id="2611.00001")
    stamp = paper.modified_at
    second = store_records([record()])
    assert (second.created, second.updated, second.unchanged) == ([], [], ["2611.00001"])
    paper.refresh_from_db()
    assert paper.modified_at == stamp
    assert [a.author.name for a in paper.authorships.order_by("position")] == ["Ada Lovelace", "Alan Turing"]
    assert paper.primary_category.code == "cs.LG"
    assert sorted(c.code for c in paper.categories.all()) == ["cs.LG", "stat.ML"]
    assert paper.num_authors == 2
    assert paper.authors_text == "Ada Lovelace, Alan Turing"


def test_new_version_updates_and_is_reported():
    store_records([record()])
    result = store_records([record(title="A better title", versions=[V1, V2])])
    assert result.updated == ["2611.00001"] and result.new_versions == ["2611.00001"]
    paper = Paper.objects.get(arxiv_id="2611.00001")
    assert paper.latest_version == 2 and paper.title == "A better title"
    assert list(PaperVersion.objects.filter(paper=paper).values_list("number", flat=True)) == [1, 2]
    assert paper.updated == datetime(2026, 11, 9, 10, 0, tzinfo=UTC)


def test_older_record_only_fills_blanks():
    store_records([record(title="Newest title", versions=[V1, V2], comments="")])
    result = store_records([record(title="Old title", versions=[V1], comments="12 pages")])
    paper = Paper.objects.get(arxiv_id="2611.00001")
    assert paper.title == "Newest title" and paper.latest_version == 2
    assert paper.comments == "12 pages"
    assert result.updated == ["2611.00001"] and result.new_versions == []


def test_empty_values_never_erase():
    store_records([record(comments="12 pages")])
    store_records([build_record(arxiv_id="2611.00001", title="A test paper")])
    paper = Paper.objects.get(arxiv_id="2611.00001")
    assert paper.comments == "12 pages" and paper.abstract == "About testing stores."
    assert paper.authorships.count() == 2


def test_author_order_change_is_stored():
    store_records([record()])
    store_records([record(authors="Alan Turing, Ada Lovelace")])
    paper = Paper.objects.get(arxiv_id="2611.00001")
    assert [a.author.name for a in paper.authorships.order_by("position")] == ["Alan Turing", "Ada Lovelace"]


def test_duplicates_in_one_batch_keep_the_latest_version():
    result = store_records([record(versions=[V1, V2], title="v2 title"), record(title="v1 title")])
    assert result.created == ["2611.00001"]
    assert Paper.objects.get(arxiv_id="2611.00001").title == "v2 title"


def test_count_only_authors():
    store_records([build_record(arxiv_id="2611.00002", title="t", num_authors=7)])
    paper = Paper.objects.get(arxiv_id="2611.00002")
    assert paper.num_authors == 7 and paper.authors_text == ""
