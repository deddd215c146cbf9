#!/usr/bin/python3
"""Runs the phantom models over a held-out phantom set with the contract's pre- and post-processing and reports
the paper's metrics per patient; optionally writes the model manifest and the diagnoses for `lilnet eval`.

    nice -n 10 /usr/bin/python3 models/tools/evaluate_heldout.py --studies HELDOUT_DIR \\
        --detector-checkpoint W/detector.pt --classifier-checkpoint W/classifiers.pt \\
        --models-dir models --manifest models/manifest.json --diagnoses W/heldout-diagnoses.jsonl

Pipeline per patient, as the services do it: every slice of the arterial and portal venous series through the
detector (score >= 0.25, class-agnostic NMS at IoU 0.5), a 224x224 crop per box, the three classifiers per crop, the
crops' logits averaged over both phases, softmax, argmax (BM; the subtype of the branch BM chose; M and B are also
evaluated on their own patients as the paper does). Boxes on adjacent slices that overlap form a lesion (3D box:
largest box x slice range), matched to the ground truth by 3D IoU for the detection figures.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_common  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import phantom_metrics as pm  # noqa: E402
from export_manifest import sha256_of  # noqa: E402
from phantom_data import (CLASSES, classifier_input, crop_box, detector_input, processed_series, read_series,  # noqa: E402
                          studies_under, WINDOW_LEVEL, WINDOW_WIDTH)
from phantom_models import OneHead, load_trained  # noqa: E402
from train_detector import postprocess  # noqa: E402

BM_LABELS = ["benign", "malignant"]
M_LABELS = ["HCC", "ICC", "MET"]
B_LABELS = ["FNH", "HEM", "CYST"]
IOUS = (0.1, 0.3, 0.5)
LINK_IOU = 0.2
SIZE_BUCKETS = ((0, 10, "<1 cm"), (10, 30, "1-3 cm"), (30, 50, "3-5 cm"), (50, 1e9, ">5 cm"))


def softmax(v):
    e = np.exp(v - np.max(v))
    return e / e.sum()


def iou2d(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0.0


def tracks(detections):
    """Boxes of one series grouped across adjacent slices (a gap of one slice allowed) by overlap.
    detections: list of (slice, box, score). Returns lesions as dicts."""
    out = []
    for k, box, score in sorted(detections, key=lambda d: (d[0], -d[2])):
        best, best_iou = None, LINK_IOU
        for t in out:
            if 1 <= k - t["last"] <= 2 and t["lastSliceSeen"] != k:
                v = iou2d(t["lastBox"], box)
                if v >= best_iou:
                    best, best_iou = t, v
        if best is None:
            best = {"first": k, "last": k, "boxes": [], "lastSliceSeen": -1}
            out.append(best)
        best["boxes"].append((k, box, score))
        best["last"] = k
        best["lastBox"] = box
        best["lastSliceSeen"] = k
    for t in out:
        k, box, _ = max(t["boxes"], key=lambda b: (b[1][2] - b[1][0]) * (b[1][3] - b[1][1]))
        t["largest"] = (k, box)
        t["maxScore"] = max(b[2] for b in t["boxes"])
    return out


def run(studies, detector, classifiers, batch=8):
    """Per patient: truth, detections and crop logits per series."""
    results = []
    for n, study in enumerate(studies):
        with open(os.path.join(study, "ground-truth.json"), encoding="utf-8") as f:
            truth = json.load(f)
        series_out = []
        for series in processed_series(truth):
            images, sops, positions, spacing = read_series(study, series)
            detections = []
            with torch.no_grad():
                for s in range(0, len(images), batch):
                    out = detector(torch.from_numpy(detector_input(images[s:s + batch])))
                    for j in range(out.shape[0]):
                        boxes, scores = postprocess(out[j])
                        for b, sc in zip(boxes, scores):
                            detections.append((s + j, [float(v) for v in b], float(sc)))
                logits = []
                if detections:
                    crops = np.stack([crop_box(images[k], box) for k, box, _ in detections])
                    x = torch.from_numpy(classifier_input(crops))
                    outs = [c(x).numpy() for c in classifiers]
                    logits = [tuple(o[i] for o in outs) for i in range(len(detections))]
            series_out.append({"series": series, "detections": detections, "logits": logits, "sops": sops,
                               "positions": positions, "spacing": spacing})
        results.append({"study": study, "truth": truth, "series": series_out})
        if (n + 1) % 10 == 0:
            print(f"  {n + 1}/{len(studies)} patients", flush=True)
    return results


def fuse(result):
    """Mean logits over every crop of both phases, softmax: (bm, m, b) probability vectors and mean logits, or None."""
    all_logits = [l for s in result["series"] for l in s["logits"]]
    if not all_logits:
        return None
    mean = [np.mean([l[r] for l in all_logits], axis=0) for r in range(3)]
    return [(softmax(m), m) for m in mean]


def diagnosis(result, fused, models):
    """The patient's result as a Diagnosis record in Avro JSON (what `lilnet eval --diagnoses` reads)."""
    truth = result["truth"]
    ns = "org.lilnet.events."

    def probs(labels, pm_):
        return {ns + "ClassProbabilities": {"labels": labels, "probabilities": [float(v) for v in pm_[0]],
                                             "meanLogits": [float(v) for v in pm_[1]]}}

    lesions = []
    phases = []
    for s in result["series"]:
        uid = s["series"]["seriesInstanceUid"]
        phases.append({"phase": s["series"]["phase"], "seriesInstanceUid": uid, "sliceCount": len(s["sops"]),
                       "chunksExpected": 1, "chunksReceived": 1, "chunksFailed": 0, "cropCount": len(s["detections"])})
        for t in tracks(s["detections"]):
            k, box = t["largest"]
            w_mm = (box[2] - box[0]) * s["spacing"][1]
            h_mm = (box[3] - box[1]) * s["spacing"][0]
            lesions.append({"lesionId": len(lesions) + 1, "phase": s["series"]["phase"], "seriesInstanceUid": uid,
                            "firstSliceIndex": t["first"], "lastSliceIndex": t["last"],
                            "firstSlicePositionMm": s["positions"][t["first"]], "lastSlicePositionMm": s["positions"][t["last"]],
                            "largestBox": {"x1": box[0], "y1": box[1], "x2": box[2], "y2": box[3]},
                            "largestBoxSliceIndex": k, "largestBoxSopInstanceUid": s["sops"][k],
                            "widthMm": w_mm, "heightMm": h_mm, "sizeMm": max(w_mm, h_mm), "cropCount": len(t["boxes"]),
                            "maxDetectionScore": t["maxScore"], "bm": None, "m": None, "b": None})
    d = {"caseId": truth["studyInstanceUid"], "version": 1, "changes": None, "patientId": {"string": truth["patientId"]},
         "studyInstanceUid": truth["studyInstanceUid"], "accessionNumber": {"string": truth["accessionNumber"]},
         "seriesInstanceUids": [s["series"]["seriesInstanceUid"] for s in result["series"]],
         "status": "COMPLETE" if fused else "NO_LESION", "statusReason": None,
         "phasesUsed": [s["series"]["phase"] for s in result["series"]]}
    if fused:
        bm, m, b = fused
        malignant = int(np.argmax(bm[0])) == 1
        sub_p = m if malignant else b
        sub_labels = M_LABELS if malignant else B_LABELS
        d.update({"malignancy": {"string": BM_LABELS[int(malignant)]}, "malignancyProbability": {"double": float(np.max(bm[0]))},
                  "subtype": {"string": sub_labels[int(np.argmax(sub_p[0]))]}, "subtypeProbability": {"double": float(np.max(sub_p[0]))},
                  "bm": probs(BM_LABELS, bm), "m": probs(M_LABELS, m), "b": probs(B_LABELS, b)})
    else:
        d.update({"malignancy": None, "malignancyProbability": None, "subtype": None, "subtypeProbability": None,
                  "bm": None, "m": None, "b": None})
    d.update({"phases": phases, "lesions": lesions, "models": models,
              "window": {ns + "WindowSetting": {"level": WINDOW_LEVEL, "width": WINDOW_WIDTH}},
              "refusedInstances": 0, "notes": ["phantom held-out evaluation (models/tools/evaluate_heldout.py)"],
              "timingsMillis": {}, "lastInstanceAt": None, "producedAt": 0})
    return d


def evaluate(results, rounds, seed):
    rows = []
    for r in results:
        fused = fuse(r)
        truth = r["truth"]
        c = CLASSES.index(truth["patientClass"])
        rows.append({"class": c, "malignant": c < 3, "fused": fused, "size": max(l["sizeMm"] for l in truth["lesions"])})
    report = {"patients": len(rows), "patientsPerClass": {k: sum(1 for x in rows if x["class"] == i) for i, k in enumerate(CLASSES)}}
    # benign / malignant
    y = [int(x["malignant"]) for x in rows]
    pred = [int(np.argmax(x["fused"][0][0])) if x["fused"] else -1 for x in rows]
    prob = [x["fused"][0][0] if x["fused"] else np.array([0.5, 0.5]) for x in rows]
    report["bm"] = pm.with_ci(y, pred, prob, 2, rounds, seed)
    report["bm"]["confusion"] = pm.confusion(y, pred, 2)
    # triads on their own patients
    for key, lo, labels in (("m", 0, M_LABELS), ("b", 3, B_LABELS)):
        sub = [x for x in rows if (x["class"] < 3) == (lo == 0)]
        y = [x["class"] - lo for x in sub]
        idx = 1 if key == "m" else 2
        pred = [int(np.argmax(x["fused"][idx][0])) if x["fused"] else -1 for x in sub]
        prob = [x["fused"][idx][0] if x["fused"] else np.full(3, 1 / 3) for x in sub]
        report[key] = pm.with_ci(y, pred, prob, 3, rounds, seed)
        report[key]["confusion"] = pm.confusion(y, pred, 3)
    # the deployed cascade: BM, then the subtype of its branch
    y6, p6 = [], []
    for x in rows:
        y6.append(x["class"])
        if not x["fused"]:
            p6.append(-1)
            continue
        malignant = int(np.argmax(x["fused"][0][0])) == 1
        p6.append(int(np.argmax(x["fused"][1][0])) if malignant else 3 + int(np.argmax(x["fused"][2][0])))
    report["cascade"] = {"acc": round(float(np.mean(np.array(y6) == np.array(p6))), 4), "confusion": pm.confusion(y6, p6, 6)}
    by_size = {}
    for lo, hi, name in SIZE_BUCKETS:
        sel = [i for i, x in enumerate(rows) if lo <= x["size"] < hi]
        by_size[name] = {"n": len(sel), "cascadeAcc": round(float(np.mean([y6[i] == p6[i] for i in sel])), 4) if sel else None,
                         "bmAcc": round(float(np.mean([(p6[i] >= 0 and (p6[i] < 3) == (y6[i] < 3)) for i in sel])), 4) if sel else None}
    report["accuracyBySize"] = by_size
    report["detection"] = detection(results)
    return report


def detection(results):
    """Lesion-level detection per series (3D boxes), overall, for lesions >= 1 cm, and per lesion in any phase."""
    out = {}
    for thr in IOUS:
        tp = n_pred = n_true = tp10 = n_true10 = 0
        any_hit, any_n, any_hit10, any_n10 = 0, 0, 0, 0
        for r in results:
            hit_lesions = set()
            for s in r["series"]:
                uid = s["series"]["seriesInstanceUid"]
                predicted = [(t["largest"][1][0], t["largest"][1][1], t["largest"][1][2], t["largest"][1][3], t["first"], t["last"])
                             for t in tracks(s["detections"])]
                truth = []
                sizes = []
                ids = []
                for l in r["truth"]["lesions"]:
                    e = next((e for e in l["extents"] if e["seriesInstanceUid"] == uid), None)
                    if e:
                        b = e["box"]
                        truth.append((b["x1"], b["y1"], b["x2"], b["y2"], e["firstSliceIndex"], e["lastSliceIndex"]))
                        sizes.append(l["sizeMm"])
                        ids.append(l["lesionId"])
                k, matched = pm.match(predicted, truth, thr)
                tp += k
                n_pred += len(predicted)
                n_true += len(truth)
                tp10 += sum(1 for j in matched if sizes[j] >= 10)
                n_true10 += sum(1 for z in sizes if z >= 10)
                hit_lesions |= {ids[j] for j in matched}
            for l in r["truth"]["lesions"]:
                if l["extents"]:
                    any_n += 1
                    any_hit += l["lesionId"] in hit_lesions
                    if l["sizeMm"] >= 10:
                        any_n10 += 1
                        any_hit10 += l["lesionId"] in hit_lesions
        recall = tp / n_true if n_true else 0.0
        precision = tp / n_pred if n_pred else 0.0
        out[f"iou{thr}"] = {"recall": round(recall, 4), "precision": round(precision, 4),
                            "f1": round(2 * recall * precision / (recall + precision), 4) if recall + precision else 0.0,
                            "recallAtLeast1cm": round(tp10 / n_true10, 4) if n_true10 else None,
                            "lesionRecallAnyPhase": round(any_hit / any_n, 4) if any_n else None,
                            "lesionRecallAnyPhaseAtLeast1cm": round(any_hit10 / any_n10, 4) if any_n10 else None,
                            "trueLesionSeries": n_true, "predictedLesions": n_pred}
    return out


def write_manifest(path, models_dir, report, heldout_info, version, detector_version=None):
    base = os.path.dirname(os.path.abspath(path))
    det_train = json.load(open(os.path.join(models_dir, "phantom-detector.onnx.train.json"), encoding="utf-8"))
    cls_train = json.load(open(os.path.join(models_dir, "phantom-classifiers.train.json"), encoding="utf-8"))
    entries = []
    specs = [("detector", "phantom-detector.onnx", "output0", [-1, 5, 5376], ["lesion"], [-1, 3, 512, 512], "train_detector.py",
              det_train, {"detection": report["detection"]}),
             ("bm", "phantom-bm.onnx", "logits", [-1, 2], BM_LABELS, [-1, 3, 224, 224], "train_classifiers.py", cls_train,
              {"bm": report["bm"], "cascade": report["cascade"], "accuracyBySize": report["accuracyBySize"]}),
             ("m", "phantom-m.onnx", "logits", [-1, 3], M_LABELS, [-1, 3, 224, 224], "train_classifiers.py", cls_train, {"m": report["m"]}),
             ("b", "phantom-b.onnx", "logits", [-1, 3], B_LABELS, [-1, 3, 224, 224], "train_classifiers.py", cls_train, {"b": report["b"]})]
    for role, file, out_name, out_shape, labels, in_shape, script, train, metrics in specs:
        f = os.path.join(models_dir, file)
        entries.append({
            "role": role, "name": f"lilnet-phantom-{'detector' if role == 'detector' else role}",
            "version": (detector_version or version) if role == "detector" else version,
            "file": os.path.relpath(os.path.abspath(f), base).replace(os.sep, "/"), "sha256": sha256_of(f),
            "input": {"name": "images", "shape": in_shape, "dtype": "float32"},
            "output": {"name": out_name, "shape": out_shape, "dtype": "float32"},
            "labels": labels,
            "source": {"kind": "phantom-trained", "script": "models/tools/" + script, "seed": train["seed"],
                       "trainStudies": train["trainStudies"],
                       ("trainImages" if role == "detector" else "trainCrops"): train.get("trainImages", train.get("trainCrops")),
                       "trainingSeconds": train["seconds"],
                       **({"fineTunedFrom": train["fineTunedFrom"]} if "fineTunedFrom" in train else {})},
            "metrics": {"heldOut": dict(heldout_info, **metrics)}})
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"manifestVersion": 1, "models": entries}, out, indent=2)
        out.write("\n")


def print_report(report):
    print(f"held-out: {report['patients']} patients " + ", ".join(f"{k} {v}" for k, v in report["patientsPerClass"].items()))
    for key, name in (("bm", "benign/malignant"), ("m", "HCC/ICC/MET"), ("b", "FNH/HEM/CYST")):
        r = report[key]
        cells = "  ".join(f"{k.upper()} {100 * r[k]:.1f} ({100 * r[k + '95'][0]:.1f}-{100 * r[k + '95'][1]:.1f})"
                          for k in ("acc", "auc", "f1", "recall", "precision") if k + "95" in r)
        print(f"  {name:17s} n={r['n']:3d}  {cells}")
        print(f"  {'':17s} macro F1 {100 * r['macroF1']:.1f}, recall {100 * r['macroRecall']:.1f}, precision {100 * r['macroPrecision']:.1f};"
              f" confusion (rows truth, last column no answer) {r['confusion']}")
    print(f"  cascade (BM then subtype) accuracy {100 * report['cascade']['acc']:.1f}; confusion {report['cascade']['confusion']}")
    def pct(v):
        return "-" if v is None else f"{100 * v:.0f}"
    print("  accuracy by largest lesion size: " + "; ".join(
        f"{k}: n={v['n']} BM {pct(v['bmAcc'])} 6-class {pct(v['cascadeAcc'])}" for k, v in report["accuracyBySize"].items()))
    for k, v in report["detection"].items():
        print(f"  detection {k}: recall {100 * v['recall']:.1f} (>=1 cm {100 * v['recallAtLeast1cm']:.1f}), precision {100 * v['precision']:.1f},"
              f" F1 {100 * v['f1']:.1f}; per lesion in any phase {100 * v['lesionRecallAnyPhase']:.1f} (>=1 cm"
              f" {100 * v['lesionRecallAnyPhaseAtLeast1cm']:.1f}); {v['trueLesionSeries']} true lesion-series, {v['predictedLesions']} predicted")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--studies", required=True, help="held-out phantom directory (lilnet phantom output)")
    p.add_argument("--detector-checkpoint", required=True)
    p.add_argument("--classifier-checkpoint", required=True)
    p.add_argument("--models-dir", default="models")
    p.add_argument("--manifest", help="write the model manifest with these figures")
    p.add_argument("--version", default="1.0.0", help="version of the models in the manifest")
    p.add_argument("--detector-version", help="the detector's, when it differs (a detector kept from an earlier set)")
    p.add_argument("--generator-seed", type=int, default=2002, help="the seed the held-out set was generated with (recorded)")
    p.add_argument("--generator-command", default="", help="the command that generated it (recorded)")
    p.add_argument("--diagnoses", help="write one Diagnosis (Avro JSON) per patient, for lilnet eval")
    p.add_argument("--report", help="write the figures as JSON")
    p.add_argument("--bootstrap", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)

    train_common.setup(args.seed, args.threads)
    studies = studies_under([args.studies])
    detector, classifiers = load_trained(args.detector_checkpoint, args.classifier_checkpoint)
    heads = [OneHead(classifiers, r).eval() for r in ("bm", "m", "b")]
    start = time.time()
    results = run(studies, detector, heads)
    report = evaluate(results, args.bootstrap, args.seed)
    report["seconds"] = round(time.time() - start)
    print_report(report)
    info = {"generatorSeed": args.generator_seed, "generatorCommand": args.generator_command, "patients": report["patients"],
            "patientsPerClass": report["patientsPerClass"], "evaluation": "models/tools/evaluate_heldout.py",
            "window": {"level": WINDOW_LEVEL, "width": WINDOW_WIDTH}}
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(dict(report, heldOut=info), f, indent=2)
    if args.manifest:
        write_manifest(args.manifest, args.models_dir, report, info, args.version, args.detector_version)
        print(f"wrote {args.manifest}")
    if args.diagnoses:
        models = []
        if args.manifest:
            with open(args.manifest, encoding="utf-8") as f:
                models = [{"role": m["role"], "name": m["name"], "version": m["version"], "sha256": m["sha256"]}
                          for m in json.load(f)["models"]]
        with open(args.diagnoses, "w", encoding="utf-8") as f:
            for r in results:
                f.write(json.dumps(diagnosis(r, fuse(r), models), ensure_ascii=False) + "\n")
        print(f"wrote {args.diagnoses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
