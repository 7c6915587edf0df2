"""The OAI-PMH parser, on recorded arXiv OAI pages (three harvester projects' test data) and on
variants: constructed bodies say so where no recording exists (deleted records, protocol
errors, arXivRaw)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paperfeed.papers.record import PaperRecord
from paperfeed.sources.formats import Deleted, Problem
from paperfeed.sources.formats.oai import OAIError, ResumptionToken, parse_oai

from .hostile import bomb


@pytest.fixture(scope="module")
def oai(fixtures):
    return lambda name: (fixtures / "arxiv-oai" / name).read_bytes()


def _only(page):
    assert len(page.items) == 1, page.items
    return page.items[0]


def test_list_records_in_arxiv_format(oai):
    page = parse_oai(oai("invenio-oaiharvester/sample_arxiv_response_listrecords_cs.xml"), "cs")
    assert len(page.items) == 46
    assert all(isinstance(r, PaperRecord) for r in page.items)
    assert page.resumption is None
    first = page.items[0]
    assert first.arxiv_id == "1101.4388"
    assert first.title == "Reproducing Kernel Banach Spaces with the l1 Norm"
    assert first.authors == ["Guohui Song", "Haizhang Zhang", "Fred J. Hickernell"]
    assert first.categories == ["stat.ML", "cs.LG", "math.FA"]
    assert first.published == datetime(2011, 1, 23, tzinfo=UTC)
    assert first.updated == datetime(2012, 3, 28, tzinfo=UTC)
    assert [v.number for v in first.versions] == [1]  # `updated` has a date but no number
    assert first.doi == "10.1016/j.acha.2012.03.009"
    assert first.journal_ref == "Appl. Comput. Harmon. Anal., 34:96-116, 2013"
    assert first.comments == "28 pages, an extra section was added"
    assert first.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert page.items[1].authors == ["Tobias Brunsch", "Heiko Röglin"]  # R&#xf6;glin
    assert page.items[-1].arxiv_id == "1501.03810"


@pytest.mark.parametrize(
    "name",
    ["sample_arxiv_response_with_namespace.xml", "sample_arxiv_response_no_namespace.xml"],
)
def test_namespace_variants_give_the_same_record(oai, name):
    r = _only(parse_oai(oai(f"invenio-oaiharvester/{name}")))
    assert r.arxiv_id == "0804.2273"
    assert r.title == "Object Re-Use & Exchange: A Resource-Centric Approach"
    assert r.authors == [
        "Carl Lagoze", "Herbert Van de Sompel", "Michael L. Nelson",
        "Simeon Warner", "Robert Sanderson", "Pete Johnston",
    ]  # fmt: skip
    assert r.categories == ["cs.DL", "cs.NI"]
    assert r.license == "http://creativecommons.org/licenses/by/3.0/"
    assert r.published == datetime(2008, 4, 14, tzinfo=UTC)


def test_arxiv_element_left_in_the_oai_namespace(oai):
    # hepcrawl's file: the first <arXiv> declares no namespace, so it inherits OAI-PMH's.
    page = parse_oai(oai("hepcrawl/sample_arxiv_record.xml"))
    assert len(page.items) == 12
    first = page.items[0]
    assert first.arxiv_id == "1601.03238"
    assert first.title == "Irreversible degradation of quantum coherence under relativistic motion"
    assert first.authors == ["Planck Collaboration", "Jieci Wang", "Zehua Tian", "Jiliang Jing", "Heng Fan"]


def test_get_record_with_abstract_paragraphs(oai):
    r = _only(parse_oai(oai("hepcrawl/arxiv-single.xml")))
    assert r.arxiv_id == "1401.2122"
    assert r.categories == ["math.AP", "hep-th", "math-ph", "math.DG", "math.MP", "nlin.SI"]
    assert r.updated == datetime(2017, 10, 23, tzinfo=UTC)
    assert r.abstract.count("\n\n") == 1  # arXiv's indented line starts the second paragraph
    assert r.abstract.split("\n\n")[1].startswith("In particular, we present new large classes")


def test_oai_dc_record(oai):
    r = _only(parse_oai(oai("invenio-oaiharvester/sample_oai_dc_response.xml")))
    assert r.arxiv_id == "1507.03011"
    assert r.title == "The Distribution of Star Formation and Metals in the Low Surface Brightness Galaxy UGC 628"
    assert r.authors == ["J. E. Young", "Rachel Kuzio de Naray", "Sharon X. Wang"]  # from "Last, First"
    assert r.comments == "13 pages, 7 figures"  # the second description, "Comment: ..."
    assert r.abstract.startswith("We introduce the MUSCEL Program")
    assert r.published == datetime(2015, 7, 10, tzinfo=UTC)
    # dc:subject says "Astrophysics - Astrophysics of Galaxies"; the set physics:astro-ph is
    # an archive with subject classes, so no category can be named.
    assert r.categories == []


def test_oai_dc_with_pretty_printed_abstract(oai):
    r = _only(parse_oai(oai("invenio-oaiharvester/sample_arxiv_response_utf8.xml")))
    assert r.arxiv_id == "1207.1019"
    assert r.authors == ["Emilie Morvant", "Amaury Habrard", "Stéphane Ayache"]
    assert "\n" not in r.abstract  # every line was indented by the re-indenting, not by arXiv
    assert r.abstract.startswith("A lot of attention has been devoted to multimedia indexing over the past few years.")


def test_two_thousand_oai_dc_records(oai):
    page = parse_oai(oai("rocksonchang-oai_dc-records/xmltest2.xml"), "xmltest2")
    assert len(page.items) == 2000
    assert all(isinstance(r, PaperRecord) for r in page.items)
    assert len({r.arxiv_id for r in page.items}) == 1000  # the file holds every record twice
    assert all(r.categories == ["quant-ph"] for r in page.items)  # set physics:quant-ph
    by_id = {r.arxiv_id: r for r in page.items}
    first = by_id["0704.0042"]
    assert first.title == "General System theory, Like-Quantum Semantics and Fuzzy Sets"
    assert first.authors == ["Ignazio Licata"]
    assert first.comments == "12 pages,3 figures"
    assert first.published == datetime(2007, 3, 31, tzinfo=UTC)
    revised = by_id["0706.4075"]
    assert revised.published == datetime(2007, 6, 27, tzinfo=UTC)
    assert revised.updated == datetime(2009, 12, 11, tzinfo=UTC)  # the last dc:date
    assert revised.doi == "10.1063/1.2827330"  # the first of the two DOIs the record names
    assert revised.journal_ref == "AIP Conf.Proc.962:339-343,2007; Found.Phys.40:313-332,2010"
    assert by_id["0704.0046"].authors == ["I. Csiszar", "F. Hiai", "D. Petz"]


def test_resumption_token(oai):
    page = parse_oai(oai("atomiklabs/test_arxiv_data.xml"))
    assert page.resumption == ResumptionToken(token="6960524|1001", cursor=0, complete_list_size=1162)
    assert [r.arxiv_id for r in page.items] == ["1303.2033", "2401.14034", "2401.14036", "2401.14038", "2401.14040"]


def test_no_records_match_is_an_empty_page(oai):
    page = parse_oai(oai("invenio-oaiharvester/sample_empty_response.xml"))
    assert page.items == [] and page.resumption is None


def test_non_arxiv_metadata_is_a_problem(oai):
    page = parse_oai(oai("invenio-oaiharvester/sample_inspire_response_listrecords.xml"), "inspire")
    assert len(page.items) == 2  # the MARC <record> inside each OAI record is not a record
    assert all(isinstance(p, Problem) for p in page.items)
    assert page.items[0].location == "inspire record 1 (oai:inspirehep.net:972855)"
    assert "unsupported metadata format" in page.items[0].reason


# -- constructed bodies (no recording of these exists) ------------------------------------------

ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2024-01-27T17:53:42Z</responseDate>
<request verb="ListRecords" metadataPrefix="arXiv">http://export.arxiv.org/oai2</request>
{body}
</OAI-PMH>"""


def test_deleted_record_is_its_own_result():
    body = ENVELOPE.format(
        body="""<ListRecords>
<record><header status="deleted"><identifier>oai:arXiv.org:0704.0042</identifier>
<datestamp>2020-01-01</datestamp><setSpec>physics:quant-ph</setSpec></header></record>
<record><header status="deleted"><identifier>oai:arXiv.org:hep-th/9901001</identifier>
<datestamp>2020-01-01</datestamp></header></record>
<resumptionToken cursor="1000" completeListSize="1002"></resumptionToken>
</ListRecords>"""
    )
    page = parse_oai(body)
    assert page.items == [Deleted("0704.0042"), Deleted("hep-th/9901001")]
    assert page.resumption == ResumptionToken(token="", cursor=1000, complete_list_size=1002)  # last page


@pytest.mark.parametrize("code", ["badResumptionToken", "badArgument", "cannotDisseminateFormat"])
def test_protocol_errors_raise(code):
    body = ENVELOPE.format(body=f'<error code="{code}">The value of the resumptionToken\n  is invalid</error>')
    with pytest.raises(OAIError) as caught:
        parse_oai(body)
    assert caught.value.code == code
    assert caught.value.message == "The value of the resumptionToken is invalid"


def test_arxiv_raw_record_has_every_version_with_its_size():
    # Built from arXiv's arXivRaw schema with 0704.0001's values (no arXivRaw page is recorded).
    body = ENVELOPE.format(
        body=r"""<GetRecord><record><header><identifier>oai:arXiv.org:0704.0001</identifier>
<datestamp>2008-11-13</datestamp><setSpec>physics:hep-ph</setSpec></header><metadata>
<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>0704.0001</id><submitter>Pavel Nadolsky</submitter>
<version version="v1"><date>Mon, 2 Apr 2007 19:18:42 GMT</date><size>443kb</size><source_type>D</source_type></version>
<version version="v2"><date>Tue, 24 Jul 2007 20:10:27 GMT</date><size>370kb</size><source_type>D</source_type></version>
<title>Calculation of prompt diphoton production cross sections at Tevatron and
  LHC energies</title><authors>C. Bal\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan</authors>
<categories>hep-ph</categories><comments>37 pages, 15 figures; published version</comments>
<report-no>ANL-HEP-PR-07-12</report-no><journal-ref>Phys.Rev.D76:013009,2007</journal-ref>
<doi>10.1103/PhysRevD.76.013009</doi><abstract>  A fully differential calculation.
</abstract></arXivRaw></metadata></record></GetRecord>"""
    )
    r = _only(parse_oai(body))
    assert r.arxiv_id == "0704.0001"
    assert r.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert [(v.number, v.created, v.size) for v in r.versions] == [
        (1, datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC), "443kb"),
        (2, datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC), "370kb"),
    ]
    assert r.latest_version == 2
    assert r.submitter == "Pavel Nadolsky"


def test_records_without_id_header_or_metadata_are_problems():
    body = ENVELOPE.format(
        body="""<ListRecords>
<record><metadata/></record>
<record><header><identifier>oai:arXiv.org:0704.0001</identifier></header></record>
<record><header><identifier>oai:arXiv.org:0704.0002</identifier></header><metadata>
<arXiv xmlns="http://arxiv.org/OAI/arXiv/"><title>No id</title></arXiv></metadata></record>
</ListRecords>"""
    )
    reasons = [p.reason for p in parse_oai(body, "page").items]
    assert reasons[0] == "record has no header"
    assert reasons[1] == "record has no metadata"
    assert "malformed arXiv id" in reasons[2]


# -- hostile variants -----------------------------------------------------------------------------


def test_truncated_page_keeps_the_complete_records(oai):
    body = oai("rocksonchang-oai_dc-records/xmltest2.xml")
    cut = body[:100_000]
    page = parse_oai(cut, "cut")
    *records, problem = page.items
    assert all(isinstance(r, PaperRecord) for r in records)
    assert len(records) == cut.count(b"</record>")
    assert isinstance(problem, Problem) and problem.reason.startswith("malformed XML")


def test_billion_laughs_is_refused_unexpanded():
    # Refused before any entity is expanded (expanding it would take minutes and gigabytes).
    page = parse_oai(bomb("OAI-PMH"), "bomb")
    (problem,) = page.items
    assert isinstance(problem, Problem) and problem.reason.startswith("refused unsafe XML")


def test_not_xml_at_all():
    (problem,) = parse_oai(b'{"this": "is json"}', "json").items
    assert problem.reason.startswith("malformed XML")
