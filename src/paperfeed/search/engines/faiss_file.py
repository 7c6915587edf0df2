"""The file vector store: all paper embeddings of one model in a faiss index on disk.

The SQLite engine's vector part, and the PostgreSQL engine's with PAPERFEED_VECTOR_STORE=file.

Built by `paperfeed index` from the PaperVector rows, loaded read-only by each web worker
(and reloaded when a newer file appears). Vectors are held as 16-bit floats — 768 bytes per
paper for MiniLM, against 1,536 for float32 — searched exactly below PAPERFEED_ANN_THRESHOLD
papers and through an HNSW graph above it. 8-bit codes would halve that again, but their
score error showed in the fused ranking (nDCG@10 on SciFact train 0.740 against 0.744).
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

from typing import TYPE_CHECKING

from django.conf import settings

from paperfeed.search.engines.base import HNSW_EF_SEARCH, HNSW_M, Neighbour, Progress, VectorIndex, VectorStore

# faiss and numpy (~0.15 s of CPU) are imported where vectors are handled: every `paperfeed`
# command imports this module (Django's checks load the URLs, and so the views), and most
# never touch a vector.
if TYPE_CHECKING:
    import faiss
    import numpy as np

# Measured at a million papers (docs/benchmarks.md): with 80 the graph's recall@10 stalled
# at ~0.94 whatever efSearch; a better-built graph costs build time, once, not query time.
HNSW_EF_CONSTRUCTION = 200


def index_dir(model: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", model).strip("-") or "model"
    return settings.DATA_DIR / "vectors" / slug


def build_index(vectors: np.ndarray, approximate: bool) -> faiss.Index:
    """An inner-product index of float16 vectors over unit vectors (so scores are cosines)."""
    import faiss

    dimensions = vectors.shape[1]
    if approximate:
        index = faiss.IndexHNSWSQ(dimensions, faiss.ScalarQuantizer.QT_fp16, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexScalarQuantizer(dimensions, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    index.train(vectors)
    index.add(vectors)
    return index


def write_index(model: str, paper_ids: np.ndarray, vectors: np.ndarray) -> Path:
    """Write index, ids and a manifest atomically (readers never see a half-written set)."""
    import faiss
    import numpy as np

    directory = index_dir(model)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    order = np.argsort(paper_ids, kind="stable")  # readers binary-search the ids
    paper_ids, vectors = paper_ids[order], vectors[order] if len(paper_ids) else vectors
    approximate = len(paper_ids) > settings.PAPERFEED_ANN_THRESHOLD
    index = build_index(vectors, approximate) if len(paper_ids) else None
    tmp = directory / f".build-{os.getpid()}"
    tmp.mkdir(mode=0o700, exist_ok=True)
    np.save(tmp / "ids.npy", paper_ids.astype(np.int64))
    if index is not None:
        faiss.write_index(index, str(tmp / "index.faiss"))
    manifest = {"model": model, "papers": int(len(paper_ids)), "approximate": approximate,
                "dimensions": int(vectors.shape[1]) if len(paper_ids) else 0}
    (tmp / "manifest.json").write_text(json.dumps(manifest))
    # Swap the directory in with one rename per file, manifest last: a reader loads the
    # manifest first and the files it names after, and files are replaced, never edited.
    for name in ("ids.npy", "index.faiss"):
        if (tmp / name).exists():
            os.replace(tmp / name, directory / name)
    os.replace(tmp / "manifest.json", directory / "manifest.json")
    tmp.rmdir()
    return directory


class FileVectorIndex(VectorIndex):
    """A loaded index; `search` maps query vectors to paper ids."""

    def __init__(self, directory: Path):
        import faiss
        import numpy as np

        self.directory = directory
        manifest_path = directory / "manifest.json"
        self.stamp = manifest_path.stat().st_mtime_ns
        self.manifest = json.loads(manifest_path.read_text())
        self.ids = np.load(directory / "ids.npy")
        self.index = faiss.read_index(str(directory / "index.faiss")) if len(self.ids) else None
        if self.index is not None and self.manifest.get("approximate"):
            self.index.hnsw.efSearch = HNSW_EF_SEARCH

    def __len__(self) -> int:
        return len(self.ids)

    def __bool__(self) -> bool:
        return len(self.ids) > 0

    def search(self, query: np.ndarray, k: int) -> list[Neighbour]:
        if self.index is None or k <= 0:
            return []
        import numpy as np

        scores, positions = self.index.search(query.reshape(1, -1).astype(np.float32), min(k, len(self.ids)))
        return [Neighbour(int(self.ids[p]), float(s)) for s, p in zip(scores[0], positions[0]) if p >= 0]

    def _position(self, paper_id: int) -> int | None:
        # ids are written in ascending order: a binary search, not a per-worker dict of
        # every paper (which would cost ~100 bytes a paper at a million papers).
        import numpy as np

        i = int(np.searchsorted(self.ids, paper_id))
        return i if i < len(self.ids) and self.ids[i] == paper_id else None

    def similarities(self, query: np.ndarray, paper_ids: list[int]) -> dict[int, float]:
        """Cosine of the query with each given paper that has a vector."""
        positions = [(pid, p) for pid in paper_ids if (p := self._position(pid)) is not None]
        if self.index is None or not positions:
            return {}
        import numpy as np

        vectors = np.vstack([self.index.reconstruct(p) for _, p in positions])
        scores = vectors @ query.astype(np.float32)
        return {pid: float(score) for (pid, _), score in zip(positions, scores)}

    def vector_of(self, paper_id: int) -> np.ndarray | None:
        position = self._position(paper_id)
        if position is None or self.index is None:
            return None
        return self.index.reconstruct(position)


_loaded: dict[str, FileVectorIndex] = {}
_load_lock = threading.Lock()


def load_vectors(model: str, using: str = "default") -> tuple[np.ndarray, np.ndarray]:
    """Every stored vector of `model` as (paper ids, float32 matrix), by paper id."""
    import numpy as np

    from paperfeed.search.models import PaperVector

    ids, rows = [], []
    last = 0
    while True:
        chunk = list(
            PaperVector.objects.using(using).filter(model=model, paper_id__gt=last).order_by("paper_id")
            .values_list("paper_id", "vector")[:20_000]
        )
        if not chunk:
            break
        last = chunk[-1][0]
        for paper_id, blob in chunk:
            ids.append(paper_id)
            rows.append(np.frombuffer(bytes(blob), dtype="<f2"))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    return np.asarray(ids, dtype=np.int64), np.vstack(rows).astype(np.float32)


class FileVectorStore(VectorStore):
    """Built by `paperfeed index`, loaded read-only by each web worker, reloaded when
    `paperfeed index` wrote a newer one."""

    name = "file"

    def current_index(self, model: str) -> FileVectorIndex | None:
        directory = index_dir(model)
        try:
            stamp = (directory / "manifest.json").stat().st_mtime_ns
        except FileNotFoundError:
            return None
        with _load_lock:
            loaded = _loaded.get(model)
            if loaded is None or loaded.stamp != stamp:
                loaded = _loaded[model] = FileVectorIndex(directory)
        return loaded

    def write(self, model: str, progress: Progress | None = None) -> int:
        """Write the file index anew from the stored vectors."""
        ids, vectors = load_vectors(model, self.using)
        write_index(model, ids, vectors)
        return len(ids)
