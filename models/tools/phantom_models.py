"""The phantom-trained networks: a small anchor-free detector with the YOLOv8 ONNX layout and a small classifier
backbone with three heads (BM, M, B), exported as three separate classifiers.

Both are deliberately small (a few hundred thousand parameters): they are trained on CPU in minutes, run fast in the
services, and stand in for LiLNet's YOLOv8x and ResNet50 models with the same input/output contract.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDES = (8, 16, 32)
IMAGE = 512


def cbs(i, o, k=3, s=1):
    """Conv, batch norm, SiLU (the YOLOv8 building block)."""
    return nn.Sequential(nn.Conv2d(i, o, k, s, k // 2, bias=False), nn.BatchNorm2d(o), nn.SiLU(inplace=True))


class Detector(nn.Module):
    """Input [B,3,H,W] in 0..1. The slice is averaged 2x2 first (the phantom's lesions of 1 cm and more are 11+
    pixels at 512), then a small backbone with feature maps at strides 8, 16 and 32 of the input, a top-down path,
    and per-level heads predicting a lesion logit and the distances (left, top, right, bottom) to the box edges."""

    def __init__(self, width=(16, 32, 48, 64), neck=32):
        super().__init__()
        w0, w3, w4, w5 = width
        self.stem = cbs(1, w0, 3, 2)
        self.s3 = nn.Sequential(cbs(w0, w3, 3, 2), cbs(w3, w3))
        self.s4 = nn.Sequential(cbs(w3, w4, 3, 2), cbs(w4, w4))
        self.s5 = nn.Sequential(cbs(w4, w5, 3, 2), cbs(w5, w5), cbs(w5, w5))
        self.l3 = cbs(w3, neck, 1)
        self.l4 = cbs(w4, neck, 1)
        self.l5 = cbs(w5, neck, 1)
        self.f4 = cbs(neck, neck)
        self.f3 = cbs(neck, neck)
        self.heads = nn.ModuleList([nn.Sequential(cbs(neck, neck), nn.Conv2d(neck, 5, 1)) for _ in STRIDES])
        for h in self.heads:
            nn.init.constant_(h[-1].bias, 0.0)
            h[-1].bias.data[0] = -4.6  # prior: most places are not lesions

    def raw(self, x):
        """Per level [B, 5, H/s, W/s]: lesion logit, then raw l, t, r, b."""
        g = x.mean(dim=1, keepdim=True)
        g = F.avg_pool2d(g, 2)
        p3 = self.s3(self.stem(g))
        p4 = self.s4(p3)
        p5 = self.s5(p4)
        t5 = self.l5(p5)
        t4 = self.f4(self.l4(p4) + F.interpolate(t5, scale_factor=2.0, mode="nearest"))
        t3 = self.f3(self.l3(p3) + F.interpolate(t4, scale_factor=2.0, mode="nearest"))
        return [h(t) for h, t in zip(self.heads, (t3, t4, t5))]

    @staticmethod
    def decode(raw_levels, height, width):
        """[B, 5, anchors]: cx, cy, w, h in input pixels, then the lesion score (sigmoid); anchors row-major per level,
        levels by increasing stride (the Ultralytics order). height and width are Python ints, so that an exported
        graph has a fixed anchor count (5376 at 512) and only the batch is dynamic."""
        outs = []
        for r, s in zip(raw_levels, STRIDES):
            h, w = height // s, width // s
            ys = (torch.arange(h, dtype=torch.float32) + 0.5) * s
            xs = (torch.arange(w, dtype=torch.float32) + 0.5) * s
            ay = ys.view(1, h, 1).expand(1, h, w).reshape(1, -1)
            ax = xs.view(1, 1, w).expand(1, h, w).reshape(1, -1)
            r = r.reshape(-1, 5, h * w)
            dist = F.softplus(r[:, 1:5]) * s
            x1 = ax - dist[:, 0]
            y1 = ay - dist[:, 1]
            x2 = ax + dist[:, 2]
            y2 = ay + dist[:, 3]
            outs.append(torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, torch.sigmoid(r[:, 0])], dim=1))
        return torch.cat(outs, dim=2)

    def forward(self, x):
        """For 512x512 input (the contract); use decode(raw(x), h, w) for other sizes."""
        return self.decode(self.raw(x), IMAGE, IMAGE)


class Backbone(nn.Module):
    """Input [B,3,224,224] normalised x/255*2-1; averaged 2x2 to 112 first; a feature vector."""

    def __init__(self, width=(16, 24, 32, 48, 64)):
        super().__init__()
        w0, w1, w2, w3, w4 = width
        self.net = nn.Sequential(
            cbs(1, w0, 3, 2), cbs(w0, w1),     # 56
            cbs(w1, w2, 3, 2), cbs(w2, w2),    # 28
            cbs(w2, w3, 3, 2), cbs(w3, w3),    # 14
            cbs(w3, w4, 3, 2), cbs(w4, w4))    # 7
        self.features = w4

    def forward(self, x):
        g = F.avg_pool2d(x.mean(dim=1, keepdim=True), 2)
        f = self.net(g)
        return torch.cat([F.adaptive_avg_pool2d(f, 1).flatten(1), F.adaptive_max_pool2d(f, 1).flatten(1)], dim=1)


class Classifiers(nn.Module):
    """One backbone, three heads: BM (benign, malignant), M (HCC, ICC, MET), B (FNH, HEM, CYST)."""

    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        n = 2 * self.backbone.features
        self.drop = nn.Dropout(0.2)
        self.bm = nn.Linear(n, 2)
        self.m = nn.Linear(n, 3)
        self.b = nn.Linear(n, 3)

    def forward(self, x):
        f = self.drop(self.backbone(x))
        return self.bm(f), self.m(f), self.b(f)


class OneHead(nn.Module):
    """The exported classifier of one role: backbone and that role's head, logits [B, N]."""

    def __init__(self, classifiers: Classifiers, role: str):
        super().__init__()
        self.backbone = classifiers.backbone
        self.head = getattr(classifiers, role)

    def forward(self, images):
        return self.head(self.backbone(images))


def load_trained(detector_checkpoint: str, classifier_checkpoint: str):
    """The trained detector and classifiers from their checkpoints, in inference mode."""
    detector = Detector()
    detector.load_state_dict(torch.load(detector_checkpoint))
    classifiers = Classifiers()
    classifiers.load_state_dict(torch.load(classifier_checkpoint))
    return detector.eval(), classifiers.eval()
