#!/usr/bin/python3
"""The PyTorch eager baseline for models/tools/bench_classifiers.sh: the LiLNet classifier's forward (aggregated
logits) on CPU, one line per role and batch size, in the format of org.lilnet.models.ClassifierCost.

    /usr/bin/python3 models/tools/bench_torch_eager.py [--roles bm,m,b] [--batches 1,16] [--runs 3] [--threads 2]

Weights are random (they do not change the cost); the network is the one export_classifier.py exports.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lilnet_classifier import INPUT_SIZE, ROLE_LABELS  # noqa: E402
from make_random_classifiers import random_network  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--roles", default="bm,m,b")
    parser.add_argument("--batches", default="1,16")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for i, role in enumerate(args.roles.split(",")):
        model = random_network(len(ROLE_LABELS[role]), seed=1 + i)
        for batch in (int(b) for b in args.batches.split(",")):
            generator = torch.Generator().manual_seed(batch)
            x = torch.randint(0, 256, (batch, 3, INPUT_SIZE, INPUT_SIZE), generator=generator).float() / 255 * 2 - 1
            with torch.no_grad():
                for _ in range(2):
                    model(x)  # warm-up: oneDNN picks and caches its kernels on the first calls
                millis = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    model(x)
                    millis.append((time.perf_counter() - start) * 1000)
            median, best = statistics.median(millis), min(millis)
            # per-image figures from the fastest run: the machine is shared, slower runs measure the neighbours
            print(f"pytorch-eager role={role} batch={batch} threads={torch.get_num_threads()} median-ms={median:.1f} "
                  f"min-ms={best:.1f} per-image-ms={best / batch:.1f} images-per-s={1000.0 * batch / best:.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
