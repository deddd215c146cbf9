#!/usr/bin/python3
"""Makes LiLNet-architecture classifiers with random weights (BM, M, B) as a model directory, for benchmarks.

    /usr/bin/python3 models/tools/make_random_classifiers.py --out /tmp/lilnet-bench-models [--seed 1]
        [--detector-from models/manifest.json]

Each classifier is a randomly initialised LiLNet network saved as a checkpoint in the authors' format
({"state_dict": {"module.<key>": tensor}, ...}) and exported by the real exporter (export_classifier.py), so a
benchmark on these files pays exactly the cost of the published models (ResNet50, ~100 MB of ONNX each). The
weights are meaningless: never use this directory for diagnoses. --detector-from copies the detector entry (and
its file) of another manifest so the directory is complete for the services.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lilnet_classifier import ROLE_LABELS, LiLNetClassifier  # noqa: E402
from export_manifest import ManifestError, put_entry, read_manifest, relative_file, sha256_of  # noqa: E402
from export_classifier import export_checkpoint  # noqa: E402


def random_network(num_classes: int, seed: int) -> LiLNetClassifier:
    """A LiLNet network with seeded random weights, BatchNorm statistics included.

    BatchNorm gets random affine parameters and running statistics (instead of the identity a fresh network has),
    so an export that mishandled them would change the logits.
    """
    torch.manual_seed(seed)
    model = LiLNetClassifier(num_classes)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.1)
                module.running_mean.normal_(0.0, 0.1)
                module.running_var.uniform_(0.5, 2.0)
                module.num_batches_tracked.fill_(1000)
    return model.eval()


def save_checkpoint(model: LiLNetClassifier, path: str) -> None:
    """Saves as the authors' training script does: a dict with 'state_dict', keys prefixed 'module.' (DataParallel)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    state = {f"module.{k}": v for k, v in model.state_dict().items()}
    torch.save({"epoch": 0, "arch": "lilnet-resnet50", "state_dict": state}, path)


def random_checkpoint(num_classes: int, seed: int, path: str) -> LiLNetClassifier:
    model = random_network(num_classes, seed)
    save_checkpoint(model, path)
    return model


def copy_detector(source_manifest: str, manifest: str) -> dict:
    entries = [m for m in read_manifest(source_manifest)["models"] if m.get("role") == "detector"]
    if not entries:
        raise ManifestError(f"{source_manifest}: no detector entry to copy")
    entry = dict(entries[0])
    src = os.path.join(os.path.dirname(os.path.abspath(source_manifest)), entry["file"])
    dst = os.path.join(os.path.dirname(os.path.abspath(manifest)), os.path.basename(entry["file"]))
    if os.path.abspath(src) != os.path.abspath(dst):
        shutil.copyfile(src, dst)
    if sha256_of(dst) != entry["sha256"]:
        raise ManifestError(f"{src}: sha256 differs from its manifest entry")
    entry["file"] = relative_file(manifest, dst)
    put_entry(manifest, entry)
    return entry


REPOSITORY = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def inside_source_tree(out: str) -> bool:
    """True for a directory in this repository outside any build output (target/), where git would see 100 MB files."""
    rel = os.path.relpath(os.path.abspath(out), REPOSITORY)
    parts = rel.split(os.sep)
    return not rel.startswith("..") and "target" not in parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="directory to write the ONNX files and manifest.json into")
    parser.add_argument("--roles", default="bm,m,b", help="comma-separated roles (default bm,m,b)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the first role (next roles: +1, ...)")
    parser.add_argument("--keep-checkpoints", action="store_true",
                        help="keep the random .pth.tar files (~100 MB each) in <out>/checkpoints")
    parser.add_argument("--detector-from", help="a manifest whose detector entry and file are copied in")
    args = parser.parse_args(argv)
    roles = [r for r in args.roles.split(",") if r]
    unknown = [r for r in roles if r not in ROLE_LABELS]
    if unknown:
        parser.error(f"unknown roles {unknown}; known: {sorted(ROLE_LABELS)}")
    if inside_source_tree(args.out):
        parser.error(f"{args.out} is inside the source tree: random-weight models (~100 MB each) must not be "
                     f"committed; write them elsewhere (e.g. /tmp/lilnet-bench-models) or under a target/ directory")
    manifest = os.path.join(args.out, "manifest.json")
    try:
        for i, role in enumerate(roles):
            seed = args.seed + i
            checkpoint = os.path.join(args.out, "checkpoints", f"random-{role}-seed{seed}.pth.tar")
            random_checkpoint(len(ROLE_LABELS[role]), seed, checkpoint)
            entry = export_checkpoint(checkpoint, role, manifest, name=f"lilnet-random-{role}",
                                      version=f"0.0.0-random-seed{seed}")
            print(json.dumps({"role": role, "file": entry["file"], "sha256": entry["sha256"]}))
            if not args.keep_checkpoints:
                os.remove(checkpoint)
        checkpoints = os.path.join(args.out, "checkpoints")
        if not args.keep_checkpoints and os.path.isdir(checkpoints) and not os.listdir(checkpoints):
            os.rmdir(checkpoints)
        if args.detector_from:
            copy_detector(args.detector_from, manifest)
    except (ManifestError, OSError) as e:
        print(f"make_random_classifiers: {e}", file=sys.stderr)
        return 2
    print(f"make_random_classifiers: wrote {manifest} (random weights: for benchmarks only)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
