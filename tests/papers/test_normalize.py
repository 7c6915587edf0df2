from datetime import UTC, datetime

import pytest

from paperfeed.sources.normalize import (
    InvalidRecord,
    build_record,
    clean_abstract,
    extract_links,
    parse_categories,
    split_authors,
    tex_to_unicode,
)


def test_authors_split_in_order_with_tex_accents():
    assert split_authors(r"C. Bal\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan") == [
        "C. Balázs",
        "E. L. Berger",
        "P. M. Nadolsky",
        "C.-P. Yuan",
    ]


def test_affiliations_and_suffixes():
    byline = 'A. Smith (1), B. Jones, Jr. (2) and C. M{\\"u}ller ((1) MIT, (2) CERN)'
    assert split_authors(byline) == ["A. Smith", "B. Jones Jr.", "C. Müller"]


def test_tex_letters():
    assert tex_to_unicode(r"\L{}ukasz Stra\ss e, \c{C}elik, G\"{o}del, \'{\i}") == "Łukasz Straße, Çelik, Gödel, í"


def test_abstract_keeps_paragraphs_and_folds_wrapping():
    raw = "  First line\nwrapped here.\n  Second paragraph\nalso wrapped.\n"
    assert clean_abstract(raw) == "First line wrapped here.\n\nSecond paragraph also wrapped."


def test_links_found_in_abstract_and_comments():
    assert extract_links("Code: https://github.com/HKUDS/RLMRec.", "") == ("https://github.com/HKUDS/RLMRec", "")
    assert extract_links("", "Project page: https://example.org/demo, code at github.com/a/b") == (
        "",
        "https://example.org/demo",
    )
    assert extract_links("see https://foo.github.io/bar/", "") == ("", "https://foo.github.io/bar/")


def test_categories_primary_first_deduplicated():
    assert parse_categories("cs.LG stat.ML cs.LG") == ["cs.LG", "stat.ML"]
    assert parse_categories(["hep-th", "<script>"]) == ["hep-th"]


def test_build_record_from_raw_values():
    record = build_record(
        arxiv_id="2412.13148v2",
        title="  SWAN:\n  SGD with Normalization ",
        abstract="Adaptive optimizers such as Adam",
        authors="A. One and B. Two",
        categories="cs.LG cs.AI",
        versions=[
            {"version": "v2", "created": "Tue, 24 Dec 2024 10:00:00 GMT"},
            {"version": "v1", "created": "Tue, 17 Dec 2024 18:00:00 GMT"},
        ],
        comments="Code at https://github.com/x/swan",
    )
    assert record.arxiv_id == "2412.13148"
    assert record.title == "SWAN: SGD with Normalization"
    assert record.authors == ["A. One", "B. Two"]
    assert record.latest_version == 2
    assert [v.number for v in record.versions] == [1, 2]
    assert record.published == datetime(2024, 12, 17, 18, 0, tzinfo=UTC)
    assert record.updated == datetime(2024, 12, 24, 10, 0, tzinfo=UTC)
    assert record.github_repo == "https://github.com/x/swan"


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"arxiv_id": "", "title": "t"}, "missing or malformed arXiv id"),
        ({"arxiv_id": "not-an-id", "title": "t"}, "missing or malformed arXiv id"),
        ({"arxiv_id": "2412.13148", "title": "   "}, "empty title"),
        ({"arxiv_id": "2412.13148", "title": "x" * 100_000}, "title is 100,000 characters long"),
        ({"arxiv_id": "2412.13148", "title": "t", "published": "yesterday-ish"}, "unreadable date"),
    ],
)
def test_bad_input_is_refused_with_a_reason(fields, reason):
    with pytest.raises(InvalidRecord, match=reason):
        build_record(**fields)


def test_withdrawn_detected_from_comments():
    record = build_record(arxiv_id="0704.0002", title="t", comments="This paper has been withdrawn by the author")
    assert record.withdrawn is True


def test_link_schemes_other_than_http_are_dropped():
    record = build_record(arxiv_id="0704.0002", title="t", github_repo="javascript:alert(1)")
    assert record.github_repo == ""
