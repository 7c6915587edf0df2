import pytest

from paperfeed.papers.ids import ArxivId, canonical_id, parse_arxiv_id, parse_arxiv_reference


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2412.13148", ArxivId("2412.13148")),
        ("2412.13148v2", ArxivId("2412.13148", 2)),
        ("arXiv:2412.13148v10", ArxivId("2412.13148", 10)),
        ("0704.0001", ArxivId("0704.0001")),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
        ("HEP-TH/9901001", ArxivId("hep-th/9901001")),
        ("math.AG/0101001", ArxivId("math/0101001")),
        ("quant-ph/0201082v1", ArxivId("quant-ph/0201082", 1)),
        ("  2504.09566 ", ArxivId("2504.09566")),
    ],
)
def test_parses_both_schemes(text, expected):
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "abc", "2413.13148", "1412.12345", "1501.1234", "12345.6789", "hep-th/990100", "2412.13148v", "x" * 100],
)
def test_rejects_non_ids(text):
    assert parse_arxiv_id(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("https://arxiv.org/abs/2412.13148", "2412.13148"),
        ("https://arxiv.org/abs/2412.13148v3", "2412.13148v3"),
        ("http://arxiv.org/pdf/2412.13148v1.pdf", "2412.13148v1"),
        ("https://arxiv.org/pdf/2412.13148", "2412.13148"),
        ("arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("https://export.arxiv.org/abs/0704.0001", "0704.0001"),
        ("https://huggingface.co/papers/2412.13148", "2412.13148"),
        ("https://huggingface.co/papers/2412.13148#community", "2412.13148"),
        ("https://arxiv.org/html/2412.13148v2", "2412.13148v2"),
    ],
)
def test_resolves_urls(text, expected):
    assert str(parse_arxiv_reference(text)) == expected


@pytest.mark.parametrize("text", ["https://example.org/abs/2412.13148", "stateless optimizer", "https://arxiv.org/list/cs.LG"])
def test_other_text_is_not_a_reference(text):
    assert parse_arxiv_reference(text) is None


def test_canonical_id_drops_version_and_refuses_garbage():
    assert canonical_id("2412.13148v2") == "2412.13148"
    with pytest.raises(ValueError, match="not an arXiv identifier"):
        canonical_id("nope")
