"""Unit tests of the detector's training data: several caches as one, and the draw of positive windows by lesion size."""
from __future__ import annotations

import collections
import json
import os
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools")))
import train_common  # noqa: E402,F401  (sets the OpenMP policy before torch loads)
from phantom_data import DETECTOR_SIZE, load_detector_caches  # noqa: E402
from train_detector import BoxDraw, crop_batch  # noqa: E402


def write_detector_cache(path, values, studies):
    """Image k filled with values[k]; image k belongs to study k % studies."""
    os.makedirs(path, exist_ok=True)
    np.stack([np.full((DETECTOR_SIZE, DETECTOR_SIZE), v, dtype=np.uint8) for v in values]).tofile(os.path.join(path, "detector-images.u8"))
    with open(os.path.join(path, "detector.json"), "w", encoding="utf-8") as f:
        json.dump({"studies": [f"{path}/study-{s}" for s in range(studies)],
                   "images": [{"study": k % studies, "phase": "AP", "slice": k, "boxes": []} for k in range(len(values))]}, f)


def meta_with(boxes_per_image):
    return [{"study": 0, "phase": "AP", "slice": k, "boxes": b} for k, b in enumerate(boxes_per_image)]


class SeveralCachesTest(unittest.TestCase):

    def test_images_follow_each_other_and_studies_are_offset(self):
        with tempfile.TemporaryDirectory() as tmp:
            a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
            write_detector_cache(a, [1, 2, 3], studies=2)
            write_detector_cache(b, [10, 20], studies=1)
            images, meta = load_detector_caches([a, b])
            self.assertEqual(len(images), 5)
            self.assertEqual([int(np.asarray(images[i])[0, 0]) for i in range(5)], [1, 2, 3, 10, 20])
            self.assertEqual(int(images[3, 100:110, 5:9].sum()), 10 * 10 * 4)   # a window of the second cache's first image
            self.assertEqual(images[4, 0:2, 0:3].shape, (2, 3))
            self.assertEqual([m["study"] for m in meta["images"]], [0, 1, 0, 2, 2])
            self.assertEqual(meta["studies"], [f"{a}/study-0", f"{a}/study-1", f"{b}/study-0"])
            with self.assertRaises(IndexError):
                images[5]

    def test_one_cache_is_read_as_before(self):
        with tempfile.TemporaryDirectory() as tmp:
            write_detector_cache(tmp, [4, 5], studies=1)
            images, meta = load_detector_caches([tmp])
            self.assertIsInstance(images, np.memmap)
            self.assertEqual(len(meta["images"]), 2)


class BoxDrawTest(unittest.TestCase):

    SMALL = [100, 100, 112, 112]    # 12 px
    LARGE = [100, 100, 160, 160]    # 60 px

    def test_exponent_zero_draws_as_the_recipe_of_detector_1_0_0(self):
        # an image with lesions uniformly, then one of its boxes: the same random calls in the same order as before
        meta = meta_with([[self.SMALL], [], [self.LARGE, self.SMALL, self.LARGE]])
        draw = BoxDraw(meta, np.arange(3))
        rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
        with_boxes = [0, 2]
        for _ in range(50):
            i, box = draw.draw(rng_a)
            j = with_boxes[rng_b.integers(2)]
            self.assertEqual((i, box), (j, meta[j]["boxes"][rng_b.integers(len(meta[j]["boxes"]))]))

    def test_exponent_one_draws_each_box_in_inverse_proportion_to_its_side(self):
        # one 12 px box and one 60 px box: 5 to 1
        meta = meta_with([[self.SMALL], [self.LARGE]])
        draw = BoxDraw(meta, np.arange(2), exponent=1.0)
        rng = np.random.default_rng(3)
        counts = collections.Counter(draw.draw(rng)[0] for _ in range(12000))
        self.assertAlmostEqual(counts[0] / counts[1], 5.0, delta=0.4)

    def test_sides_under_the_minimum_count_as_the_minimum(self):
        tiny = [100, 100, 103, 103]
        meta = meta_with([[tiny], [self.SMALL]])
        draw = BoxDraw(meta, np.arange(2), exponent=1.0)
        self.assertAlmostEqual(draw.weights[0], draw.weights[1])

    def test_only_the_pool_is_drawn_from(self):
        meta = meta_with([[self.SMALL], [self.LARGE], [self.SMALL]])
        draw = BoxDraw(meta, np.array([1]), exponent=1.0)
        rng = np.random.default_rng(1)
        self.assertEqual({draw.draw(rng)[0] for _ in range(200)}, {1})

    def test_a_positive_window_holds_the_drawn_box(self):
        meta = meta_with([[self.SMALL]])
        images = np.zeros((1, DETECTOR_SIZE, DETECTOR_SIZE), dtype=np.uint8)
        x, targets = crop_batch(images, meta, np.random.default_rng(2), 8, 256, positive_share=1.0,
                                boxes_from=BoxDraw(meta, np.arange(1), exponent=1.0))
        self.assertEqual(tuple(x.shape), (8, 3, 256, 256))
        for t in targets:
            self.assertEqual(t.shape, (1, 4))
            self.assertAlmostEqual(float(t[0, 2] - t[0, 0]), 12.0)


if __name__ == "__main__":
    unittest.main()
