"""Test fixtures for the export tests (run by the JUnit tests in models/src/test/java).

    export_fixture.py checkpoint --classes N --seed S --out FILE [--rename-key OLD NEW]
        a checkpoint of a randomly initialised LiLNet network in the authors' format; --rename-key renames one
        state_dict key (given without the 'module.' prefix) to make a checkpoint that must be refused
    export_fixture.py reference --checkpoint FILE --onnx FILE --batch B --seed S --out-dir DIR
        a fixed input batch (x/255*2-1 of random 8-bit pixels) and the PyTorch model's aggregated logits for it,
        as little-endian float32 files input.f32 [B,3,224,224] and logits.f32 [B,N], with reference.json
        (shapes, the ONNX file's opsets, PyTorch eager time)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch

torch.set_num_threads(2)  # the reference forward pass is the slow part of the fixture

TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools")
sys.path.insert(0, os.path.abspath(TOOLS))
from lilnet_classifier import INPUT_SIZE, load_classifier  # noqa: E402
from make_random_classifiers import random_network, save_checkpoint  # noqa: E402


def checkpoint(args) -> None:
    model = random_network(args.classes, args.seed)
    save_checkpoint(model, args.out)
    if args.rename_key:
        old, new = args.rename_key
        ckpt = torch.load(args.out, map_location="cpu")
        sd = ckpt["state_dict"]
        if f"module.{old}" not in sd:
            raise SystemExit(f"no key {old} to rename")
        ckpt["state_dict"] = {(f"module.{new}" if k == f"module.{old}" else k): v for k, v in sd.items()}
        torch.save(ckpt, args.out)


def fixed_input(batch: int, seed: int) -> torch.Tensor:
    """Crops as the classifier worker feeds them: 8-bit grey replicated to RGB, x/255*2-1."""
    rng = np.random.default_rng(seed)
    grey = rng.integers(0, 256, size=(batch, 1, INPUT_SIZE, INPUT_SIZE)).astype(np.float32)
    return torch.from_numpy(np.repeat(grey / 255.0 * 2.0 - 1.0, 3, axis=1).astype(np.float32))


def reference(args) -> None:
    model = load_classifier(args.checkpoint)
    x = fixed_input(args.batch, args.seed)
    started = time.perf_counter()
    with torch.no_grad():
        logits = model(x)
    eager_ms = (time.perf_counter() - started) * 1000
    os.makedirs(args.out_dir, exist_ok=True)
    x.numpy().astype("<f4").tofile(os.path.join(args.out_dir, "input.f32"))
    logits.numpy().astype("<f4").tofile(os.path.join(args.out_dir, "logits.f32"))
    graph = onnx.load(args.onnx, load_external_data=False)
    info = {
        "inputShape": list(x.shape),
        "logitsShape": list(logits.shape),
        "onnxOpsets": [o.version for o in graph.opset_import if o.domain in ("", "ai.onnx")],
        "torchEagerMillis": round(eager_ms, 1),
        "torchThreads": torch.get_num_threads(),
    }
    with open(os.path.join(args.out_dir, "reference.json"), "w") as f:
        json.dump(info, f, indent=2)
    print(json.dumps(info))


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("checkpoint")
    c.add_argument("--classes", type=int, required=True)
    c.add_argument("--seed", type=int, required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--rename-key", nargs=2, metavar=("OLD", "NEW"))
    r = sub.add_parser("reference")
    r.add_argument("--checkpoint", required=True)
    r.add_argument("--onnx", required=True)
    r.add_argument("--batch", type=int, required=True)
    r.add_argument("--seed", type=int, required=True)
    r.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    {"checkpoint": checkpoint, "reference": reference}[args.command](args)


if __name__ == "__main__":
    main()
