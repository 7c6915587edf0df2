"""The `torch` extra: the float32 reference runtime, and the export other models get on first
use. The only tests that load PyTorch; skipped on an install without the extra."""

import numpy as np
import pytest

from paperfeed.search import shipped_model
from paperfeed.search.embedder import Embedder, model_location, onnx_model_file

pytest.importorskip("sentence_transformers", reason="needs the torch extra: pip install 'paperfeed[torch]'")

TEXTS = [
    "Stateless optimizers for training large language models",
    "Protein structure prediction with attention networks. " * 40,  # longer than the token limit
    "Galaxy rotation curves without dark matter",
]


def test_the_shipped_int8_vectors_agree_with_the_float32_reference():
    fast, reference = Embedder(runtime="onnx-int8"), Embedder(runtime="torch")
    assert fast.runtime_used == "onnx-int8" and reference.runtime_used == "torch"
    a, b = fast.encode(TEXTS), reference.encode(TEXTS)
    assert a.shape == b.shape == (3, 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    cosines = (a * b).sum(axis=1)
    assert cosines.min() > 0.97, cosines
    # Padding is masked out of the mean; what a batch still shifts is the int8 scale of the
    # activations (one per batch), by about as much as quantising does at all.
    one_by_one = np.vstack([fast.encode([t]) for t in TEXTS])
    assert (one_by_one * a).sum(axis=1).min() > 0.98
    assert (one_by_one * b).sum(axis=1).min() > 0.97


def test_another_model_is_exported_on_first_use_with_the_shipped_recipe(settings, tmp_path):
    # The default's float32 weights named by path stand for "another model": the export made
    # on first use is the shipped file, byte for byte (the recipe is deterministic).
    settings.PAPERFEED_MODEL_CACHE = tmp_path
    path = model_location("all-MiniLM-L6-v2")
    other = Embedder(name=path, runtime="onnx-int8", threads=1)
    assert other.runtime_used == "onnx-int8"
    made = onnx_model_file(path)
    assert made.parent.parent == tmp_path
    assert shipped_model.sha256_of(made) == shipped_model.sha256_of(shipped_model.MODEL_DIR / shipped_model.MODEL_FILE)
    assert other.encode(["graph neural networks"]).shape == (1, 384)
