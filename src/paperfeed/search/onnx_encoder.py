"""The sentence encoder on ONNX Runtime with 8-bit weights: the default runtime.

On two CPU cores it embeds abstracts about twice as fast as PyTorch in float32 and a short
query in about a third of the time, while its vectors stay within a cosine of ~0.99 of
PyTorch's and the fused ranking keeps its quality (docs/benchmarks.md). Weights are
quantised per output channel: per-tensor scales (ONNX Runtime's default) moved some vectors
as far as cosine 0.88 from the float32 ones.

The ONNX file is made from the sentence-transformers model (PyTorch export, then dynamic
quantisation: `export_int8`). The default model's file ships with paperfeed, made by
scripts/make_onnx_model.py (search/shipped_model.py); another model's is made on first use
and cached in PAPERFEED_MODEL_CACHE, which needs the `torch` extra once. Running the file
needs neither PyTorch nor the float32 weights, only ONNX Runtime and the tokenizer. Only the
shape of model MiniLM has is supported — a BERT-style transformer with mean pooling — other
models run on PyTorch (`supports`).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

# Bump when the export or quantisation recipe changes, so cached files are remade.
RECIPE = "int8-per-channel-v1"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Abstracts are embedded in small length-sorted batches: on two cores a batch of 8 ran
# faster than 32 (less padding, activations that stay in cache).
BATCH = 8


def supports(model_dir: Path) -> bool:
    """A local sentence-transformers model of Transformer → mean Pooling (→ Normalize)."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = next(m for m in modules if m["type"].endswith("Pooling"))
        pooling_config = json.loads((model_dir / pooling["path"] / "config.json").read_text())
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    mean_only = pooling_config.get("pooling_mode_mean_tokens") and not any(
        pooling_config.get(key) for key in ("pooling_mode_cls_token", "pooling_mode_max_tokens",
                                            "pooling_mode_mean_sqrt_len_tokens")
    )
    return (
        kinds[:2] == ["Transformer", "Pooling"]
        and set(kinds[2:]) <= {"Normalize"}
        and bool(mean_only)
        and (model_dir / "tokenizer.json").is_file()
    )


def export_int8(model_dir: Path, target: Path) -> Path:
    """Export the transformer to ONNX and quantise its weights to int8 (a few seconds, once).

    Written to a temporary name and renamed: several web workers may race to make it.
    """
    import logging
    import warnings

    import torch
    from transformers import AutoModel

    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Eager attention exports as plain operators ONNX Runtime fuses; the default (SDPA) too,
    # but eager is the one every transformers version exports the same way.
    transformer = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    example = tuple(torch.ones((1, 4), dtype=torch.long) for _ in INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "hidden")}
    # The exporter's and quantiser's advice (opset notes, "consider pre-processing") is for
    # other models; this recipe is checked by its own test. Keep stderr for real problems.
    quiet = logging.getLogger("root"), logging.getLogger("onnxruntime")
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _export_and_quantise(LastHiddenState(transformer), example, axes, target)
    finally:
        for logger, level in zip(quiet, levels):
            logger.setLevel(level)
    return target


def _export_and_quantise(module, example, axes, target: Path) -> None:
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        float_file = Path(tmp) / "float32.onnx"
        with torch.inference_mode():
            torch.onnx.export(module, example, str(float_file), dynamo=False,
                              input_names=list(INPUTS), output_names=["hidden"], dynamic_axes=axes, opset_version=17)
        partial = Path(tmp) / "int8.onnx"
        quantize_dynamic(str(float_file), str(partial), weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        os.replace(partial, target)


class OnnxEncoder:
    """Tokenise, run the int8 transformer, mean-pool over real tokens, normalise."""

    def __init__(self, model_file: Path, tokenizer_file: Path, max_tokens: int, threads: int | None = None):
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        # The model's tokenizer.json pads every text to a fixed 128 tokens; pad only to the
        # longest text of a batch (a query is never padded) and cut at the configured length.
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("[PAD]") or 0, pad_token="[PAD]")
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.dimensions = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int = BATCH) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        # Length-sorted batches: texts of one batch pad to nearly the same length.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        for start in range(0, len(order), batch_size):
            positions = order[start : start + batch_size]
            out[positions] = self._encode_batch([texts[i] for i in positions])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, {name: feed[name] for name in self.inputs})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
