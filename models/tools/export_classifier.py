#!/usr/bin/python3
"""Exports a LiLNet classifier checkpoint (.pth.tar) to ONNX and writes its entry into a model manifest.

    /usr/bin/python3 models/tools/export_classifier.py Time_BM.pth.tar --role bm --manifest /srv/lilnet/models/manifest.json

The checkpoint is loaded strictly (every key of the architecture present, nothing else, shapes equal): the authors'
own loader uses strict=False, which would silently serve random weights. The ONNX graph contains the aggregation
(mean over the 5 feature-mask variants and the two heads) and maps `images [B, 3, 224, 224]` to `logits [B, N]`,
B dynamic. Exit status: 0 exported, 2 the checkpoint or manifest does not fit (message on stderr), 1 other errors.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import warnings

import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lilnet_classifier import (HEAD_ACTIVATIONS, INPUT_SIZE, ROLE_LABELS, CheckpointMismatch,  # noqa: E402
                               LiLNetClassifier, load_classifier)
from export_manifest import ManifestError, put_entry, relative_file, sha256_of  # noqa: E402

INPUT_NAME = "images"
OUTPUT_NAME = "logits"
MAX_OPSET = 17  # what ONNX Runtime and the contract agree on; torch 1.13 exports up to 17


class ExportError(Exception):
    """The exported graph does not have the contract's shape (a bug here, not in the operator's files)."""


def export_onnx(model: LiLNetClassifier, onnx_path: str, opset: int = MAX_OPSET) -> None:
    """Writes model (aggregated logits) as ONNX with a dynamic batch, then checks the graph's inputs and outputs."""
    model.eval()
    example = torch.zeros(2, 3, INPUT_SIZE, INPUT_SIZE)
    os.makedirs(os.path.dirname(os.path.abspath(onnx_path)), exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer chatter about constant shapes; the graph is checked below
        torch.onnx.export(model, example, onnx_path, opset_version=opset, do_constant_folding=True,
                          input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                          dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}})
    check_onnx(onnx_path, model.num_classes, opset)


def _dims(value_info) -> list:
    return [d.dim_param if d.dim_param else d.dim_value for d in value_info.type.tensor_type.shape.dim]


def check_onnx(onnx_path: str, num_classes: int, max_opset: int = MAX_OPSET) -> None:
    onnx.checker.check_model(onnx_path)
    graph_model = onnx.load(onnx_path, load_external_data=False)
    opsets = [o.version for o in graph_model.opset_import if o.domain in ("", "ai.onnx")]
    if not opsets or max(opsets) > max_opset:
        raise ExportError(f"{onnx_path}: opset {opsets} is above {max_opset}")
    graph = graph_model.graph
    weights = {i.name for i in graph.initializer}
    inputs = [i for i in graph.input if i.name not in weights]
    if [i.name for i in inputs] != [INPUT_NAME] or [o.name for o in graph.output] != [OUTPUT_NAME]:
        raise ExportError(f"{onnx_path}: inputs {[i.name for i in inputs]}, outputs {[o.name for o in graph.output]}")
    in_dims, out_dims = _dims(inputs[0]), _dims(graph.output[0])
    float32 = onnx.TensorProto.FLOAT
    if inputs[0].type.tensor_type.elem_type != float32 or graph.output[0].type.tensor_type.elem_type != float32:
        raise ExportError(f"{onnx_path}: input or output is not float32")
    if not isinstance(in_dims[0], str) or in_dims[1:] != [3, INPUT_SIZE, INPUT_SIZE]:
        raise ExportError(f"{onnx_path}: input shape {in_dims}, expected [batch, 3, {INPUT_SIZE}, {INPUT_SIZE}]")
    if not isinstance(out_dims[0], str) or out_dims[1:] != [num_classes]:
        raise ExportError(f"{onnx_path}: output shape {out_dims}, expected [batch, {num_classes}]")


def manifest_entry(role: str, name: str, version: str, file: str, onnx_sha256: str,
                   checkpoint_name: str, checkpoint_sha256: str) -> dict:
    labels = ROLE_LABELS[role]
    return {
        "role": role,
        "name": name,
        "version": version,
        "file": file,
        "sha256": onnx_sha256,
        "input": {"name": INPUT_NAME, "shape": [-1, 3, INPUT_SIZE, INPUT_SIZE], "dtype": "float32"},
        "output": {"name": OUTPUT_NAME, "shape": [-1, len(labels)], "dtype": "float32"},
        "labels": list(labels),
        "source": {"kind": "lilnet-checkpoint", "checkpoint": checkpoint_name, "checkpointSha256": checkpoint_sha256},
        "metrics": {"heldOut": {}},
    }


def export_checkpoint(checkpoint: str, role: str, manifest: str, out: str | None = None, name: str | None = None,
                      version: str = "1.0.0", head_activation: str = "none", opset: int = MAX_OPSET) -> dict:
    """checkpoint -> ONNX next to the manifest + the manifest's entry for role. Returns the entry."""
    labels = ROLE_LABELS[role]
    out = out or os.path.join(os.path.dirname(os.path.abspath(manifest)), f"lilnet-{role}.onnx")
    file = relative_file(manifest, out)  # refuse before the slow part
    model = load_classifier(checkpoint, expected_classes=None, head_activation=head_activation)
    if model.num_classes != len(labels):
        raise CheckpointMismatch(f"{checkpoint} has {model.num_classes} classes, but role {role!r} has "
                                 f"{len(labels)} labels {labels}: is this the right file for {role}?")
    export_onnx(model, out, opset)
    entry = manifest_entry(role, name or f"lilnet-{role}", version, file, sha256_of(out),
                           os.path.basename(checkpoint), sha256_of(checkpoint))
    put_entry(manifest, entry)
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", help="the .pth.tar file (dict with 'state_dict', keys prefixed 'module.')")
    parser.add_argument("--role", required=True, choices=sorted(ROLE_LABELS),
                        help="bm (Time_BM.pth.tar), m (Time_M.pth.tar) or b (Time_B.pth.tar)")
    parser.add_argument("--manifest", required=True, help="manifest.json to create or update (entry replaced by role)")
    parser.add_argument("--out", help="ONNX file to write, inside the manifest's directory "
                                      "(default: lilnet-<role>.onnx next to the manifest)")
    parser.add_argument("--name", help="model name in the manifest (default lilnet-<role>)")
    parser.add_argument("--version", default="1.0.0", help="model version in the manifest (default 1.0.0)")
    parser.add_argument("--head-activation", default="none", choices=HEAD_ACTIVATIONS,
                        help="activation between fc_ens and fc (default none; see models/README.md)")
    parser.add_argument("--opset", type=int, default=MAX_OPSET, help=f"ONNX opset, at most {MAX_OPSET}")
    args = parser.parse_args(argv)
    if args.opset > MAX_OPSET:
        parser.error(f"--opset must be at most {MAX_OPSET}")
    try:
        entry = export_checkpoint(args.checkpoint, args.role, args.manifest, args.out, args.name, args.version,
                                  args.head_activation, args.opset)
    except (CheckpointMismatch, ManifestError, FileNotFoundError) as e:
        print(f"export_classifier: {e}", file=sys.stderr)
        return 2
    print(json.dumps(entry, indent=2))
    print(f"export_classifier: wrote {entry['file']} and its {args.role!r} entry in {args.manifest}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
