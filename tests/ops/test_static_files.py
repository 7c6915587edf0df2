"""Static files: hashed names, far-future immutable caching, gzip and Brotli copies, collected
once and then found up to date. In-process, against the run's shared static root (the one the
child servers use: tests/settings.py), so the collection is paid once per run."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path

import brotli
import pytest
from django.test import Client, override_settings

from paperfeed.core import static_storage

LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')


@pytest.fixture
def collected():
    root = Path(os.environ["PAPERFEED_STATIC_ROOT"])
    with override_settings(STATIC_ROOT=root):
        static_storage.collect()
        yield root


def test_a_second_collection_finds_everything_up_to_date(collected):
    assert (collected / "staticfiles.json").exists()
    assert static_storage.collect().files == 0
    assert str(static_storage.collect()) == "static files: up to date"


def test_pages_link_hashed_files_sent_immutable_and_compressed(collected, sample_db, db):
    client = Client(HTTP_HOST="127.0.0.1")  # a new client: WhiteNoise reads the new root
    page = client.get("/papers").content.decode()
    links = LINK.findall(page)
    assert links and all(re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", link) for link in links), links
    for link in links:
        plain = client.get(link)
        assert plain.status_code == 200, link
        assert "immutable" in plain["Cache-Control"] and "max-age=315360000" in plain["Cache-Control"]
        body = b"".join(plain.streaming_content)
        for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            packed = client.get(link, HTTP_ACCEPT_ENCODING=encoding)
            assert packed["Content-Encoding"] == encoding, link
            assert decompress(b"".join(packed.streaming_content)) == body
            assert "Accept-Encoding" in packed["Vary"]


def test_katex_fonts_are_named_by_hash_in_its_css(collected):
    client = Client(HTTP_HOST="127.0.0.1")
    css_name = static_storage.SiteStaticStorage(location=collected).stored_name("vendor/katex/katex.min.css")
    css = (collected / css_name).read_text()
    fonts = re.findall(r'url\("?(fonts/[^")]+\.woff2)"?\)', css)
    assert len(fonts) == 20 and all(re.search(r"\.[0-9a-f]{12}\.woff2$", font) for font in fonts)
    for font in fonts:
        response = client.get(f"/static/vendor/katex/{font}")
        assert response.status_code == 200 and "immutable" in response["Cache-Control"], font


def test_a_changed_added_or_removed_static_file_changes_the_fingerprint(tmp_path, settings):
    # What makes `serve` collect again after an upgrade, and only then: the stamp it compares.
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "site.css").write_text("a{}")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, extra]
    first = static_storage.fingerprint()
    assert static_storage.fingerprint() == first
    (extra / "site.css").write_text("a{color:red}")
    changed = static_storage.fingerprint()
    assert changed != first
    (extra / "new.js").write_text("")
    assert static_storage.fingerprint() != changed
    (extra / "new.js").unlink()
    assert static_storage.fingerprint() == changed
