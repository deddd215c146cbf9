"""Unit tests of phantom_data.py's cache merge (many training studies prepared in parts)."""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools")))
from phantom_data import CROP_SIZE, DETECTOR_SIZE, load_classifier_cache, load_detector_cache, merge  # noqa: E402


def write_cache(path, studies, crops_per_study, first_value, detector_images=0):
    """A cache by hand: crop i is filled with first_value + i; crops of study s say study s."""
    os.makedirs(path, exist_ok=True)
    meta = []
    with open(os.path.join(path, "classifier-crops.u8"), "wb") as f:
        for s in range(studies):
            for _ in range(crops_per_study):
                f.write(np.full((CROP_SIZE, CROP_SIZE), first_value + len(meta), dtype=np.uint8).tobytes())
                meta.append({"study": s, "phase": "AP", "slice": 3, "lesion": 1, "class": "HCC", "sizeMm": 20.0, "jitter": 0})
    with open(os.path.join(path, "classifier.json"), "w", encoding="utf-8") as f:
        json.dump({"studies": [f"{path}/study-{s}" for s in range(studies)], "crops": meta}, f)
    if detector_images:
        np.full((detector_images, DETECTOR_SIZE, DETECTOR_SIZE), 7, dtype=np.uint8).tofile(os.path.join(path, "detector-images.u8"))
        with open(os.path.join(path, "detector.json"), "w", encoding="utf-8") as f:
            json.dump({"studies": [], "images": [{"study": 0, "phase": "AP", "slice": k, "boxes": []} for k in range(detector_images)]}, f)


class MergeTest(unittest.TestCase):

    def test_parts_follow_the_base_with_their_studies_offset(self):
        with tempfile.TemporaryDirectory() as tmp:
            base, a, b, out = (os.path.join(tmp, n) for n in ("base", "a", "b", "out"))
            write_cache(base, studies=2, crops_per_study=3, first_value=10, detector_images=2)
            write_cache(a, studies=1, crops_per_study=2, first_value=100)
            write_cache(b, studies=3, crops_per_study=1, first_value=200)

            self.assertEqual(merge(base, [a, b], out), (6, 11))

            crops, meta = load_classifier_cache(out)
            self.assertEqual([int(c[0, 0]) for c in crops], [10, 11, 12, 13, 14, 15, 100, 101, 200, 201, 202])
            self.assertTrue(all((c == c[0, 0]).all() for c in crops))
            self.assertEqual([m["study"] for m in meta["crops"]], [0, 0, 0, 1, 1, 1, 2, 2, 3, 4, 5])
            self.assertEqual(meta["studies"][2], f"{a}/study-0")
            self.assertEqual(meta["studies"][5], f"{b}/study-2")
            images, det_meta = load_detector_cache(out)   # the base's, linked
            self.assertEqual(images.shape, (2, DETECTOR_SIZE, DETECTOR_SIZE))
            self.assertTrue(os.path.islink(os.path.join(out, "detector-images.u8")))

    def test_a_merge_of_a_merge_outlives_the_intermediate_cache(self):
        with tempfile.TemporaryDirectory() as tmp:
            base, a, b, mid, out = (os.path.join(tmp, n) for n in ("base", "a", "b", "mid", "out"))
            write_cache(base, studies=1, crops_per_study=1, first_value=1, detector_images=2)
            write_cache(a, studies=1, crops_per_study=1, first_value=50)
            write_cache(b, studies=1, crops_per_study=1, first_value=90)
            merge(base, [a], mid)
            self.assertEqual(merge(mid, [b], out), (3, 3))
            shutil.rmtree(mid)
            images, _ = load_detector_cache(out)   # linked to the base's file itself
            self.assertEqual(images.shape, (2, DETECTOR_SIZE, DETECTOR_SIZE))

    def test_merging_again_replaces_the_output(self):
        with tempfile.TemporaryDirectory() as tmp:
            base, a, out = (os.path.join(tmp, n) for n in ("base", "a", "out"))
            write_cache(base, studies=1, crops_per_study=1, first_value=1, detector_images=1)
            write_cache(a, studies=1, crops_per_study=1, first_value=50)
            merge(base, [a], out)
            self.assertEqual(merge(base, [a], out), (2, 2))
            crops, _ = load_classifier_cache(out)
            self.assertEqual(len(crops), 2)

    def test_a_part_whose_list_does_not_match_its_crops_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            base, a, out = (os.path.join(tmp, n) for n in ("base", "a", "out"))
            write_cache(base, studies=1, crops_per_study=2, first_value=1, detector_images=1)
            write_cache(a, studies=1, crops_per_study=2, first_value=50)
            with open(os.path.join(a, "classifier-crops.u8"), "ab") as f:
                f.write(np.zeros((CROP_SIZE, CROP_SIZE), dtype=np.uint8).tobytes())   # one crop more than listed
            with self.assertRaisesRegex(ValueError, "do not hold 4 crops"):
                merge(base, [a], out)

    def test_the_output_cannot_be_one_of_the_inputs(self):
        with tempfile.TemporaryDirectory() as tmp:
            base, a = (os.path.join(tmp, n) for n in ("base", "a"))
            write_cache(base, studies=1, crops_per_study=2, first_value=1, detector_images=1)
            write_cache(a, studies=1, crops_per_study=1, first_value=50)
            for out in (base, a):
                with self.assertRaisesRegex(ValueError, "one of the caches being merged"):
                    merge(base, [a], out)
            crops, _ = load_classifier_cache(base)   # untouched
            self.assertEqual([int(c[0, 0]) for c in crops], [1, 2])
            self.assertFalse(os.path.islink(os.path.join(base, "detector-images.u8")))


if __name__ == "__main__":
    unittest.main()
