#!/usr/bin/python3
"""The authors' way of running the models, as the baseline of `lilnet bench`: PyTorch eager on the CPU, one image at a
time, the same networks and the same inputs as our workers, the same thread count. Prints one JSON line.

    /usr/bin/python3 bench/src/main/python/torch_eager.py --set phantom|lilnet --tools models/tools
        [--detector phantom|cost] [--slices FILE --slice-count N | --dicom-list FILE] [--crops FILE --crop-count M]
        [--repeat TOTAL] [--threads 2]

Inputs are written by the benchmark: raw 8-bit slices already rendered to 512x512 (N x 512 x 512 bytes), or a list of
the DICOM files themselves (one path a line: each is then read with pydicom, rescaled to HU, windowed 40/400 to 8 bits
and resized, inside the clock, as the detector-worker does), and raw 224x224 crops (M x 224 x 224 bytes); --repeat
cycles over them up to TOTAL images. Pre-processing is the contract's (grey replicated to 3 channels; detector /255,
classifiers x/255*2-1); the detector's output is thresholded at 0.25 and put through class-agnostic NMS at IoU 0.5, as
Ultralytics' predict does.

Networks: --set phantom builds the phantom networks (models/tools/phantom_models.py: Detector, and per role the
backbone with that role's head, as exported); --set lilnet the LiLNet classifier (models/tools/lilnet_classifier.py,
ResNet50 + heads, the network the exporter exports) for BM, M and B. Weights are random: the cost of a forward pass
does not depend on them (the phantom detector's head keeps its prior, so the box count after the threshold is small,
as with the trained one on most slices).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

# Spinning OpenMP threads make PyTorch several times slower on a busy shared machine; sleeping ones are the kinder
# setting for the baseline (models/tools/train_common.py does the same).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROLES = {"bm": 2, "m": 3, "b": 3}


def detector_network(kind: str, tools: str, here: str) -> torch.nn.Module:
    if kind == "phantom":
        sys.path.insert(0, tools)
        from phantom_models import Detector  # noqa: E402
        return Detector().eval()
    sys.path.insert(0, here)
    from make_cost_models import CostDetector  # noqa: E402
    return CostDetector().eval()


def classifier_networks(kind: str, tools: str) -> list[torch.nn.Module]:
    sys.path.insert(0, tools)
    if kind == "phantom":
        from phantom_models import Classifiers, OneHead  # noqa: E402
        shared = Classifiers().eval()
        # three exported models, each a backbone and one head: three backbone passes per crop, as in ONNX Runtime
        return [OneHead(shared, role).eval() for role in ROLES]
    from make_random_classifiers import random_network  # noqa: E402
    return [random_network(n, seed=1 + i).eval() for i, n in enumerate(ROLES.values())]


def read_images(path: str, count: int, size: int) -> np.ndarray:
    data = np.fromfile(path, dtype=np.uint8)
    if data.size != count * size * size:
        raise SystemExit(f"{path}: {data.size} bytes, expected {count} x {size} x {size}")
    return data.reshape(count, size, size)


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou: float) -> torch.Tensor:
    try:
        import torchvision
        return torchvision.ops.nms(boxes, scores, iou)
    except ImportError:  # pragma: no cover - torchvision is a Debian package next to torch
        raise SystemExit("torchvision (Debian python3-torchvision) is needed for NMS")


def render(path: str, level: float = 40.0, width: float = 400.0) -> np.ndarray:
    """A CT slice from its DICOM file: HU from RescaleSlope/Intercept, window to 8 bits, 512x512 (plain resize)."""
    import pydicom
    ds = pydicom.dcmread(path)
    hu = ds.pixel_array.astype(np.float32) * float(getattr(ds, "RescaleSlope", 1)) + float(getattr(ds, "RescaleIntercept", 0))
    low = level - width / 2
    grey = np.clip(np.floor((hu - low) / width * 255.0 + 0.5), 0, 255).astype(np.uint8)
    if grey.shape != (512, 512):
        grey = torch.nn.functional.interpolate(torch.from_numpy(grey).float()[None, None], size=(512, 512), mode="bilinear",
                                               align_corners=False)[0, 0].round().clamp(0, 255).byte().numpy()
    return grey


def run_detector(model: torch.nn.Module, slices, total: int, warmup: int, from_dicom: bool) -> dict:
    def one(item) -> int:
        image = render(item) if from_dicom else item
        x = torch.from_numpy(image).float().div(255.0).expand(1, 3, 512, 512)
        out = model(x)[0]  # [5, anchors]
        keep = out[4] >= 0.25
        if not bool(keep.any()):
            return 0
        c = out[:, keep]
        boxes = torch.stack([c[0] - c[2] / 2, c[1] - c[3] / 2, c[0] + c[2] / 2, c[1] + c[3] / 2], dim=1)
        return int(nms(boxes, c[4], 0.5).numel())

    with torch.no_grad():
        for i in range(warmup):
            one(slices[i % len(slices)])
        boxes = 0
        start = time.perf_counter()
        for i in range(total):
            boxes += one(slices[i % len(slices)])
        seconds = time.perf_counter() - start
    return {"images": total, "seconds": seconds, "boxes": boxes, "fromDicom": from_dicom}


def run_classifiers(models: list[torch.nn.Module], crops: np.ndarray, total: int, warmup: int) -> dict:
    def one(crop: np.ndarray) -> None:
        x = torch.from_numpy(crop).float().div(255.0).mul(2.0).sub(1.0).expand(1, 3, 224, 224)
        for m in models:
            m(x)

    with torch.no_grad():
        for i in range(warmup):
            one(crops[i % len(crops)])
        start = time.perf_counter()
        for i in range(total):
            one(crops[i % len(crops)])
        seconds = time.perf_counter() - start
    return {"crops": total, "seconds": seconds, "models": len(models)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=["phantom", "lilnet"], required=True, help="which classifiers")
    parser.add_argument("--detector", choices=["phantom", "cost"], default="phantom", help="which detector network")
    parser.add_argument("--tools", required=True, help="models/tools (the network definitions)")
    parser.add_argument("--slices")
    parser.add_argument("--slice-count", type=int, default=0)
    parser.add_argument("--dicom-list")
    parser.add_argument("--crops")
    parser.add_argument("--crop-count", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=0, help="images to run, cycling over the inputs (default: each once)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    here = os.path.dirname(os.path.abspath(__file__))
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(),
              "ompWaitPolicy": os.environ.get("OMP_WAIT_POLICY", "")}
    if args.slices or args.dicom_list:
        if args.dicom_list:
            with open(args.dicom_list) as f:
                inputs = [line.strip() for line in f if line.strip()]
        else:
            inputs = read_images(args.slices, args.slice_count, 512)
        result["detector"] = run_detector(detector_network(args.detector, args.tools, here), inputs, args.repeat or len(inputs),
                                          args.warmup, bool(args.dicom_list))
    if args.crops:
        crops = read_images(args.crops, args.crop_count, 224)
        result["classifiers"] = run_classifiers(classifier_networks(args.set, args.tools), crops, args.repeat or len(crops), args.warmup)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
