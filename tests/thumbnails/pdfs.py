"""Small, real PDFs for the thumbnail tests, written out byte by byte.

No arXiv PDF is among the recorded fixtures, so the tests make their own: a one- or
two-page PDF 1.4 file in the shape of a paper's first page (a title in Helvetica-Bold,
authors, an abstract block, a grey figure), with a correct cross-reference table, so any
PDF reader opens it. It is generated rather than committed so that the page text can name
the paper and the file stays obviously free of anything borrowed.
"""

from __future__ import annotations

LETTER = (612, 792)
A4 = (595, 842)


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _first_page_content(title: str, authors: str, width: int, height: int) -> bytes:
    lines = [
        "BT /F2 15 Tf 72 {} Td ({}) Tj ET".format(height - 100, _escape(title[:64])),
        "BT /F1 11 Tf 72 {} Td ({}) Tj ET".format(height - 126, _escape(authors[:80])),
        "BT /F2 11 Tf {} {} Td (Abstract) Tj ET".format(width // 2 - 25, height - 170),
    ]
    body = [
        "We study small pictures of papers, made from the first page of their PDF,",
        "as a reader meets them on a list of the day's papers. Each one is drawn by",
        "PDFium in a separate process with limits on time and memory, then written",
        "as a WebP image of a fixed size, so that pages never move while it loads.",
    ] * 3
    for row, line in enumerate(body):
        lines.append("BT /F1 10 Tf 90 {} Td ({}) Tj ET".format(height - 190 - 13 * row, _escape(line)))
    # A figure: a grey box with a dark frame, so the picture is not only thin text.
    lines.append("0.85 g 90 {} {} 160 re f".format(height - 560, width - 180))
    lines.append("0.2 G 2 w 90 {} {} 160 re S".format(height - 560, width - 180))
    return "\n".join(lines).encode("latin-1")


def make_pdf(title: str = "A Paper About Thumbnails", authors: str = "Ada Lovelace, Alan Turing",
             size: tuple[int, int] = LETTER, pages: int = 1, padding: int = 0) -> bytes:
    """A valid PDF; `padding` adds a comment of that many bytes (to make a large file)."""
    width, height = size
    objects: list[bytes] = []  # object n is objects[n - 1]
    page_ids = [5 + 2 * i for i in range(pages)]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % n for n in page_ids) + b"] /Count %d >>" % pages)
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>")
    for i in range(pages):
        content = _first_page_content(title, authors, width, height) if i == 0 else b"BT /F1 10 Tf 72 700 Td (Page 2) Tj ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            b"/Contents %d 0 R >>" % (width, height, page_ids[i] + 1)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    if padding:
        out += b"%" + b"x" * padding + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
