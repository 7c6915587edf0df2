"""The renderer on its own: page shapes, the fixed box, and files that are not a paper's PDF."""

from __future__ import annotations

import pytest

from paperfeed.thumbnails.render import HEIGHT, WIDTH, RenderError, looks_like_pdf, render_first_page, render_in_child

from .images import ink, open_webp
from .pdfs import A4, LETTER, make_pdf


@pytest.mark.parametrize("size", [LETTER, A4, (842, 595), (300, 3000)])
def test_every_page_shape_gives_the_same_box_drawn_from_the_top(size):
    image = open_webp(render_first_page(make_pdf(size=size)))
    assert image.size == (WIDTH, HEIGHT)
    top = image.crop((0, 0, WIDTH, HEIGHT // 3))
    assert ink(top) > 0.005, "the title block is at the top"


def test_a_landscape_page_gets_white_below():
    image = open_webp(render_first_page(make_pdf(size=(842, 595))))
    bottom = image.crop((0, HEIGHT - 150, WIDTH, HEIGHT))
    assert ink(bottom) == 0


@pytest.mark.parametrize(
    ("pdf", "why"),
    [
        (make_pdf(size=(20_000, 20_000)), "not a paper's page"),
        (make_pdf(size=(30, 40)), "not a paper's page"),
        (make_pdf(pages=0), "no pages|not a readable PDF"),  # PDFium itself refuses a PDF without pages
        (make_pdf()[:300], "not a readable PDF"),
        (b"%PDF-1.7\n" + b"\x00" * 500, "not a readable PDF"),
    ],
)
def test_what_cannot_be_a_thumbnail_says_why(pdf, why):
    with pytest.raises(RenderError, match=why):
        render_first_page(pdf)


def test_the_child_process_renders_and_reports_like_the_function():
    assert open_webp(render_in_child(make_pdf(), 30)).size == (WIDTH, HEIGHT)
    with pytest.raises(RenderError, match="not a readable PDF"):
        render_in_child(b"%PDF-1.4 nothing else", 30)


def test_the_pdf_header_may_come_after_some_junk_but_not_far():
    assert looks_like_pdf(make_pdf())
    assert looks_like_pdf(b"\n" * 100 + make_pdf())
    assert not looks_like_pdf(b" " * 2000 + make_pdf())
    assert not looks_like_pdf(b"<!DOCTYPE html>")
