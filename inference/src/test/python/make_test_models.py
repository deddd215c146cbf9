#!/usr/bin/python3
"""Writes the small ONNX test models of the inference module (our own, not trained, hand-checkable).

Run with Debian's python3-torch:  /usr/bin/python3 inference/src/test/python/make_test_models.py OUT_DIR

They have the shapes of the model contract (docs: ../shared/docs/MODEL-CONTRACT.md) and outputs a test can
compute by hand, so that unit and integration tests check real ONNX Runtime behaviour without the trained models:

- test-detector.onnx  images [B,3,512,512] -> output0 [B,5,5376] (YOLOv8 layout: cx, cy, w, h, score; anchors of
  strides 8, 16, 32, each grid row-major). Only stride-8 cells fire: score = sigmoid(40 * (mean of the cell's
  channel 0 - 0.75)); the box of a cell is 16x16 centred on the cell. Strides 16 and 32 always score 0.
- test-bm.onnx, test-m.onnx, test-b.onnx  images [B,3,224,224] -> logits [B,N]: g = mean of channel 0,
  bm = [-2g, 2g + 1], m = [g, 2g, 3g], b = [-g, 0.5, g].
- contract violations, for the loader's refusals: test-detector-640.onnx (input 640, 8400 anchors),
  test-detector-fixed1.onnx (batch fixed to 1, as `yolo export` without dynamic=True writes it), test-bm-3.onnx
  (3 logits where BM has 2 labels).
"""
import hashlib
import json
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(0)


class BrightCellDetector(torch.nn.Module):
    def __init__(self, size=512, strides=(8, 16, 32)):
        super().__init__()
        self.size = size
        self.strides = strides
        for s in strides:
            n = size // s
            ys, xs = torch.meshgrid(torch.arange(n, dtype=torch.float32), torch.arange(n, dtype=torch.float32), indexing="ij")
            self.register_buffer(f"cx{s}", ((xs + 0.5) * s).reshape(1, 1, n, n))
            self.register_buffer(f"cy{s}", ((ys + 0.5) * s).reshape(1, 1, n, n))

    def forward(self, images):
        grey = images[:, 0:1]
        parts = []
        for s in self.strides:
            mean = F.avg_pool2d(grey, s, s)
            zero = mean * 0.0
            score = torch.sigmoid(40.0 * (mean - 0.75)) if s == 8 else zero
            cx = getattr(self, f"cx{s}") + zero
            cy = getattr(self, f"cy{s}") + zero
            side = zero + 16.0
            parts.append(torch.cat([cx, cy, side, side, score], dim=1).flatten(2))
        return torch.cat(parts, dim=2)


class MeanLinear(torch.nn.Module):
    def __init__(self, slopes, offsets):
        super().__init__()
        self.register_buffer("slopes", torch.tensor([slopes], dtype=torch.float32))
        self.register_buffer("offsets", torch.tensor([offsets], dtype=torch.float32))

    def forward(self, images):
        g = images[:, 0].mean(dim=(1, 2)).unsqueeze(1)
        return g * self.slopes + self.offsets


def export(model, size, path, output_name, dynamic_batch=True):
    example = torch.zeros(1, 3, size, size)
    axes = {"images": {0: "batch"}, output_name: {0: "batch"}} if dynamic_batch else None
    torch.onnx.export(model.eval(), example, path, input_names=["images"], output_names=[output_name],
                      dynamic_axes=axes, opset_version=17, do_constant_folding=True)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def entry(role, name, file, out_dir, input_size, output_shape, output_name, labels):
    return {
        "role": role, "name": name, "version": "0.0.1", "file": file, "sha256": sha256(os.path.join(out_dir, file)),
        "input": {"name": "images", "shape": [-1, 3, input_size, input_size], "dtype": "float32"},
        "output": {"name": output_name, "shape": output_shape, "dtype": "float32"},
        "labels": labels,
        "source": {"kind": "test", "script": "inference/src/test/python/make_test_models.py", "seed": 0, "trainStudies": 0},
        "metrics": {},
    }


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    p = lambda f: os.path.join(out_dir, f)
    export(BrightCellDetector(), 512, p("test-detector.onnx"), "output0")
    export(MeanLinear([-2.0, 2.0], [0.0, 1.0]), 224, p("test-bm.onnx"), "logits")
    export(MeanLinear([1.0, 2.0, 3.0], [0.0, 0.0, 0.0]), 224, p("test-m.onnx"), "logits")
    export(MeanLinear([-1.0, 0.0, 1.0], [0.0, 0.5, 0.0]), 224, p("test-b.onnx"), "logits")
    export(BrightCellDetector(size=640), 640, p("test-detector-640.onnx"), "output0")
    export(BrightCellDetector(), 512, p("test-detector-fixed1.onnx"), "output0", dynamic_batch=False)
    export(MeanLinear([-2.0, 2.0, 1.0], [0.0, 1.0, 0.0]), 224, p("test-bm-3.onnx"), "logits")

    manifest = {"manifestVersion": 1, "models": [
        entry("detector", "test-bright-cell-detector", "test-detector.onnx", out_dir, 512, [-1, 5, 5376], "output0", ["lesion"]),
        entry("bm", "test-mean-bm", "test-bm.onnx", out_dir, 224, [-1, 2], "logits", ["benign", "malignant"]),
        entry("m", "test-mean-m", "test-m.onnx", out_dir, 224, [-1, 3], "logits", ["HCC", "ICC", "MET"]),
        entry("b", "test-mean-b", "test-b.onnx", out_dir, 224, [-1, 3], "logits", ["FNH", "HEM", "CYST"]),
    ]}
    with open(p("manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "resources", "org", "lilnet", "inference", "testmodels"))
