#!/usr/bin/python3
"""Phantom studies -> training arrays, with exactly the model contract's pre-processing.

The contract (../../shared/docs/MODEL-CONTRACT.md): Hounsfield units from RescaleSlope/Intercept, window level 40
width 400 to 8 bits, grey replicated to 3 channels, plain resize to 512 (phantom slices are 512 already). Detector
input: the 512x512 slice / 255. Classifier input: a 224x224 crop centred on the box (a box larger than 224 is cropped
whole as a square and resized to 224; outside the image is black), then x / 255 * 2 - 1.

    /usr/bin/python3 models/tools/phantom_data.py prepare --studies DIR [DIR...] --out CACHE_DIR --seed 7

writes CACHE_DIR/detector-images.u8 (N x 512 x 512: every slice showing a lesion and half of the others),
detector.json (boxes per image), classifier-crops.u8 (M x 224 x 224: per slice box the true box and two
detector-like boxes) and classifier.json (labels per crop). Slices are read in the order of their position along the
normal (the DetectTask sliceIndex), as the ground truth indexes them.

Many studies for the classifiers, in parts (a part's DICOM files can be deleted once prepared):

    /usr/bin/python3 models/tools/phantom_data.py prepare --studies PART_DIR --out PART_CACHE --seed 7 --classifier-only
    /usr/bin/python3 models/tools/phantom_data.py merge --base CACHE --parts PART_CACHE [PART_CACHE...] --out MERGED

--classifier-only writes the same crops as a full prepare of that directory, without the detector images; merge
appends the parts' crops to the base cache's (study indices offset) and links the base's detector images, so the
detector's data, the background crops and the false positives stay the base's.
"""
from __future__ import annotations

import argparse
import contextlib
import glob
import json
import math
import os
import shutil
import sys

import numpy as np
import pydicom

WINDOW_LEVEL = 40.0
WINDOW_WIDTH = 400.0
DETECTOR_SIZE = 512
CROP_SIZE = 224
CLASSES = ["HCC", "ICC", "MET", "FNH", "HEM", "CYST"]
MALIGNANT = {"HCC", "ICC", "MET"}
PHASES = ("AP", "PVP")


def hu_to_u8(hu: np.ndarray, level: float = WINDOW_LEVEL, width: float = WINDOW_WIDTH) -> np.ndarray:
    """8-bit rendering: (HU - (level - width/2)) / width * 255, rounded to nearest, clamped to 0..255."""
    v = (hu.astype(np.float64) - (level - width / 2.0)) / width * 255.0
    return np.clip(np.floor(v + 0.5), 0, 255).astype(np.uint8)


def slice_hu(ds) -> np.ndarray:
    """Hounsfield units of a CT slice (pydicom applies PixelRepresentation; we apply the rescale)."""
    slope = float(getattr(ds, "RescaleSlope", 1.0) or 1.0)
    intercept = float(getattr(ds, "RescaleIntercept", 0.0) or 0.0)
    return ds.pixel_array.astype(np.float32) * slope + intercept


def position_along_normal(ds) -> float:
    o = [float(v) for v in ds.ImageOrientationPatient]
    p = [float(v) for v in ds.ImagePositionPatient]
    n = np.cross(o[:3], o[3:])
    n = n / (np.linalg.norm(n) or 1.0)
    return float(np.dot(p, n))


def resize_plain(img: np.ndarray, size: int) -> np.ndarray:
    """Plain (non letterboxed) bilinear resize of an 8-bit image; identity when it already has the size."""
    if img.shape == (size, size):
        return img
    import torch
    t = torch.from_numpy(img.astype(np.float32))[None, None]
    r = torch.nn.functional.interpolate(t, size=(size, size), mode="bilinear", align_corners=False)
    return np.clip(np.floor(r[0, 0].numpy() + 0.5), 0, 255).astype(np.uint8)


def read_series_u8(study_dir: str, series: dict) -> np.ndarray:
    """The series' slices as 8-bit images [S, 512, 512], ordered along the normal."""
    return read_series(study_dir, series)[0]


def read_series(study_dir: str, series: dict):
    """(8-bit slices [S, 512, 512], SOPInstanceUIDs, positions along the normal in mm, pixel spacing (row, column)),
    ordered along the normal."""
    files = glob.glob(os.path.join(study_dir, series["directory"], "*.dcm"))
    datasets = [pydicom.dcmread(f) for f in files]
    datasets.sort(key=position_along_normal)
    images = np.stack([resize_plain(hu_to_u8(slice_hu(ds)), DETECTOR_SIZE) for ds in datasets])
    spacing = [float(v) for v in datasets[0].PixelSpacing]
    return images, [str(ds.SOPInstanceUID) for ds in datasets], [position_along_normal(ds) for ds in datasets], spacing


def crop_box(img: np.ndarray, box, size: int = CROP_SIZE) -> np.ndarray:
    """The contract's ROI crop: a size x size square centred on the box, or the box's own square (its larger side)
    resized to size when the box is larger; pixels outside the image are black."""
    x1, y1, x2, y2 = box
    cx, cy = (x1 + x2) / 2.0, (y1 + y2) / 2.0
    side = max(size, int(math.ceil(max(x2 - x1, y2 - y1))))
    x0 = int(math.floor(cx - side / 2.0 + 0.5))
    y0 = int(math.floor(cy - side / 2.0 + 0.5))
    out = np.zeros((side, side), dtype=np.uint8)
    h, w = img.shape
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(w, x0 + side), min(h, y0 + side)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = img[sy0:sy1, sx0:sx1]
    return resize_plain(out, size) if side != size else out


def detector_input(slices_u8: np.ndarray) -> np.ndarray:
    """[S,512,512] uint8 -> [S,3,512,512] float32 in 0..1 (grey replicated)."""
    x = slices_u8.astype(np.float32) / 255.0
    return np.repeat(x[:, None], 3, axis=1)


def classifier_input(crops_u8: np.ndarray) -> np.ndarray:
    """[M,224,224] uint8 -> [M,3,224,224] float32, x/255*2-1 (grey replicated)."""
    x = crops_u8.astype(np.float32) / 255.0 * 2.0 - 1.0
    return np.repeat(x[:, None], 3, axis=1)


def studies_under(dirs) -> list:
    found = []
    for d in dirs:
        found += sorted(glob.glob(os.path.join(d, "**", "ground-truth.json"), recursive=True))
    return [os.path.dirname(f) for f in found]


def processed_series(truth: dict) -> list:
    """The arterial and portal venous series (the ones LiLNet uses), in that order."""
    out = []
    for phase in PHASES:
        for s in truth["series"]:
            if s["phase"] == phase and not s.get("localizer"):
                out.append(s)
                break
    return out


def slice_boxes(truth: dict, series_uid: str) -> dict:
    """sliceIndex -> list of (x1, y1, x2, y2, lesionId, class, sizeMm)."""
    boxes = {}
    for lesion in truth["lesions"]:
        for e in lesion["extents"]:
            if e["seriesInstanceUid"] != series_uid:
                continue
            for sb in e["slices"]:
                b = sb["box"]
                boxes.setdefault(sb["sliceIndex"], []).append(
                    (b["x1"], b["y1"], b["x2"], b["y2"], lesion["lesionId"], lesion["lesionClass"], lesion["sizeMm"]))
    return boxes


def jittered(box, rng, amount=0.2):
    """A detector-like box around a true one: centre moved by up to `amount` of the size, size scaled 0.75-1.35."""
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    cx = (x1 + x2) / 2 + rng.uniform(-amount, amount) * w
    cy = (y1 + y2) / 2 + rng.uniform(-amount, amount) * h
    s = rng.uniform(0.75, 1.35)
    w2, h2 = w * s * rng.uniform(0.9, 1.1), h * s * rng.uniform(0.9, 1.1)
    return (cx - w2 / 2, cy - h2 / 2, cx + w2 / 2, cy + h2 / 2)


def prepare(study_dirs, out_dir, seed, negative_share=0.5, jitters=2, detector_images=True):
    rng = np.random.default_rng(seed)
    os.makedirs(out_dir, exist_ok=True)
    det_meta, cls_meta = [], []
    # without detector images the random draws are the same, so the crops are those of a full prepare
    with (open(os.path.join(out_dir, "detector-images.u8"), "wb") if detector_images else contextlib.nullcontext()) as det_file, \
            open(os.path.join(out_dir, "classifier-crops.u8"), "wb") as cls_file:
        for n, study in enumerate(study_dirs):
            with open(os.path.join(study, "ground-truth.json"), encoding="utf-8") as f:
                truth = json.load(f)
            for series in processed_series(truth):
                volume = read_series_u8(study, series)
                boxes = slice_boxes(truth, series["seriesInstanceUid"])
                for k in range(volume.shape[0]):
                    here = boxes.get(k, [])
                    if (here or rng.random() < negative_share) and det_file is not None:
                        det_file.write(volume[k].tobytes())
                        det_meta.append({"study": n, "phase": series["phase"], "slice": k,
                                         "boxes": [list(b[:4]) for b in here]})
                    for b in here:
                        label = b[5]
                        for j in range(jitters + 1):
                            box = b[:4] if j == 0 else jittered(b[:4], rng)
                            cls_file.write(crop_box(volume[k], box).tobytes())
                            cls_meta.append({"study": n, "phase": series["phase"], "slice": k, "lesion": b[4],
                                             "class": label, "sizeMm": b[6], "jitter": j})
            if (n + 1) % 20 == 0:
                print(f"  {n + 1}/{len(study_dirs)} studies, {len(det_meta)} detector images, {len(cls_meta)} crops", flush=True)
    if detector_images:
        with open(os.path.join(out_dir, "detector.json"), "w", encoding="utf-8") as f:
            json.dump({"studies": study_dirs, "images": det_meta}, f)
    with open(os.path.join(out_dir, "classifier.json"), "w", encoding="utf-8") as f:
        json.dump({"studies": study_dirs, "crops": cls_meta}, f)
    return len(det_meta), len(cls_meta)


def merge(base_dir, part_dirs, out_dir):
    """The base cache's classifier crops followed by each part's (their study indices offset by the studies before them);
    the base's detector images and their list are linked, not copied. Returns (studies, crops)."""
    inputs = {os.path.realpath(d) for d in [base_dir, *part_dirs]}
    if os.path.realpath(out_dir) in inputs:
        raise ValueError(f"{out_dir} is one of the caches being merged: writing it would destroy its own crops")
    os.makedirs(out_dir, exist_ok=True)
    for name in ("detector-images.u8", "detector.json"):
        link = os.path.join(out_dir, name)
        if os.path.lexists(link):
            os.remove(link)
        # to the real file, not to the base's own link: a merged cache outlives the cache it was merged from
        os.symlink(os.path.realpath(os.path.join(base_dir, name)), link)
    studies, crops = [], []
    with open(os.path.join(out_dir, "classifier-crops.u8"), "wb") as out:
        for cache in [base_dir, *part_dirs]:
            with open(os.path.join(cache, "classifier.json"), encoding="utf-8") as f:
                meta = json.load(f)
            offset = len(studies)
            studies += meta["studies"]
            crops += [dict(c, study=c["study"] + offset) for c in meta["crops"]]
            with open(os.path.join(cache, "classifier-crops.u8"), "rb") as f:
                shutil.copyfileobj(f, out, 1 << 24)
    if os.path.getsize(os.path.join(out_dir, "classifier-crops.u8")) != len(crops) * CROP_SIZE * CROP_SIZE:
        raise ValueError(f"{out_dir}: the crop files do not hold {len(crops)} crops: a cache's classifier.json does not match its crops")
    with open(os.path.join(out_dir, "classifier.json"), "w", encoding="utf-8") as f:
        json.dump({"studies": studies, "crops": crops}, f)
    return len(studies), len(crops)


def load_detector_cache(cache_dir):
    with open(os.path.join(cache_dir, "detector.json"), encoding="utf-8") as f:
        meta = json.load(f)
    images = np.memmap(os.path.join(cache_dir, "detector-images.u8"), dtype=np.uint8, mode="r",
                       shape=(len(meta["images"]), DETECTOR_SIZE, DETECTOR_SIZE))
    return images, meta


class ImageStack:
    """Several caches' detector images as one [N, 512, 512] array for indexing (image first), without copying them."""

    def __init__(self, parts):
        self.parts = parts
        self.starts = np.cumsum([0] + [len(p) for p in parts])

    def __len__(self):
        return int(self.starts[-1])

    def __getitem__(self, key):
        i, rest = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        if not 0 <= i < len(self):
            raise IndexError(f"image {i} of {len(self)}")
        part = int(np.searchsorted(self.starts, i, side="right")) - 1
        return self.parts[part][(i - self.starts[part], *rest)]


def load_detector_caches(cache_dirs):
    """The detector images of several caches, in order, as one list (study indices offset by the studies before them)."""
    if len(cache_dirs) == 1:
        return load_detector_cache(cache_dirs[0])
    parts, studies, images = [], [], []
    for d in cache_dirs:
        part, meta = load_detector_cache(d)
        offset = len(studies)
        studies += meta["studies"]
        images += [dict(m, study=m["study"] + offset) for m in meta["images"]]
        parts.append(part)
    return ImageStack(parts), {"studies": studies, "images": images}


def load_classifier_cache(cache_dir):
    with open(os.path.join(cache_dir, "classifier.json"), encoding="utf-8") as f:
        meta = json.load(f)
    crops = np.fromfile(os.path.join(cache_dir, "classifier-crops.u8"), dtype=np.uint8).reshape(-1, CROP_SIZE, CROP_SIZE)
    return crops, meta


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare", help="phantom studies -> detector images and classifier crops")
    prep.add_argument("--studies", nargs="+", required=True, help="directories written by lilnet phantom")
    prep.add_argument("--out", required=True)
    prep.add_argument("--seed", type=int, default=7)
    prep.add_argument("--classifier-only", action="store_true", help="write the classifier crops only (no detector images)")
    mer = sub.add_parser("merge", help="a cache's classifier crops plus those of more prepared parts")
    mer.add_argument("--base", required=True, help="a full cache (its detector images are linked)")
    mer.add_argument("--parts", nargs="+", required=True)
    mer.add_argument("--out", required=True)
    args = p.parse_args(argv)
    if args.command == "prepare":
        dirs = studies_under(args.studies)
        if not dirs:
            print("no ground-truth.json under " + " ".join(args.studies), file=sys.stderr)
            return 2
        n_det, n_cls = prepare(dirs, args.out, args.seed, detector_images=not args.classifier_only)
        print(f"{len(dirs)} studies -> {'no' if args.classifier_only else n_det} detector images, {n_cls} classifier crops in {args.out}")
    elif args.command == "merge":
        n_studies, n_crops = merge(args.base, args.parts, args.out)
        print(f"{n_studies} studies, {n_crops} classifier crops in {args.out} (detector images linked from {args.base})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
