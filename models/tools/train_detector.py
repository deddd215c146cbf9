#!/usr/bin/python3
"""Trains the phantom lesion detector and exports it with the YOLOv8 ONNX layout.

    nice -n 10 /usr/bin/python3 models/tools/train_detector.py --cache CACHE --out models/phantom-detector.onnx --seed 7

Input [B,3,512,512] in 0..1; output0 [B,5,5376]: cx, cy, w, h in input pixels, then the lesion score (sigmoid), for
the anchor points of strides 8, 16 and 32. Trained on 256x256 windows of the phantom slices (the network is fully
convolutional), half around lesions, half anywhere, with focal loss on the scores and GIoU on the boxes of anchors near a
lesion's centre (anchor-free assignment by size: stride 8 for boxes up to 64 px, 16 for 48-160, 32 above 128).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_common  # noqa: E402  (sets the OpenMP policy before torch loads)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from export_manifest import sha256_of  # noqa: E402
from phantom_data import load_detector_caches  # noqa: E402
from phantom_models import Detector, STRIDES  # noqa: E402

LEVEL_RANGES = ((0, 64), (48, 160), (128, 10_000))
CENTER_RADIUS = 1.5


class BoxDraw:
    """Which lesion box a positive window is centred on. Exponent 0: an image with lesions, then one of its boxes,
    uniformly (the recipe of detector 1.0.0). Exponent e > 0: every box of the pool with weight side^-e (sides under
    MIN_SIDE px count as MIN_SIDE): a lesion spans slices in proportion to its size, so uniform draws show a 1 cm lesion
    a fifth as often as a 5 cm one, and the small ones were what the detector missed."""

    MIN_SIDE = 12.0

    def __init__(self, meta, pool, exponent=0.0):
        self.meta = meta
        self.exponent = exponent
        self.with_boxes = [i for i in pool if meta[i]["boxes"]]
        self.pairs, weights = [], []
        if exponent > 0:
            for i in self.with_boxes:
                for j, b in enumerate(meta[i]["boxes"]):
                    self.pairs.append((i, j))
                    weights.append(max(self.MIN_SIDE, b[2] - b[0], b[3] - b[1]) ** -exponent)
        total = sum(weights)
        self.weights = np.array(weights) / total if weights else None

    def __bool__(self):
        return bool(self.with_boxes)

    def draw(self, rng):
        """(image index, box)."""
        if self.exponent > 0:
            i, j = self.pairs[rng.choice(len(self.pairs), p=self.weights)]
            return i, self.meta[i]["boxes"][j]
        i = self.with_boxes[rng.integers(len(self.with_boxes))]
        return i, self.meta[i]["boxes"][rng.integers(len(self.meta[i]["boxes"]))]


def crop_batch(images, meta, rng, batch, crop, positive_share=0.5, indices=None, hard=None, hard_share=0.0, boxes_from=None):
    """A batch of crop x crop windows with their boxes (in window pixels). hard: (image, x, y) places where the
    detector fired without a lesion; hard_share of the windows are centred near them. boxes_from: the BoxDraw of
    the positive windows (default: uniform over the pool)."""
    xs, targets = [], []
    pool = indices if indices is not None else np.arange(len(meta))
    with_boxes = boxes_from if boxes_from is not None else BoxDraw(meta, pool)
    for _ in range(batch):
        roll = rng.random()
        if hard and roll < hard_share:
            i, hx, hy = hard[rng.integers(len(hard))]
            ox = int(np.clip(hx - rng.uniform(0.2, 0.8) * crop, 0, 512 - crop))
            oy = int(np.clip(hy - rng.uniform(0.2, 0.8) * crop, 0, 512 - crop))
        elif roll < hard_share + positive_share and with_boxes:
            i, bx = with_boxes.draw(rng)
            cx, cy = (bx[0] + bx[2]) / 2, (bx[1] + bx[3]) / 2
            ox = int(np.clip(cx - rng.uniform(0.15, 0.85) * crop, 0, 512 - crop))
            oy = int(np.clip(cy - rng.uniform(0.15, 0.85) * crop, 0, 512 - crop))
        else:
            i = pool[rng.integers(len(pool))]
            ox = int(rng.integers(32, 512 - crop - 32 + 1))
            oy = int(rng.integers(32, 512 - crop - 32 + 1))
        xs.append(np.asarray(images[i, oy:oy + crop, ox:ox + crop]))
        boxes = []
        for b in meta[i]["boxes"]:
            x1, y1, x2, y2 = b[0] - ox, b[1] - oy, b[2] - ox, b[3] - oy
            cx1, cy1, cx2, cy2 = max(0, x1), max(0, y1), min(crop, x2), min(crop, y2)
            if cx2 <= cx1 or cy2 <= cy1:
                continue
            if (cx2 - cx1) * (cy2 - cy1) >= 0.35 * (x2 - x1) * (y2 - y1):
                boxes.append([cx1, cy1, cx2, cy2])
        targets.append(np.array(boxes, dtype=np.float32).reshape(-1, 4))
    x = torch.from_numpy(np.stack(xs)).float().div_(255.0)[:, None].expand(-1, 3, -1, -1)
    return x, targets


def assign(boxes, size):
    """Per level: (positive mask [A], target boxes [A,4]) for one image."""
    out = []
    for (lo, hi), s in zip(LEVEL_RANGES, STRIDES):
        g = size // s
        centers = (torch.arange(g, dtype=torch.float32) + 0.5) * s
        ay = centers.view(g, 1).expand(g, g).reshape(-1)
        ax = centers.view(1, g).expand(g, g).reshape(-1)
        pos = torch.zeros(g * g, dtype=torch.bool)
        tgt = torch.zeros(g * g, 4)
        best_area = torch.full((g * g,), float("inf"))
        for b in boxes:
            x1, y1, x2, y2 = [float(v) for v in b]
            side = max(x2 - x1, y2 - y1)
            if not lo <= side <= hi:
                continue
            cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
            m = (ax > x1) & (ax < x2) & (ay > y1) & (ay < y2) \
                & ((ax - cx).abs() < CENTER_RADIUS * s) & ((ay - cy).abs() < CENTER_RADIUS * s)
            nearest = int(((ax - cx) ** 2 + (ay - cy) ** 2).argmin())
            m[nearest] = True  # every box in range has at least its nearest anchor
            area = (x2 - x1) * (y2 - y1)
            take = m & (area < best_area)
            best_area[take] = area
            tgt[take] = torch.tensor([x1, y1, x2, y2])
            pos |= take
        out.append((pos, tgt))
    return out


def giou(pred, tgt):
    """Generalised IoU of boxes given as x1, y1, x2, y2."""
    ix1, iy1 = torch.max(pred[:, 0], tgt[:, 0]), torch.max(pred[:, 1], tgt[:, 1])
    ix2, iy2 = torch.min(pred[:, 2], tgt[:, 2]), torch.min(pred[:, 3], tgt[:, 3])
    inter = (ix2 - ix1).clamp(min=0) * (iy2 - iy1).clamp(min=0)
    area_p = (pred[:, 2] - pred[:, 0]) * (pred[:, 3] - pred[:, 1])
    area_t = (tgt[:, 2] - tgt[:, 0]) * (tgt[:, 3] - tgt[:, 1])
    union = area_p + area_t - inter + 1e-6
    cx1, cy1 = torch.min(pred[:, 0], tgt[:, 0]), torch.min(pred[:, 1], tgt[:, 1])
    cx2, cy2 = torch.max(pred[:, 2], tgt[:, 2]), torch.max(pred[:, 3], tgt[:, 3])
    hull = (cx2 - cx1) * (cy2 - cy1) + 1e-6
    return inter / union - (hull - union) / hull


def loss_fn(raw_levels, targets, size):
    cls_loss, box_loss, n_pos = 0.0, 0.0, 0
    assignments = [assign(t, size) for t in targets]
    for level, (r, s) in enumerate(zip(raw_levels, STRIDES)):
        b, _, g, _ = r.shape
        r = r.reshape(b, 5, g * g)
        pos = torch.stack([a[level][0] for a in assignments])  # [B, A]
        tgt = torch.stack([a[level][1] for a in assignments])  # [B, A, 4]
        logit = r[:, 0]
        p = torch.sigmoid(logit)
        t = pos.float()
        ce = F.binary_cross_entropy_with_logits(logit, t, reduction="none")
        pt = p * t + (1 - p) * (1 - t)
        alpha = 0.25 * t + 0.75 * (1 - t)
        cls_loss = cls_loss + (alpha * (1 - pt) ** 2 * ce).sum()
        if pos.any():
            centers = (torch.arange(g, dtype=torch.float32) + 0.5) * s
            ay = centers.view(g, 1).expand(g, g).reshape(-1)
            ax = centers.view(1, g).expand(g, g).reshape(-1)
            dist = F.softplus(r[:, 1:5].permute(0, 2, 1)) * s  # [B, A, 4]
            pred = torch.stack([ax - dist[..., 0], ay - dist[..., 1], ax + dist[..., 2], ay + dist[..., 3]], dim=-1)
            box_loss = box_loss + (1 - giou(pred[pos], tgt[pos])).sum()
            n_pos += int(pos.sum())
    n = max(1, n_pos)
    return cls_loss / n, box_loss / n


def nms(boxes, scores, iou=0.5):
    order = np.argsort(-scores)
    keep = []
    while order.size:
        i = order[0]
        keep.append(i)
        if order.size == 1:
            break
        rest = order[1:]
        xx1 = np.maximum(boxes[i, 0], boxes[rest, 0])
        yy1 = np.maximum(boxes[i, 1], boxes[rest, 1])
        xx2 = np.minimum(boxes[i, 2], boxes[rest, 2])
        yy2 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.clip(xx2 - xx1, 0, None) * np.clip(yy2 - yy1, 0, None)
        a = (boxes[i, 2] - boxes[i, 0]) * (boxes[i, 3] - boxes[i, 1])
        b = (boxes[rest, 2] - boxes[rest, 0]) * (boxes[rest, 3] - boxes[rest, 1])
        order = rest[inter / (a + b - inter + 1e-9) <= iou]
    return keep


def postprocess(output, score_threshold=0.25, iou=0.5):
    """The contract's post-processing of one image's [5, anchors]: score >= 0.25, class-agnostic NMS at 0.5;
    boxes as x1, y1, x2, y2 (input pixels = slice pixels at 512)."""
    out = output.numpy() if hasattr(output, "numpy") else output
    keep = out[4] >= score_threshold
    cx, cy, w, h, s = out[0][keep], out[1][keep], out[2][keep], out[3][keep], out[4][keep]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    if len(boxes) == 0:
        return boxes, s
    k = nms(boxes, s, iou)
    return boxes[k], s[k]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cache", required=True, nargs="+", help="output of phantom_data.py prepare (training studies); several are used as one")
    p.add_argument("--out", required=True, help="ONNX file to write")
    p.add_argument("--checkpoint", help="also save the PyTorch weights here (for evaluate_heldout.py)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--crop", type=int, default=256)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--hard-steps", type=int, default=1500,
                   help="second stage: steps with a third of the windows on the places where the first stage fired without a lesion")
    p.add_argument("--resume", help="skip the first stage: start the second from these weights (the first stage's, or a trained "
                   "detector's, to fine-tune it)")
    p.add_argument("--small-lesion-weight", type=float, default=0.0, metavar="E",
                   help="draw the lesion each positive window is centred on with weight side^-E (0: uniformly over images "
                        "with lesions, the recipe of detector 1.0.0; 1: each lesion about as often whatever its size)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--validate-share", type=float, default=0.0,
                   help="keep the last share of training studies out for a quick check (development only)")
    args = p.parse_args(argv)

    rng = train_common.setup(args.seed, args.threads)
    images, meta_all = load_detector_caches(args.cache)
    meta = meta_all["images"]
    n_studies = len(meta_all["studies"])
    cut = int(n_studies * (1 - args.validate_share))
    train_idx = np.array([i for i, m in enumerate(meta) if m["study"] < cut])
    val_idx = np.array([i for i, m in enumerate(meta) if m["study"] >= cut])
    print(f"detector: {len(train_idx)} training images from {cut} studies"
          + (f", {len(val_idx)} check images" if len(val_idx) else ""), flush=True)

    model = Detector()
    start = time.time()
    if args.resume:
        model.load_state_dict(torch.load(args.resume))
    else:
        train_stage(model, images, meta, train_idx, rng, args, args.steps, args.lr, None, start)
        if args.checkpoint:
            torch.save(model.state_dict(), args.checkpoint + ".stage1")
    if args.hard_steps:
        hard = false_positive_places(model, images, meta, train_idx)
        print(f"  second stage: {len(hard)} places where the detector fired without a lesion", flush=True)
        # its own random stream, so that --resume from the first stage's weights gives the same model
        train_stage(model, images, meta, train_idx, np.random.default_rng(args.seed + 1), args, args.hard_steps, args.lr / 3,
                    hard, start)
    model.eval()
    if args.checkpoint:
        torch.save(model.state_dict(), args.checkpoint)
    if len(val_idx):
        quick_check(model, images, meta, val_idx)
    train_common.export_onnx(model, torch.zeros(1, 3, 512, 512), args.out, "images", "output0", (5, 5376))
    info = {"trainImages": int(len(train_idx)), "trainStudies": cut, "steps": 0 if args.resume else args.steps, "hardSteps": args.hard_steps,
            "batch": args.batch, "crop": args.crop, "seed": args.seed, "smallLesionWeight": args.small_lesion_weight,
            "seconds": round(time.time() - start)}
    if args.resume:
        info["resumedFrom"] = {"file": os.path.basename(args.resume), "sha256": sha256_of(args.resume)}
    with open(args.out + ".train.json", "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
    print(f"wrote {args.out} ({os.path.getsize(args.out) / 1e6:.2f} MB) after {info['seconds']} s", flush=True)
    return 0


def train_stage(model, images, meta, train_idx, rng, args, steps, lr, hard, start):
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    warmup = max(1, min(200, steps // 10))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min(1.0, (step + 1) / warmup) * 0.5 * (1 + np.cos(np.pi * min(1.0, step / steps))))
    model.train()
    boxes_from = BoxDraw(meta, train_idx, args.small_lesion_weight)
    for step in range(steps):
        x, targets = crop_batch(images, meta, rng, args.batch, args.crop, indices=train_idx, hard=hard,
                                hard_share=0.35 if hard else 0.0, positive_share=0.35 if hard else 0.5, boxes_from=boxes_from)
        cls_l, box_l = loss_fn(model.raw(x), targets, args.crop)
        loss = cls_l + 2.0 * box_l
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"  step {step:5d}  cls {float(cls_l):.4f}  box {float(box_l):.4f}  {time.time() - start:6.0f} s", flush=True)
    model.eval()


def false_positive_places(model, images, meta, idx, threshold=0.15):
    """Centres of boxes scoring >= threshold that overlap no lesion box, over the training images."""
    return [(i, c[0], c[1]) for i, _, c in false_positive_places_boxes(model, images, meta, idx, threshold, with_centres=True)]


def false_positive_places_boxes(model, images, meta, idx, threshold=0.25, with_centres=False):
    """(image, box) of boxes scoring >= threshold that overlap no lesion box, over the given images
    (with_centres: (image, box, centre))."""
    places = []
    model.eval()
    with torch.no_grad():
        for s in range(0, len(idx), 16):
            chunk = idx[s:s + 16]
            x = torch.from_numpy(np.stack([np.asarray(images[i]) for i in chunk])).float().div_(255.0)[:, None].expand(-1, 3, -1, -1)
            out = model(x)
            for j, i in enumerate(chunk):
                boxes, _ = postprocess(out[j], score_threshold=threshold)
                for b in boxes:
                    if all(iou(b, g) < 0.05 for g in meta[i]["boxes"]):
                        centre = (float((b[0] + b[2]) / 2), float((b[1] + b[3]) / 2))
                        places.append((int(i), [float(v) for v in b], centre) if with_centres else (int(i), [float(v) for v in b]))
    return places


def quick_check(model, images, meta, idx):
    """Per-slice recall and precision at IoU 0.1 on the check images (development only)."""
    tp = fn = fp = 0
    with torch.no_grad():
        for start in range(0, len(idx), 16):
            chunk = idx[start:start + 16]
            x = torch.from_numpy(np.stack([np.asarray(images[i]) for i in chunk])).float().div_(255.0)[:, None].expand(-1, 3, -1, -1)
            out = model(x)
            for j, i in enumerate(chunk):
                boxes, _ = postprocess(out[j])
                gts = np.array(meta[i]["boxes"], dtype=np.float32).reshape(-1, 4)
                matched = set()
                for g in gts:
                    hit = False
                    for k, b in enumerate(boxes):
                        if k not in matched and iou(b, g) >= 0.1:
                            matched.add(k)
                            hit = True
                            break
                    tp += hit
                    fn += not hit
                fp += len(boxes) - len(matched)
    print(f"  check: per-slice recall {tp / max(1, tp + fn):.3f}, precision {tp / max(1, tp + fp):.3f} "
          f"({tp} hits, {fn} misses, {fp} false boxes)", flush=True)


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter + 1e-9)


if __name__ == "__main__":
    sys.exit(main())
