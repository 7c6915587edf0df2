"""Export the sample papers' embeddings so the demo ships them and needs no embedding run.

Run against a data directory where the sample was loaded and indexed:

    PAPERFEED_DATA_DIR=/tmp/sample-vectors .venv/bin/paperfeed demo --no-serve
    PAPERFEED_DATA_DIR=/tmp/sample-vectors .venv/bin/paperfeed index
    PAPERFEED_DATA_DIR=/tmp/sample-vectors .venv/bin/python scripts/export_sample_vectors.py

Writes src/paperfeed/sample/vectors.npz: the model name, arXiv ids, the digest of the text
each vector was made from, and float16 vectors, sorted by id (deterministic bytes).
"""

from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path

import django
import numpy as np

OUT = Path(__file__).resolve().parents[1] / "src" / "paperfeed" / "sample" / "vectors.npz"


def main() -> int:
    if "--help" in sys.argv or "-h" in sys.argv:
        print(__doc__)
        return 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    django.setup()
    from django.conf import settings

    from paperfeed.search.models import PaperVector

    model = settings.PAPERFEED_EMBEDDING_MODEL
    rows = sorted(PaperVector.objects.filter(model=model).values_list("paper__arxiv_id", "digest", "vector"))
    if not rows:
        print(f"no vectors of {model} in {settings.DATA_DIR}: run `paperfeed index` first", file=sys.stderr)
        return 1
    arrays = {
        "model": np.array(model),
        "arxiv_ids": np.array([r[0] for r in rows]),
        "digests": np.array([r[1] for r in rows]),
        "vectors": np.vstack([np.frombuffer(bytes(r[2]), dtype="<f2") for r in rows]),
    }
    # np.savez_compressed stamps the time into the zip; write members with a fixed date.
    with zipfile.ZipFile(OUT, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())
    print(f"wrote {len(rows):,} vectors of {model} to {OUT} ({OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
