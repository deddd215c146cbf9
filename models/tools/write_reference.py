#!/usr/bin/python3
"""Writes models/phantom-reference.json: outputs of the trained PyTorch models on fixed synthetic inputs, so that
a test can check that the exported ONNX graphs, run by ONNX Runtime in Java, compute the same numbers.

    /usr/bin/python3 models/tools/write_reference.py --detector-checkpoint W/detector.pt \\
        --classifier-checkpoint W/classifiers.pt --out models/phantom-reference.json

The inputs are formulas (no data file): an 8-bit 512x512 slice with a ramp texture, a bright disc and a dark
disc, and its 224x224 crop centred on the bright disc; both go through the contract's scaling.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_common  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from phantom_data import classifier_input, crop_box, detector_input  # noqa: E402
from phantom_models import OneHead, load_trained  # noqa: E402


def pattern() -> np.ndarray:
    """value(r, c) = 60 + (3r + 5c) mod 64; a disc of 200 (radius 20) at (200, 300); a disc of 30 (radius 12) at
    (350, 150). The same formula is in the Java test."""
    r, c = np.mgrid[0:512, 0:512]
    img = 60 + (3 * r + 5 * c) % 64
    img[(r - 200) ** 2 + (c - 300) ** 2 <= 20 ** 2] = 200
    img[(r - 350) ** 2 + (c - 150) ** 2 <= 12 ** 2] = 30
    return img.astype(np.uint8)


ANCHORS = list(range(0, 5376, 97)) + [5375]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--detector-checkpoint", required=True)
    p.add_argument("--classifier-checkpoint", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    train_common.setup(7, 2)
    detector, classifiers = load_trained(args.detector_checkpoint, args.classifier_checkpoint)
    img = pattern()
    crop = crop_box(img, (280, 180, 320, 220))
    with torch.no_grad():
        out = detector(torch.from_numpy(detector_input(img[None])))[0].numpy()
        x = torch.from_numpy(classifier_input(crop[None]))
        logits = {role: OneHead(classifiers, role).eval()(x)[0].tolist() for role in ("bm", "m", "b")}
    best = int(np.argmax(out[4]))
    ref = {"about": "models/tools/write_reference.py: PyTorch outputs for the formula inputs described there",
           "detector": {"anchors": ANCHORS + [best], "values": [[float(out[r, a]) for r in range(5)] for a in ANCHORS + [best]]},
           "crop": {"box": [280, 180, 320, 220], "sum": int(crop.astype(np.int64).sum())},
           "classifiers": logits}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}: best anchor {best} score {out[4, best]:.4f}, logits {logits}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
