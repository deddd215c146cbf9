#!/usr/bin/python3
"""Checks an ONNX detector against the detector contract and writes its entry into a model manifest.

    yolo export model=best.pt format=onnx imgsz=512 opset=17        # Ultralytics, on a machine that has it
    /usr/bin/python3 models/tools/add_detector.py best.onnx --checkpoint best.pt --manifest /srv/lilnet/models/manifest.json

The contract (shared/docs/MODEL-CONTRACT.md, INTERFACES.md): one float32 input [B, 3, 512, 512], one float32 output
[B, 4 + classes, anchors] with anchors = 5376 at 512 (strides 8, 16, 32), rows cx, cy, w, h then one score per class.
A dimension the graph leaves symbolic (Ultralytics' dynamic=True) is accepted: we feed 512x512 and any batch. The file
is copied next to the manifest if it is elsewhere. Exit status: 0 added, 2 the file does not fit (message on stderr).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import sys
import warnings

import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_manifest import ManifestError, put_entry, relative_file, sha256_of  # noqa: E402

IMAGE_SIZE = 512
STRIDES = (8, 16, 32)
ANCHORS = sum((IMAGE_SIZE // s) ** 2 for s in STRIDES)  # 4096 + 1024 + 256 = 5376
DEFAULT_LABELS = ["lesion"]  # LiLNet's detector has one class


class DetectorMismatch(Exception):
    """An ONNX file that is not a detector of the contract's shape."""


def _dims(value_info) -> list:
    return [d.dim_param or (d.dim_value if d.HasField("dim_value") else "?")
            for d in value_info.type.tensor_type.shape.dim]


def _fits(dim, want: int) -> bool:
    return isinstance(dim, str) or dim == want  # symbolic dims are dynamic


def _yolo_names(model) -> list[str] | None:
    """Class names Ultralytics writes into the ONNX metadata ("names": "{0: 'lesion'}"), if present."""
    meta = {p.key: p.value for p in model.metadata_props}
    try:
        names = ast.literal_eval(meta["names"])
        return [str(names[i]) for i in sorted(names)]
    except (KeyError, ValueError, SyntaxError, TypeError):
        return None


def inspect_detector(onnx_path: str) -> dict:
    """The detector's input/output names and class count; DetectorMismatch naming the difference otherwise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # protobuf's own complaint about a foreign file; we say it plainly
            model = onnx.load(onnx_path, load_external_data=False)
    except Exception as e:
        raise DetectorMismatch(f"{onnx_path}: not an ONNX model ({type(e).__name__}: {e})") from e
    graph = model.graph
    weights = {i.name for i in graph.initializer}
    inputs = [i for i in graph.input if i.name not in weights]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise DetectorMismatch(f"{onnx_path}: has {len(inputs)} inputs and {len(graph.output)} outputs, "
                               f"the detector contract has one of each")
    inp, out = inputs[0], graph.output[0]
    in_dims, out_dims = _dims(inp), _dims(out)
    for value, what in ((inp, "input"), (out, "output")):
        if value.type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
            raise DetectorMismatch(f"{onnx_path}: {what} {value.name!r} is not float32 "
                                   f"(element type {value.type.tensor_type.elem_type})")
    if len(in_dims) != 4 or not _fits(in_dims[1], 3) or not _fits(in_dims[2], IMAGE_SIZE) \
            or not _fits(in_dims[3], IMAGE_SIZE):
        raise DetectorMismatch(f"{onnx_path}: input {inp.name!r} has shape {in_dims}, the contract is "
                               f"[B, 3, {IMAGE_SIZE}, {IMAGE_SIZE}] (export with imgsz={IMAGE_SIZE})")
    if len(out_dims) != 3 or isinstance(out_dims[1], str) or out_dims[1] < 5:
        raise DetectorMismatch(f"{onnx_path}: output {out.name!r} has shape {out_dims}, the contract is "
                               f"[B, 4 + classes, {ANCHORS}] (an Ultralytics detection export without NMS)")
    if not _fits(out_dims[2], ANCHORS):
        raise DetectorMismatch(f"{onnx_path}: output {out.name!r} has {out_dims[2]} anchors, the contract has "
                               f"{ANCHORS} at {IMAGE_SIZE}x{IMAGE_SIZE} (8400 means imgsz=640: export with "
                               f"imgsz={IMAGE_SIZE})")
    for dim, name in ((in_dims[0], "input"), (out_dims[0], "output")):
        if not isinstance(dim, str) and dim != 1:
            raise DetectorMismatch(f"{onnx_path}: {name} batch dimension is fixed at {dim}")
    return {"input": inp.name, "output": out.name, "classes": out_dims[1] - 4,
            "dynamicBatch": isinstance(in_dims[0], str), "names": _yolo_names(model)}


def detector_entry(found: dict, file: str, sha256: str, labels: list[str], name: str, version: str,
                   checkpoint_name: str, checkpoint_sha256: str) -> dict:
    batch = -1 if found["dynamicBatch"] else 1
    return {
        "role": "detector",
        "name": name,
        "version": version,
        "file": file,
        "sha256": sha256,
        "input": {"name": found["input"], "shape": [batch, 3, IMAGE_SIZE, IMAGE_SIZE], "dtype": "float32"},
        "output": {"name": found["output"], "shape": [batch, 4 + found["classes"], ANCHORS], "dtype": "float32"},
        "labels": labels,
        "source": {"kind": "lilnet-checkpoint", "checkpoint": checkpoint_name, "checkpointSha256": checkpoint_sha256},
        "metrics": {"heldOut": {}},
    }


def add_detector(onnx_path: str, checkpoint: str, manifest: str, labels: list[str] | None = None,
                 name: str = "lilnet-detector", version: str = "1.0.0") -> tuple[dict, list[str]]:
    """Checks onnx_path, copies it next to the manifest if needed, writes the entry. Returns (entry, warnings)."""
    if not os.path.isfile(onnx_path):
        raise DetectorMismatch(f"{onnx_path}: no such file")
    if not os.path.isfile(checkpoint):
        raise DetectorMismatch(f"{checkpoint}: no such file (the .pt the ONNX file was exported from)")
    found = inspect_detector(onnx_path)
    labels = labels or found["names"] or DEFAULT_LABELS
    if len(labels) != found["classes"]:
        raise DetectorMismatch(f"{onnx_path}: {found['classes']} class score rows but {len(labels)} labels {labels}")
    warnings = []
    if found["names"] and found["names"] != labels:
        warnings.append(f"the ONNX metadata names the classes {found['names']}, the manifest gets {labels}")
    if not found["dynamicBatch"]:
        warnings.append("the batch is fixed at 1 (exported without dynamic=True): the detector worker runs one "
                        "slice per inference; export with dynamic=True to batch slices")
    target = os.path.join(os.path.dirname(os.path.abspath(manifest)), os.path.basename(onnx_path))
    try:
        file = relative_file(manifest, onnx_path)
    except ManifestError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(onnx_path, target)
        file = relative_file(manifest, target)
        warnings.append(f"copied {onnx_path} to {target}")
    path = os.path.join(os.path.dirname(os.path.abspath(manifest)), file)
    entry = detector_entry(found, file, sha256_of(path), labels, name, version,
                           os.path.basename(checkpoint), sha256_of(checkpoint))
    put_entry(manifest, entry)
    return entry, warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("onnx", help="the exported detector (yolo export ... format=onnx imgsz=512)")
    parser.add_argument("--checkpoint", required=True, help="the .pt it was exported from (its sha256 is recorded)")
    parser.add_argument("--manifest", required=True, help="manifest.json to create or update")
    parser.add_argument("--labels", help="comma-separated class names (default: from the ONNX metadata, "
                                         "else 'lesion')")
    parser.add_argument("--name", default="lilnet-detector", help="model name in the manifest")
    parser.add_argument("--version", default="1.0.0", help="model version in the manifest")
    args = parser.parse_args(argv)
    labels = [s.strip() for s in args.labels.split(",")] if args.labels else None
    try:
        entry, warnings = add_detector(args.onnx, args.checkpoint, args.manifest, labels, args.name, args.version)
    except (DetectorMismatch, ManifestError) as e:
        print(f"add_detector: {e}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"add_detector: note: {warning}", file=sys.stderr)
    print(json.dumps(entry, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
