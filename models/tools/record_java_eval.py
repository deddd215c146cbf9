#!/usr/bin/python3
"""Records the held-out figures measured through the services' Java stage code in the model manifest.

    bin/lilnet eval --run HELDOUT --json W/java-report.json ...
    /usr/bin/python3 models/tools/record_java_eval.py --report W/java-report.json --manifest models/manifest.json \\
        --command "bin/lilnet eval --run HELDOUT ..." --generator-command "lilnet phantom --studies 72 --seed 2002 ..."

`lilnet eval --json` writes the figures of `Evaluation.Report`; this tool copies them, in the manifest's key names
(acc, acc95, ...), into every model's `metrics.heldOut.java`: the detector gets the detection figures, `bm`, `m` and
`b` their task and the cascade. The figures `evaluate_heldout.py` recorded (the same pipeline re-implemented in
numpy/PyTorch) stay where they are, marked `"pipeline": "python"`. Nothing else in the manifest changes (files,
sha256, contracts).
"""
from __future__ import annotations

import argparse
import json
import sys

TASK_KEYS = {"ACC": "acc", "AUC": "auc", "F1": "f1", "recall": "recall", "precision": "precision", "macroF1": "macroF1",
             "macroRecall": "macroRecall", "macroPrecision": "macroPrecision"}


def r4(v):
    return None if v is None else round(float(v), 4)


def task(t):
    out = {"n": t["patients"]}
    for java_key, key in TASK_KEYS.items():
        out[key] = r4(t["scores"][key])
        ci = t["intervals"].get(java_key)
        if ci:
            out[key + "95"] = [r4(ci["low"]), r4(ci["high"])]
    out["confusion"] = t["confusion"]
    return out


def detection(report):
    out = {}
    for d in report["detection"]:
        v = {k: (r4(d[k]) if isinstance(d[k], float) else d[k]) for k in
             ("recall", "precision", "f1", "recallAtLeast1cm", "recallVisible", "recallVisibleAtLeast1cm", "lesionRecallAnyPhase",
              "lesionRecallAnyPhaseAtLeast1cm", "trueLesions", "trueLesionsAtLeast1cm", "visibleLesionsAtLeast1cm", "predictedLesions",
              "truePositives")}
        for name, ci in d.get("intervals", {}).items():
            v[name + "95"] = [r4(ci["low"]), r4(ci["high"])]
        out[f"iou{d['iou']:g}"] = v
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--report", required=True, help="lilnet eval --json output")
    p.add_argument("--manifest", required=True)
    p.add_argument("--command", required=True, help="the lilnet eval command that measured them (recorded)")
    p.add_argument("--generator-command", default="", help="the command that wrote the held-out set (recorded)")
    p.add_argument("--generator-seed", type=int, default=None)
    p.add_argument("--python-note", default="models/tools/evaluate_heldout.py: the same pre- and post-processing re-implemented "
                   "in numpy/PyTorch, on the PyTorch weights")
    args = p.parse_args(argv)
    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)
    with open(args.manifest, encoding="utf-8") as f:
        manifest = json.load(f)
    common = {"pipeline": "java", "evaluation": args.command,
              "stages": "ingest Intake + CasePlanner, DetectorStage, ClassifierStage, aggregator CaseFusion (services' defaults), "
                        "ONNX Runtime Java on the manifest's ONNX files",
              "patients": report["patients"], "diagnosed": report["diagnosed"], "patientsPerClass": report["perClass"]}
    if args.generator_command:
        common["generatorCommand"] = args.generator_command
    if args.generator_seed is not None:
        common["generatorSeed"] = args.generator_seed
    for model in manifest["models"]:
        held = model.setdefault("metrics", {}).setdefault("heldOut", {})
        if held and "pipeline" not in held:
            held["pipeline"] = "python"
            held["pipelineNote"] = args.python_note
        java = dict(common)
        role = model["role"]
        if role == "detector":
            java["detection"] = detection(report)
        else:
            java[role] = task(report[role])
            if role == "bm":
                java["cascade"] = {"acc": r4(report["cascadeAccuracy"]), "confusion": report["cascadeConfusion"]}
                java["accuracyBySize"] = {b["name"]: {"n": b["patients"], "cascadeAcc": r4(b["cascadeAccuracy"]), "bmAcc": r4(b["bmAccuracy"])}
                                          for b in report["bySize"]}
        held["java"] = java
    with open(args.manifest, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"recorded the Java figures of {args.report} in {args.manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
