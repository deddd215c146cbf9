"""Unit tests of the rebuilt LiLNet classifier, its strict loader and the manifest helper (run by PythonUnitTest)."""
from __future__ import annotations

import json
import os
import sys
import tempfile
import unittest

import torch
import torch.nn.functional as F
import torchvision

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools")))
import lilnet_classifier as L  # noqa: E402
from export_manifest import ManifestError, put_entry, read_manifest, relative_file  # noqa: E402
from make_random_classifiers import REPOSITORY, inside_source_tree, random_network  # noqa: E402

torch.set_num_threads(2)


def naive_aggregated_logits(model: L.LiLNetClassifier, x: torch.Tensor) -> torch.Tensor:
    """The contract's AG output written out loop by loop, independently of the model's vectorised forward."""
    n = model.num_classes
    with torch.no_grad():
        f3, f4 = model.features(x)
        total = torch.zeros(x.shape[0], n)
        for fmap, head in ((f3, lambda v: model.fc3(v)), (f4, lambda v: model.fc(model.fc_ens(v)))):
            k = fmap.shape[-1]
            h = k // 2
            regions = [None, (slice(0, h), slice(0, h)), (slice(0, h), slice(h, k)),
                       (slice(h, k), slice(0, h)), (slice(h, k), slice(h, k))]
            for j, region in enumerate(regions):
                masked = fmap.clone()
                if region is not None:
                    masked[:, :, region[0], region[1]] = 0
                joint = head(F.adaptive_avg_pool2d(masked, 1).flatten(1))
                total += joint[:, [5 * c + j for c in range(n)]]
        return total / 10


class FeatureMaskTest(unittest.TestCase):
    def test_variant_zero_is_the_original_and_each_other_variant_zeroes_one_quadrant_split_at_k_div_2(self):
        for k in (14, 7):
            m = L.feature_masks(k)[:, 0]
            h = k // 2
            self.assertEqual(tuple(m.shape), (5, k, k))
            self.assertTrue(torch.equal(m[0], torch.ones(k, k)))
            expected_zero = {1: (slice(0, h), slice(0, h)), 2: (slice(0, h), slice(h, k)),
                             3: (slice(h, k), slice(0, h)), 4: (slice(h, k), slice(h, k))}
            for j, (rows, cols) in expected_zero.items():
                self.assertEqual(float(m[j][rows, cols].sum()), 0.0, f"k={k} j={j}")
                self.assertEqual(float(m[j].sum()), k * k - (rows.stop - rows.start) * (cols.stop - cols.start))
        # k=7: the upper/left part is 3 rows/columns, the lower/right part 4
        self.assertEqual(float(L.feature_masks(7)[1, 0].sum()), 49 - 9)
        self.assertEqual(float(L.feature_masks(7)[4, 0].sum()), 49 - 16)


class AggregationTest(unittest.TestCase):
    def test_aggregate_takes_column_5c_plus_j_of_variant_j(self):
        model = L.LiLNetClassifier(3)
        b, n = 2, 3
        joint = torch.zeros(b, 5, 5 * n)
        for j in range(5):
            for col in range(5 * n):
                joint[:, j, col] = 1000 * j + col  # variant j, column col
        got = model.aggregate(joint)
        for c in range(n):
            want = sum(1000 * j + 5 * c + j for j in range(5)) / 5
            self.assertAlmostEqual(float(got[0, c]), want, places=3)

    def test_forward_equals_the_contracts_aggregation_written_out(self):
        for n in (2, 3):
            model = random_network(n, seed=n)
            x = torch.rand(2, 3, 224, 224) * 2 - 1
            with torch.no_grad():
                got = model(x)
            self.assertEqual(tuple(got.shape), (2, n))
            torch.testing.assert_close(got, naive_aggregated_logits(model, x), rtol=1e-5, atol=1e-5)

    def test_the_relu_head_variant_differs(self):
        model = random_network(2, seed=4)
        relu = L.LiLNetClassifier(2, head_activation="relu").eval()
        relu.load_state_dict(model.state_dict())
        x = torch.rand(1, 3, 224, 224) * 2 - 1
        with torch.no_grad():
            self.assertFalse(torch.allclose(model(x), relu(x)))


class StateDictTest(unittest.TestCase):
    def test_keys_are_torchvision_resnet50_without_fc_plus_the_four_heads(self):
        resnet = set(torchvision.models.resnet50(weights=None).state_dict()) - {"fc.weight", "fc.bias"}
        heads = {f"{h}.{p}" for h in ("fc3", "fc_ens", "fc", "fc_SD") for p in ("weight", "bias")}
        sd = L.LiLNetClassifier(3).state_dict()
        self.assertEqual(set(sd), resnet | heads)
        self.assertEqual(tuple(sd["fc3.weight"].shape), (15, 1024))
        self.assertEqual(tuple(sd["fc_ens.weight"].shape), (1024, 2048))
        self.assertEqual(tuple(sd["fc.weight"].shape), (15, 1024))
        self.assertEqual(tuple(sd["fc_SD.weight"].shape), (3, 2048))


class StrictLoadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.source = random_network(2, seed=9)
        cls.prefixed = {f"module.{k}": v for k, v in cls.source.state_dict().items()}

    def load(self, sd, n=2):
        model = L.LiLNetClassifier(n)
        L.load_strict(model, sd, "ckpt")
        return model

    def test_module_prefixed_and_bare_state_dicts_load_every_tensor(self):
        for sd in (self.prefixed, dict(self.source.state_dict())):
            model = self.load(sd)
            for k, v in self.source.state_dict().items():
                self.assertTrue(torch.equal(model.state_dict()[k], v), k)

    def test_a_renamed_key_is_listed_as_missing_and_unexpected(self):
        sd = dict(self.prefixed)
        sd["module.layer4.2.bn3.running_vars"] = sd.pop("module.layer4.2.bn3.running_var")
        with self.assertRaises(L.CheckpointMismatch) as e:
            self.load(sd)
        self.assertIn("missing keys (1): layer4.2.bn3.running_var", str(e.exception))
        self.assertIn("unexpected keys (1): module.layer4.2.bn3.running_vars", str(e.exception))

    def test_a_missing_head_is_refused(self):
        sd = {k: v for k, v in self.prefixed.items() if not k.startswith("module.fc_SD.")}
        with self.assertRaises(L.CheckpointMismatch) as e:
            self.load(sd)
        self.assertIn("missing keys (2): fc_SD.weight, fc_SD.bias", str(e.exception))

    def test_a_plain_resnet50_checkpoint_is_refused(self):
        sd = torchvision.models.resnet50(weights=None).state_dict()
        with self.assertRaises(L.CheckpointMismatch) as e:
            self.load(sd)
        message = str(e.exception)
        self.assertIn("missing keys (6): fc3.weight, fc3.bias, fc_ens.weight, fc_ens.bias, fc_SD.weight", message)
        self.assertIn("wrong shapes (2): fc.weight [1000, 2048] (expected [10, 1024])", message)

    def test_an_extra_key_is_refused(self):
        sd = dict(self.prefixed)
        sd["module.fc4.weight"] = torch.zeros(10, 512)
        with self.assertRaises(L.CheckpointMismatch) as e:
            self.load(sd)
        self.assertIn("unexpected keys (1): module.fc4.weight", str(e.exception))
        self.assertNotIn("missing", str(e.exception))

    def test_only_num_batches_tracked_may_be_absent(self):
        sd = {k: v for k, v in self.prefixed.items() if not k.endswith("num_batches_tracked")}
        model = self.load(sd)
        self.assertTrue(torch.equal(model.layer1[0].bn1.running_var, self.source.layer1[0].bn1.running_var))

    def test_the_class_count_is_read_from_the_checkpoint(self):
        self.assertEqual(L.num_classes_of(self.prefixed), 2)
        three = {f"module.{k}": v for k, v in L.LiLNetClassifier(3).state_dict().items()}
        self.assertEqual(L.num_classes_of(three), 3)
        with self.assertRaises(L.CheckpointMismatch):
            L.num_classes_of({"module.conv1.weight": torch.zeros(1)})

    def test_a_file_without_state_dict_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.pth.tar")
            torch.save({"epoch": 3, "optimizer": {}}, path)
            with self.assertRaises(L.CheckpointMismatch) as e:
                L.read_state_dict(path)
            self.assertIn("no 'state_dict' in the checkpoint (found: ['epoch', 'optimizer'])", str(e.exception))
            with open(path, "wb") as f:
                f.write(b"not a checkpoint")
            with self.assertRaises(L.CheckpointMismatch) as e:
                L.read_state_dict(path)
            self.assertIn("not a PyTorch checkpoint", str(e.exception))


class ManifestTest(unittest.TestCase):
    def test_an_entry_replaces_the_same_role_and_keeps_the_others_in_role_order(self):
        with tempfile.TemporaryDirectory() as d:
            manifest = os.path.join(d, "manifest.json")
            put_entry(manifest, {"role": "b", "name": "b1"})
            put_entry(manifest, {"role": "detector", "name": "d1"})
            put_entry(manifest, {"role": "bm", "name": "bm1"})
            put_entry(manifest, {"role": "b", "name": "b2"})
            with open(manifest) as f:
                written = json.load(f)
            self.assertEqual(written["manifestVersion"], 1)
            self.assertEqual([(m["role"], m["name"]) for m in written["models"]],
                             [("detector", "d1"), ("bm", "bm1"), ("b", "b2")])
            self.assertEqual(oct(os.stat(manifest).st_mode & 0o044), oct(0o044))  # readable by the services

    def test_files_must_lie_in_the_manifests_directory(self):
        self.assertEqual(relative_file("/srv/models/manifest.json", "/srv/models/lilnet-bm.onnx"), "lilnet-bm.onnx")
        self.assertEqual(relative_file("/srv/models/manifest.json", "/srv/models/v2/bm.onnx"), "v2/bm.onnx")
        with self.assertRaises(ManifestError):
            relative_file("/srv/models/manifest.json", "/srv/other/bm.onnx")

    def test_a_foreign_file_is_not_overwritten(self):
        with tempfile.TemporaryDirectory() as d:
            manifest = os.path.join(d, "manifest.json")
            with open(manifest, "w") as f:
                f.write('{"models": {}}')
            with self.assertRaises(ManifestError):
                put_entry(manifest, {"role": "bm"})
            with self.assertRaises(ManifestError):
                read_manifest(manifest)


class RandomClassifiersTest(unittest.TestCase):
    def test_random_models_are_never_written_into_the_source_tree(self):
        self.assertTrue(inside_source_tree(os.path.join(REPOSITORY, "models")))
        self.assertTrue(inside_source_tree(REPOSITORY))
        self.assertFalse(inside_source_tree(os.path.join(REPOSITORY, "models", "target", "bench")))
        self.assertFalse(inside_source_tree(tempfile.gettempdir()))

    def test_random_networks_are_seeded_and_batchnorm_is_not_the_identity(self):
        a, b = random_network(2, seed=3), random_network(2, seed=3)
        for k, v in a.state_dict().items():
            self.assertTrue(torch.equal(v, b.state_dict()[k]), k)
        self.assertFalse(torch.allclose(a.layer1[0].bn1.running_var, torch.ones(64)))


if __name__ == "__main__":
    unittest.main()
