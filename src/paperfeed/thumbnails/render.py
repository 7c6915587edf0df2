"""A PDF's first page → a small WebP, in a child process with limits.

PDFium is a C library fed bytes from the network: a hostile or broken file may make it run
for minutes, eat memory, or crash the process. So the parent never renders itself; it runs
`python -m paperfeed.thumbnails.render` with the PDF on standard input and reads the WebP
from standard output. The child caps its own memory and CPU time before it reads a byte,
the parent kills it after a wall-clock limit, and whatever happens to it is one paper's
error, never the run's.

Every thumbnail has the same size (WIDTH × HEIGHT, the proportions of a US Letter page):
the page is scaled to the width and drawn from the top; a longer page (A4) loses a strip
at the bottom, a wider one (slides) gets white below. The render is cropped to that box,
so no page size can make a bigger bitmap. This module imports no Django: the child starts
fast and the rendering can be used on its own.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
from pathlib import Path

WIDTH = 640
HEIGHT = 828
WEBP_QUALITY = 70
MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes of address space the child may use
# A page smaller than a business card or larger than PDF's own limit (200 in) is not a paper's.
SMALLEST_SIDE = 72.0  # points
LARGEST_SIDE = 14_400.0

# Exit statuses of the child, so the parent can tell a refused file from a crash.
_BAD_PDF = 3


class RenderError(Exception):
    """The PDF could not be made into a thumbnail; the message says why, in plain words."""


def looks_like_pdf(body: bytes) -> bool:
    """PDF readers accept the header anywhere in the first 1,024 bytes; so do we, no further."""
    return b"%PDF-" in body[:1024]


def render_first_page(pdf: bytes) -> bytes:
    """The first page as WebP bytes of WIDTH × HEIGHT; RenderError when it cannot be read."""
    import pypdfium2 as pdfium
    from PIL import Image

    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise RenderError(f"not a readable PDF ({exc})") from None
    try:
        if len(document) < 1:
            raise RenderError("the PDF has no pages")
        page = document[0]
        width, height = page.get_size()
        if not (SMALLEST_SIDE <= width <= LARGEST_SIDE and SMALLEST_SIDE <= height <= LARGEST_SIDE):
            raise RenderError(f"the first page is {width:.0f} × {height:.0f} points, not a paper's page")
        scale = WIDTH / width
        # Render only what fits in the box: the crop is taken off the bottom, in points.
        cut = max(0.0, height - HEIGHT / scale)
        try:
            bitmap = page.render(scale=scale, crop=(0, cut, 0, 0), may_draw_forms=False)
        except pdfium.PdfiumError as exc:
            raise RenderError(f"the first page could not be drawn ({exc})") from None
        drawn = bitmap.to_pil().convert("RGB")
    finally:
        document.close()
    canvas = Image.new("RGB", (WIDTH, HEIGHT), "white")
    canvas.paste(drawn.crop((0, 0, min(WIDTH, drawn.width), min(HEIGHT, drawn.height))), (0, 0))
    out = io.BytesIO()
    canvas.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def render_in_child(pdf: bytes, seconds: float) -> bytes:
    """render_first_page in a child process limited to `seconds` and MEMORY_LIMIT."""
    package_parent = str(Path(__file__).resolve().parents[2])  # the folder holding `paperfeed`
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH", "")]))
    try:
        child = subprocess.run(
            [sys.executable, "-m", "paperfeed.thumbnails.render", str(seconds)],
            input=pdf,
            capture_output=True,
            timeout=seconds,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"rendering took longer than {seconds:g} s") from None
    if child.returncode == 0 and child.stdout:
        return child.stdout
    message = child.stderr.decode("utf-8", "replace").strip().splitlines()
    if child.returncode == _BAD_PDF and message:
        raise RenderError(message[-1])
    if child.returncode < 0:
        raise RenderError(f"the renderer was stopped by signal {-child.returncode} (a hostile or broken PDF, or a limit)")
    last = message[-1] if message else "no output"
    raise RenderError(f"the renderer failed (exit {child.returncode}: {last[:300]})")


def _limit_self(seconds: float) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    cpu = max(1, int(seconds) + 1)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def _main(argv: list[str]) -> int:
    _limit_self(float(argv[1]) if len(argv) > 1 else 30.0)
    pdf = sys.stdin.buffer.read()
    try:
        image = render_first_page(pdf)
    except RenderError as exc:
        print(exc, file=sys.stderr)
        return _BAD_PDF
    except MemoryError:
        print(f"the first page needs more than {MEMORY_LIMIT // 2**20} MB to draw", file=sys.stderr)
        return _BAD_PDF
    sys.stdout.buffer.write(image)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
