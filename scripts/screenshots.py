#!/usr/bin/env python3
"""Make the screenshot gallery in docs/screenshots/: a few pages at desktop and phone width, in the
light and the dark colour scheme, with Chromium driven by Playwright.

    python scripts/screenshots.py                     # starts its own `paperfeed demo`
    python scripts/screenshots.py --url http://127.0.0.1:8000 --user ada --password '…'

Without --url it runs `paperfeed demo` on a free port with a throw-away data directory, makes a
reader account that upvotes three trending papers (so For you has picks), and stops the demo at
the end. With --url the signed-in pages (For you, settings) need --user and --password; without
them they are skipped. Images are viewport-only and, when `pngquant` is installed, quantized, so
each stays around 150 KB or less; the index is docs/screenshots/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE_BUDGET = 150_000  # bytes per image: the gallery lives in the repository
READER, READER_PASSWORD = "reader", "a long and unusual passphrase 42"
WIDTHS = {1280: {"width": 1280, "height": 800}, 390: {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    title: str
    signed_in: bool = False


SHOTS = [
    Shot("front", "/papers", "Daily papers (the front page)"),
    Shot("paper", "/papers/2410.18693", "A paper page"),
    Shot("search", "/papers/search?q=long+context+language+models", "Search results"),
    Shot("trending", "/papers/trending", "Trending"),
    Shot("for-you", "/for-you", "For you (signed in)", signed_in=True),
    Shot("settings", "/settings/personal", "Interests and mutes (signed in)", signed_in=True),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--url", help="base URL of a running paperfeed (default: start a demo)")
    parser.add_argument("--user", help="account for the signed-in pages (with --url)")
    parser.add_argument("--password", help="its password (with --url)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where the PNGs go")
    parser.add_argument("--chromium", default=shutil.which("chromium"), help="Chromium to drive (default: Debian's)")
    parser.add_argument("--only", nargs="*", choices=[s.name for s in SHOTS], help="just these pages")
    args = parser.parse_args()
    if not args.chromium:
        parser.error("Chromium is needed: apt-get install chromium, or give --chromium")
    shots = [s for s in SHOTS if not args.only or s.name in args.only]
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        if args.url:
            url = args.url.rstrip("/")
            state = log_in(browser, url, args.user, args.password) if args.user and args.password else None
            made = take(browser, url, shots, args.out, state)
        else:
            with own_demo() as (url, run):
                state = log_in(browser, url, READER, READER_PASSWORD, upvotes=3)
                run("recommend")  # For you's picks, for sites that compute them on a schedule
                made = take(browser, url, shots, args.out, state)
        browser.close()
    write_index(args.out)
    too_big = [f"{p.name} ({p.stat().st_size // 1000} KB)" for p in made if p.stat().st_size > SIZE_BUDGET]
    print(f"{len(made)} screenshots in {args.out}")
    if too_big:
        print("over the size budget:", ", ".join(too_big), file=sys.stderr)
    return 1 if too_big else 0


def take(browser, url, shots, out, state) -> list[Path]:
    made = []
    for width, viewport in WIDTHS.items():
        for scheme in SCHEMES:
            phone = width < 600
            # Phones get their usual 2× pixels (sharp text); desktops 1× keeps the files small.
            context = browser.new_context(viewport=viewport, color_scheme=scheme, is_mobile=phone, has_touch=phone,
                                          device_scale_factor=2 if phone else 1, storage_state=state)
            page = context.new_page()
            for shot in shots:
                if shot.signed_in and state is None:
                    print(f"skipping {shot.name}: no --user/--password", file=sys.stderr)
                    continue
                page.goto(url + shot.path, wait_until="networkidle")
                target = out / f"{shot.name}-{width}-{scheme}.png"
                page.screenshot(path=str(target))  # the viewport: what a person sees first
                shrink(target)
                made.append(target)
            context.close()
    return made


def log_in(browser, url, user, password, upvotes: int = 0) -> dict:
    """The account's cookies, from the log-in form; first `upvotes` trending papers get its vote."""
    from playwright.sync_api import expect

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/login")
    main = page.get_by_role("main")
    main.get_by_label("Username").fill(user)
    main.get_by_label("Password").fill(password)
    main.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda u: "/login" not in u)
    if upvotes:
        page.goto(f"{url}/papers/trending")
        not_voted = page.get_by_role("main").get_by_role("button", name=re.compile("upvote", re.I), pressed=False)
        for _ in range(min(upvotes, not_voted.count())):
            left = not_voted.count()
            not_voted.first.click()
            expect(not_voted).to_have_count(left - 1)
    state = context.storage_state()
    context.close()
    return state


def shrink(png: Path) -> None:
    """Quantize to a palette with pngquant when it is installed (screenshots are flat colours)."""
    if shutil.which("pngquant"):
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--strip", "--quality", "65-90",
                        "--output", str(png), str(png)], check=False)


def write_index(out: Path) -> None:
    """docs/screenshots/README.md: every page of the gallery, each width and scheme."""
    lines = ["# Screenshots", "",
             "Made by `scripts/screenshots.py`; run it again after changing a page (`--help` says how).",
             "Desktop is 1280 × 800 px, phone 390 × 844 px (at 2× pixels); each image is the first screen",
             "a person sees, in the light and the dark colour scheme.", ""]
    for shot in SHOTS:
        lines += [f"## {shot.title}", "", f"`{shot.path}`", ""]
        lines += [f"| {w} px light | {w} px dark |\n|---|---|\n| ![{shot.name} {w} light]({shot.name}-{w}-light.png) "
                  f"| ![{shot.name} {w} dark]({shot.name}-{w}-dark.png) |\n" for w in WIDTHS]
    (out / "README.md").write_text("\n".join(lines))


@contextmanager
def own_demo():
    """`paperfeed demo` on a free port with a data directory that is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="paperfeed-screenshots-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env["PAPERFEED_DATA_DIR"] = data_dir
        paperfeed = [sys.executable, "-m", "paperfeed"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = open(Path(data_dir) / "demo.log", "w")
        demo = subprocess.Popen([*paperfeed, "demo", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/healthz", demo, Path(data_dir) / "demo.log")

            def run(*command: str, stdin: str = "") -> None:
                subprocess.run([*paperfeed, *command], input=stdin, env=env, text=True, check=True,
                               capture_output=True, timeout=600)

            run("user", "add", "--email", f"{READER}@example.org", READER, stdin=READER_PASSWORD + "\n")
            yield url, run
        finally:
            demo.terminate()
            demo.wait(timeout=30)
            log.close()


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"paperfeed demo exited:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"paperfeed demo did not answer at {url} within {timeout:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
