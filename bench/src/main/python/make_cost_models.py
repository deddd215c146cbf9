#!/usr/bin/python3
"""Cost stand-ins for the workers benchmark while the phantom-trained models are not there: ONNX models with the
contract's shapes and a realistic amount of compute, random weights (our own code, nothing downloaded).

  /usr/bin/python3 bench/src/main/python/make_cost_models.py OUT_DIR [--detector-only] [--finds-nothing]

- detector: a YOLOv8-like convolutional network at 512 (stride-2 stages to P3/P4/P5 at strides 8, 16, 32, a 1x1
  head per level), output [B, 5, 5376]; about 10 GFLOPs a slice (YOLOv8n at 512: about 5.6, YOLOv8x: about 165). The
  head's score is pushed far below the threshold, and the bright-cell rule of the test detector is added so that
  bright spots are found; with --finds-nothing there is no such rule and the detector finds nothing (the arithmetic
  of a YOLOv8-class network on every slice, without the crops that random weights would otherwise make up).
- bm, m, b: torchvision ResNet50 (random weights) with N logits: the backbone cost of the LiLNet classifiers. The
  benchmark prefers the exporter's LiLNet-architecture classifiers (models/tools/make_random_classifiers.py) and asks
  this script for the detector only.
Writes OUT_DIR/manifest.json in the format of INTERFACES.md.
"""
import hashlib
import json
import os
import sys

import torch
import torch.nn.functional as F
import torchvision

torch.manual_seed(7)


def conv(cin, cout, stride):
    return torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False), torch.nn.BatchNorm2d(cout), torch.nn.SiLU())


class CostDetector(torch.nn.Module):
    def __init__(self, width=32, bright_cells=True):
        super().__init__()
        self.bright_cells = bright_cells
        w = width
        self.stem = torch.nn.Sequential(conv(3, w, 2), conv(w, 2 * w, 2), conv(2 * w, 2 * w, 1))
        self.p3 = torch.nn.Sequential(conv(2 * w, 4 * w, 2), conv(4 * w, 4 * w, 1), conv(4 * w, 4 * w, 1))
        self.p4 = torch.nn.Sequential(conv(4 * w, 8 * w, 2), conv(8 * w, 8 * w, 1), conv(8 * w, 8 * w, 1))
        self.p5 = torch.nn.Sequential(conv(8 * w, 16 * w, 2), conv(16 * w, 16 * w, 1))
        self.heads = torch.nn.ModuleList([torch.nn.Conv2d(c, 5, 1) for c in (4 * w, 8 * w, 16 * w)])
        for s in (8, 16, 32):
            n = 512 // s
            ys, xs = torch.meshgrid(torch.arange(n, dtype=torch.float32), torch.arange(n, dtype=torch.float32), indexing="ij")
            self.register_buffer(f"gx{s}", xs.reshape(1, 1, n, n))
            self.register_buffer(f"gy{s}", ys.reshape(1, 1, n, n))

    def forward(self, images):
        x = self.stem(images)
        p3 = self.p3(x)
        p4 = self.p4(p3)
        p5 = self.p5(p4)
        grey = images[:, 0:1]
        parts = []
        for s, feature, head in zip((8, 16, 32), (p3, p4, p5), self.heads):
            out = head(feature)
            cx = (getattr(self, f"gx{s}") + torch.sigmoid(out[:, 0:1])) * s
            cy = (getattr(self, f"gy{s}") + torch.sigmoid(out[:, 1:2])) * s
            w = torch.sigmoid(out[:, 2:3]) * 4 * s
            h = torch.sigmoid(out[:, 3:4]) * 4 * s
            score = torch.sigmoid(out[:, 4:5] * 0.01 - 12.0)
            if s == 8 and self.bright_cells:
                score = torch.maximum(score, torch.sigmoid(40.0 * (F.avg_pool2d(grey, 8, 8) - 0.75)))
            parts.append(torch.cat([cx, cy, w, h, score], dim=1).flatten(2))
        return torch.cat(parts, dim=2)


def export(model, size, path, output_name):
    torch.onnx.export(model.eval(), torch.zeros(1, 3, size, size), path, input_names=["images"], output_names=[output_name],
                      dynamic_axes={"images": {0: "batch"}, output_name: {0: "batch"}}, opset_version=17, do_constant_folding=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def entry(role, file, out_dir, size, out_shape, out_name, labels):
    return {"role": role, "name": "bench-cost-" + role, "version": "0.0.1", "file": file, "sha256": sha256(os.path.join(out_dir, file)),
            "input": {"name": "images", "shape": [-1, 3, size, size], "dtype": "float32"},
            "output": {"name": out_name, "shape": out_shape, "dtype": "float32"}, "labels": labels,
            "source": {"kind": "bench-cost-stand-in", "script": "bench/src/main/python/make_cost_models.py", "seed": 7}, "metrics": {}}


def main(out_dir, detector_only=False, finds_nothing=False):
    os.makedirs(out_dir, exist_ok=True)
    export(CostDetector(bright_cells=not finds_nothing), 512, os.path.join(out_dir, "detector.onnx"), "output0")
    labels = {} if detector_only else {"bm": ["benign", "malignant"], "m": ["HCC", "ICC", "MET"], "b": ["FNH", "HEM", "CYST"]}
    for role, names in labels.items():
        export(torchvision.models.resnet50(num_classes=len(names)), 224, os.path.join(out_dir, role + ".onnx"), "logits")
    manifest = {"manifestVersion": 1, "models": [entry("detector", "detector.onnx", out_dir, 512, [-1, 5, 5376], "output0", ["lesion"])]
                + [entry(r, r + ".onnx", out_dir, 224, [-1, len(n)], "logits", n) for r, n in labels.items()]}
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1], "--detector-only" in sys.argv[2:], "--finds-nothing" in sys.argv[2:])
