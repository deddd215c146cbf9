#!/usr/bin/python3
"""Trains the phantom classifiers BM, M and B and exports them as three ONNX models.

    nice -n 10 /usr/bin/python3 models/tools/train_classifiers.py --cache CACHE --out-dir models --seed 7

One small backbone with three heads is trained at once (benign/malignant on every crop, the malignant subtype on
malignant crops, the benign subtype on benign crops), then exported three times, each graph with the backbone and
its head: input images [B,3,224,224] normalised x/255*2-1, output logits [B,N] in the contract's label order
(BM: benign, malignant; M: HCC, ICC, MET; B: FNH, HEM, CYST). Training crops are the contract's 224x224 ROI crops
around the ground-truth boxes and around detector-like boxes (shifted and resized) in both phases; classes are
sampled equally often; flips, right-angle turns and a little noise augment them.

A quarter of each batch are crops without a lesion, with uniform targets: the classifiers learn to give such
crops equal logits, which leave the patient's fused argmax (mean logits over all crops) unchanged. Half of them
are the trained detector's own false positives on the training slices (--detector-checkpoint: boxes scoring
>= 0.25 that overlap no lesion, cropped as the pipeline would), half random places.
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

from phantom_data import CLASSES, MALIGNANT, crop_box, load_classifier_cache, load_detector_cache  # noqa: E402
from phantom_models import Classifiers, OneHead  # noqa: E402

BM_LABELS = ["benign", "malignant"]
M_LABELS = ["HCC", "ICC", "MET"]
B_LABELS = ["FNH", "HEM", "CYST"]


def batch_tensor(crops_u8, rng, augment):
    x = torch.from_numpy(crops_u8).float()
    if augment:
        out = []
        for img in x:
            k = int(rng.integers(4))
            if k:
                img = torch.rot90(img, k, (0, 1))
            if rng.random() < 0.5:
                img = torch.flip(img, (1,))
            if rng.random() < 0.5:
                img = (img + torch.from_numpy(rng.normal(0, rng.uniform(1, 5), img.shape).astype(np.float32))).clamp_(0, 255)
            out.append(img)
        x = torch.stack(out)
    x = x / 255.0 * 2.0 - 1.0
    return x[:, None].expand(-1, 3, -1, -1)


def background_crops(images, meta, rng, count):
    """Crops around boxes of 12-70 px at random places of the slices that overlap no lesion."""
    out = []
    while len(out) < count:
        i = int(rng.integers(len(meta)))
        size = rng.uniform(12, 70)
        cx, cy = rng.uniform(90, 422), rng.uniform(90, 422)
        box = (cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2)
        if any(b[0] - 10 < box[2] and box[0] < b[2] + 10 and b[1] - 10 < box[3] and box[1] < b[3] + 10 for b in meta[i]["boxes"]):
            continue
        out.append(crop_box(np.asarray(images[i]), box))
    return np.stack(out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cache", required=True, help="output of phantom_data.py prepare (training studies)")
    p.add_argument("--out-dir", required=True, help="where phantom-bm.onnx, phantom-m.onnx, phantom-b.onnx go")
    p.add_argument("--checkpoint", help="also save the PyTorch weights here (for evaluate_heldout.py)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--steps", type=int, default=7000)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--background-share", type=float, default=0.25, help="share of each batch without a lesion")
    p.add_argument("--detector-checkpoint", help="the trained detector's weights: its false positives become background crops")
    p.add_argument("--validate-share", type=float, default=0.0,
                   help="keep the last share of training studies out for a quick check (development only)")
    args = p.parse_args(argv)

    rng = train_common.setup(args.seed, args.threads)
    crops, meta_all = load_classifier_cache(args.cache)
    det_images, det_meta = load_detector_cache(args.cache)
    meta = meta_all["crops"]
    n_studies = len(meta_all["studies"])
    cut = int(n_studies * (1 - args.validate_share))
    cls = np.array([CLASSES.index(m["class"]) for m in meta])
    study = np.array([m["study"] for m in meta])
    train_idx = np.where(study < cut)[0]
    val_idx = np.where((study >= cut) & (np.array([m["jitter"] for m in meta]) == 0))[0]
    counts = np.bincount(cls[train_idx], minlength=len(CLASSES))
    weights = 1.0 / counts[cls[train_idx]]
    weights /= weights.sum()
    print(f"classifiers: {len(train_idx)} training crops from {cut} studies, per class "
          + ", ".join(f"{c} {n}" for c, n in zip(CLASSES, counts)), flush=True)

    model = Classifiers()
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=5e-4)
    warmup = max(1, min(150, args.steps // 10))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min(1.0, (step + 1) / warmup) * 0.5 * (1 + np.cos(np.pi * min(1.0, step / args.steps))))
    malignant_ids = torch.tensor([CLASSES.index(c) for c in M_LABELS])
    start = time.time()
    model.train()
    n_background = int(round(args.batch * args.background_share))
    false_positives = []
    if args.detector_checkpoint:
        from phantom_models import Detector
        from train_detector import false_positive_places_boxes
        detector = Detector()
        detector.load_state_dict(torch.load(args.detector_checkpoint))
        false_positives = false_positive_places_boxes(detector, det_images, det_meta["images"],
                                                      np.array([i for i, m in enumerate(det_meta["images"]) if m["study"] < cut]))
        print(f"  {len(false_positives)} detector false positives on the training slices become background crops", flush=True)
    det_train_idx = np.array([i for i, m in enumerate(det_meta["images"]) if m["study"] < cut])
    for step in range(args.steps):
        pick = rng.choice(train_idx, size=args.batch - n_background, p=weights)
        lesion_crops = crops[pick]
        if n_background:
            sub = det_train_idx[rng.integers(len(det_train_idx), size=n_background)]
            background = []
            for i in sub:
                if false_positives and rng.random() < 0.5:
                    j, box = false_positives[rng.integers(len(false_positives))]
                    background.append(crop_box(np.asarray(det_images[j]), box))
                else:
                    background.append(background_crops(det_images[i:i + 1], [det_meta["images"][i]], rng, 1)[0])
            background = np.stack(background)
            lesion_crops = np.concatenate([lesion_crops, background])
        x = batch_tensor(lesion_crops, rng, augment=True)
        y = torch.from_numpy(cls[pick])
        n = len(pick)
        malignant = (y < 3)
        bm_logits, m_logits, b_logits = model(x)
        loss = F.cross_entropy(bm_logits[:n], malignant.long(), label_smoothing=0.05)
        if malignant.any():
            loss = loss + F.cross_entropy(m_logits[:n][malignant], y[malignant], label_smoothing=0.05)
        if (~malignant).any():
            loss = loss + F.cross_entropy(b_logits[:n][~malignant], y[~malignant] - 3, label_smoothing=0.05)
        if n_background:
            # no lesion: every class equally likely (equal logits)
            loss = loss + sum(-F.log_softmax(l[n:], dim=1).mean() for l in (bm_logits, m_logits, b_logits))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 100 == 0 or step == args.steps - 1:
            print(f"  step {step:5d}  loss {float(loss):.4f}  {time.time() - start:6.0f} s", flush=True)
    model.eval()
    assert list(malignant_ids) == [0, 1, 2] and set(M_LABELS) == MALIGNANT
    if args.checkpoint:
        torch.save(model.state_dict(), args.checkpoint)
    if len(val_idx):
        quick_check(model, crops, cls, val_idx)
    os.makedirs(args.out_dir, exist_ok=True)
    example = torch.zeros(1, 3, 224, 224)
    for role, labels in (("bm", BM_LABELS), ("m", M_LABELS), ("b", B_LABELS)):
        path = os.path.join(args.out_dir, f"phantom-{role}.onnx")
        train_common.export_onnx(OneHead(model, role), example, path, "images", "logits", (len(labels),))
        print(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB)", flush=True)
    info = {"trainCrops": int(len(train_idx)), "trainStudies": cut, "steps": args.steps, "batch": args.batch,
            "seed": args.seed, "seconds": round(time.time() - start), "cropsPerClass": dict(zip(CLASSES, counts.tolist()))}
    with open(os.path.join(args.out_dir, "phantom-classifiers.train.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=2)
    return 0


def quick_check(model, crops, cls, idx):
    """Per-crop accuracy on the check crops (development only)."""
    bm_ok = m_ok = m_n = b_ok = b_n = 0
    with torch.no_grad():
        for s in range(0, len(idx), 128):
            chunk = idx[s:s + 128]
            bm, m, b = model(batch_tensor(crops[chunk], None, augment=False))
            y = torch.from_numpy(cls[chunk])
            mal = y < 3
            bm_ok += int((bm.argmax(1) == mal.long()).sum())
            m_ok += int((m[mal].argmax(1) == y[mal]).sum())
            m_n += int(mal.sum())
            b_ok += int((b[~mal].argmax(1) == y[~mal] - 3).sum())
            b_n += int((~mal).sum())
    print(f"  check (per crop): BM {bm_ok / max(1, len(idx)):.3f}, M {m_ok / max(1, m_n):.3f}, B {b_ok / max(1, b_n):.3f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
