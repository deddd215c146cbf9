"""Unit tests of add_detector.py on small ONNX graphs with the contract's shapes and with others."""
from __future__ import annotations

import json
import os
import sys
import tempfile
import unittest
import warnings

import onnx
import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools")))
from add_detector import ANCHORS, DetectorMismatch, add_detector, inspect_detector  # noqa: E402
from export_manifest import sha256_of  # noqa: E402


class FakeHead(torch.nn.Module):
    """Not a detector: only its graph's names and shapes matter here (what a YOLOv8 export looks like from outside)."""

    def __init__(self, rows: int, anchors: int):
        super().__init__()
        self.rows, self.anchors = rows, anchors
        self.scale = torch.nn.Parameter(torch.ones(1))

    def forward(self, x):
        flat = x.reshape(x.shape[0], -1)[:, : self.rows * self.anchors] * self.scale
        return flat.reshape(x.shape[0], self.rows, self.anchors)


def export(path, rows=5, anchors=ANCHORS, channels=3, size=512, dynamic=True, names=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(FakeHead(rows, anchors), torch.zeros(1, channels, size, size), path, opset_version=17,
                          input_names=["images"], output_names=["output0"],
                          dynamic_axes={"images": {0: "batch"}, "output0": {0: "batch"}} if dynamic else None)
    if names is not None:  # as Ultralytics writes them
        model = onnx.load(path)
        prop = model.metadata_props.add()
        prop.key, prop.value = "names", repr(dict(enumerate(names)))
        onnx.save(model, path)
    return path


class AddDetectorTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.checkpoint = os.path.join(self.dir, "best.pt")
        with open(self.checkpoint, "wb") as f:
            f.write(b"stand-in for the published best.pt: only its sha256 is recorded")
        self.manifest = os.path.join(self.dir, "models", "manifest.json")

    def tearDown(self):
        self.tmp.cleanup()

    def test_a_contract_detector_is_copied_next_to_the_manifest_and_described(self):
        onnx_path = export(os.path.join(self.dir, "best.onnx"), names=["lesion"])
        entry, notes = add_detector(onnx_path, self.checkpoint, self.manifest)
        self.assertEqual(entry["file"], "best.onnx")
        copied = os.path.join(self.dir, "models", "best.onnx")
        self.assertEqual(entry["sha256"], sha256_of(copied))
        self.assertEqual(entry["input"], {"name": "images", "shape": [-1, 3, 512, 512], "dtype": "float32"})
        self.assertEqual(entry["output"], {"name": "output0", "shape": [-1, 5, 5376], "dtype": "float32"})
        self.assertEqual(entry["labels"], ["lesion"])
        self.assertEqual(entry["source"], {"kind": "lilnet-checkpoint", "checkpoint": "best.pt",
                                           "checkpointSha256": sha256_of(self.checkpoint)})
        with open(self.manifest) as f:
            self.assertEqual(json.load(f)["models"], [entry])
        self.assertTrue(any("copied" in n for n in notes))

    def test_a_fixed_batch_of_one_is_accepted_with_a_note(self):
        onnx_path = export(os.path.join(self.dir, "models", "best.onnx"), dynamic=False)
        entry, notes = add_detector(onnx_path, self.checkpoint, self.manifest)
        self.assertEqual(entry["input"]["shape"], [1, 3, 512, 512])
        self.assertEqual(entry["output"]["shape"], [1, 5, 5376])
        self.assertTrue(any("batch is fixed at 1" in n for n in notes))

    def test_more_classes_need_as_many_labels(self):
        onnx_path = export(os.path.join(self.dir, "two.onnx"), rows=6)
        with self.assertRaises(DetectorMismatch) as e:
            add_detector(onnx_path, self.checkpoint, self.manifest)
        self.assertIn("2 class score rows but 1 labels ['lesion']", str(e.exception))
        entry, _ = add_detector(onnx_path, self.checkpoint, self.manifest, labels=["lesion", "cyst"])
        self.assertEqual(entry["output"]["shape"], [-1, 6, 5376])

    def test_an_export_at_640_is_refused_naming_the_input(self):
        onnx_path = export(os.path.join(self.dir, "640.onnx"), size=640, anchors=8400)
        with self.assertRaises(DetectorMismatch) as e:
            inspect_detector(onnx_path)
        self.assertIn("input 'images' has shape ['batch', 3, 640, 640], the contract is [B, 3, 512, 512]",
                      str(e.exception))

    def test_wrong_anchors_channels_or_rows_are_refused_naming_the_difference(self):
        cases = [
            (dict(anchors=8400), "output 'output0' has 8400 anchors, the contract has 5376"),
            (dict(channels=1), "input 'images' has shape ['batch', 1, 512, 512]"),
            (dict(rows=4), "output 'output0' has shape ['batch', 4, 5376], the contract is [B, 4 + classes, 5376]"),
        ]
        for i, (kwargs, message) in enumerate(cases):
            onnx_path = export(os.path.join(self.dir, f"bad{i}.onnx"), **kwargs)
            with self.assertRaises(DetectorMismatch) as e:
                add_detector(onnx_path, self.checkpoint, self.manifest)
            self.assertIn(message, str(e.exception))
        self.assertFalse(os.path.exists(self.manifest))

    def test_a_file_that_is_not_onnx_is_refused(self):
        path = os.path.join(self.dir, "best.onnx")
        with open(path, "wb") as f:
            f.write(b"\x00\x01 not onnx")
        with self.assertRaises(DetectorMismatch) as e:
            add_detector(path, self.checkpoint, self.manifest)
        self.assertIn("not an ONNX model", str(e.exception))


if __name__ == "__main__":
    unittest.main()
