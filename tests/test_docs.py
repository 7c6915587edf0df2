"""The docs stay a map that fits in one read and whose links lead somewhere.

docs/architecture.md is the overview: at most 200 lines, naming every folder of the code, so
a new app cannot be added without its line; the detail lives on the pages it links.
"""

from __future__ import annotations

import re
from pathlib import Path

from .conftest import REPO_ROOT

DOCS = REPO_ROOT / "docs"
ARCHITECTURE = DOCS / "architecture.md"
PACKAGE = REPO_ROOT / "src" / "paperfeed"
MAX_LINES = 200
# [text](target) and ![alt](target), with an optional "title".
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def code_folders() -> list[str]:
    """Every folder of src/paperfeed/, and the apps inside a folder that only groups apps
    (community/); search/engines/ is named for its contract."""
    folders = []
    for path in sorted(PACKAGE.iterdir()):
        if not path.is_dir() or path.name.startswith(("_", ".")):
            continue
        folders.append(f"{path.name}/")
        if not (path / "apps.py").exists():
            folders += [f"{path.name}/{app.name}/" for app in sorted(path.iterdir()) if (app / "apps.py").exists()]
    return folders + ["search/engines/"]


def test_architecture_fits_in_one_read():
    lines = ARCHITECTURE.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_LINES, f"docs/architecture.md has {len(lines)} lines: move detail to a page under docs/features/"


def test_architecture_names_every_folder():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    folders = code_folders()
    assert {"api/", "community/accounts/", "core/", "search/", "templates/", "static/"} <= set(folders)
    missing = [folder for folder in folders if f"`{folder}`" not in text]
    assert not missing, f"folders of src/paperfeed/ without a line in docs/architecture.md: {missing}"


def relative_links(path: Path) -> list[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return [target for target in _LINK.findall(text) if not re.match(r"[a-z][a-z0-9+.-]*:|#", target)]


def test_every_relative_link_leads_to_a_file():
    pages = sorted(DOCS.rglob("*.md")) + [REPO_ROOT / "README.md"]
    assert ARCHITECTURE in pages and len(pages) > 10
    broken = []
    for page in pages:
        for target in relative_links(page):
            if not (page.parent / target.split("#", 1)[0]).exists():
                broken.append(f"{page.relative_to(REPO_ROOT)} → {target}")
    assert not broken, "links to nothing:\n" + "\n".join(broken)


def test_the_link_check_sees_links(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "[a](other.md) ![b](img/x.png \"title\") [c](https://example.org) [d](#top) [e](../up.md#part)\n"
        "```\n[not a link](inside-code.md)\n```\n",
        encoding="utf-8",
    )
    assert relative_links(page) == ["other.md", "img/x.png", "../up.md#part"]
