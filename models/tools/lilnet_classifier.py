"""The LiLNet classifier (LiLNet_BM, LiLNet_M, LiLNet_B) rebuilt from the model contract, and its strict checkpoint loader.

What the contract fixes (shared/docs/MODEL-CONTRACT.md):
  - torchvision-style ResNet50 backbone (7x7 conv1 + maxpool, bottlenecks [3, 4, 6, 3]), parameter names as in
    torchvision (conv1, bn1, layer1..layer4), so the published checkpoints' keys match;
  - heads fc3 (1024 -> 5N) on layer3 features after the 14x14 feature masks, fc_ens (2048 -> 1024) then
    fc (1024 -> 5N) on layer4 features after the 7x7 feature masks, fc_SD (2048 -> N, the self-distillation teacher,
    trained but unused at inference);
  - joint labels: column 5c+j of a head's output is class c under feature-mask variant j (j=0 original, 1..4 one
    quadrant zeroed, quadrant split at k//2);
  - the aggregated (AG) output is the mean over the 5 variants and the two heads of the logit at column 5c+j.

What it does not state, and what we infer (also in models/README.md, "How the classifier is rebuilt"):
  - Pooling before the heads: global average pooling over the whole (masked) map, zeros included, as in the
    torchvision ResNet the backbone comes from (avgpool + flatten before fc). The paper names no other pooling.
  - The mask variants j=1..4 zero the upper-left, upper-right, lower-left, lower-right quadrant, in the order the
    paper lists them ("upper left, upper right, lower left, and lower right"); upper = rows < k//2, left = columns
    < k//2 of the [C, H, W] map.
  - layer4 runs once on the unmasked layer3 output; each head masks its own input map. The paper adds the layer3
    classifier to avoid "additional convolutional computations", i.e. masks do not re-run convolutions.
  - fc_ens sits after pooling and before fc (it is a linear layer on the 2048-d vector, so it cannot sit before
    the spatial mask). The paper describes the layer4 branch as "a classifier and a fully connected layer" and
    names no activation between them, so by default there is none (head_activation="none"); "relu" is offered
    for an operator who learns otherwise from the authors' code.
"""
from __future__ import annotations

import os

import torch
import torch.nn as nn
import torchvision

VARIANTS = 5  # j=0 original, j=1..4 one quadrant zeroed
QUADRANTS = ("upper-left", "upper-right", "lower-left", "lower-right")  # j = 1..4, the paper's order
INPUT_SIZE = 224  # the contract's crop size; the masks below are built for its 14x14 and 7x7 feature maps
HEAD_ACTIVATIONS = ("none", "relu")

# Role -> labels, in the contract's label order (column c of the logits).
ROLE_LABELS = {
    "bm": ["benign", "malignant"],
    "m": ["HCC", "ICC", "MET"],
    "b": ["FNH", "HEM", "CYST"],
}


def feature_masks(k: int) -> torch.Tensor:
    """The 5 binary masks for a k x k feature map, shape [5, 1, k, k] (variant, channel, row, column)."""
    masks = torch.ones(VARIANTS, 1, k, k)
    h = k // 2
    masks[1, :, :h, :h] = 0  # upper-left
    masks[2, :, :h, h:] = 0  # upper-right
    masks[3, :, h:, :h] = 0  # lower-left
    masks[4, :, h:, h:] = 0  # lower-right
    return masks


def variant_selector() -> torch.Tensor:
    """One-hot [1, 5, 1, 5] tensor picking, for variant j, the joint-label column j of each class (column 5c+j)."""
    sel = torch.zeros(1, VARIANTS, 1, VARIANTS)
    for j in range(VARIANTS):
        sel[0, j, 0, j] = 1.0
    return sel


class LiLNetClassifier(nn.Module):
    """ResNet50 with the LiLNet heads; forward(x) returns the aggregated logits [B, N]."""

    def __init__(self, num_classes: int, head_activation: str = "none"):
        super().__init__()
        if num_classes < 2:
            raise ValueError(f"num_classes must be at least 2, got {num_classes}")
        if head_activation not in HEAD_ACTIVATIONS:
            raise ValueError(f"head_activation must be one of {HEAD_ACTIVATIONS}, got {head_activation!r}")
        self.num_classes = num_classes
        self.head_activation = head_activation
        backbone = torchvision.models.resnet50(weights=None)
        # the same attribute names as torchvision, so state_dict keys are the checkpoint's keys
        self.conv1 = backbone.conv1
        self.bn1 = backbone.bn1
        self.relu = backbone.relu
        self.maxpool = backbone.maxpool
        self.layer1 = backbone.layer1
        self.layer2 = backbone.layer2
        self.layer3 = backbone.layer3
        self.layer4 = backbone.layer4
        joint = VARIANTS * num_classes
        self.fc3 = nn.Linear(1024, joint)
        self.fc_ens = nn.Linear(2048, 1024)
        self.fc = nn.Linear(1024, joint)
        self.fc_SD = nn.Linear(2048, num_classes)  # self-distillation teacher: in the checkpoint, not in inference
        # not persistent: constants of the architecture, not weights (the checkpoint has none of them)
        self.register_buffer("mask14", feature_masks(INPUT_SIZE // 16), persistent=False)
        self.register_buffer("mask7", feature_masks(INPUT_SIZE // 32), persistent=False)
        self.register_buffer("selector", variant_selector(), persistent=False)

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """layer3 [B, 1024, 14, 14] and layer4 [B, 2048, 7, 7] feature maps."""
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        f3 = self.layer3(self.layer2(self.layer1(x)))
        f4 = self.layer4(f3)
        return f3, f4

    def joint_logits(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Each head's 5N joint-label logits for each mask variant: two tensors [B, 5 variants, 5N]."""
        f3, f4 = self.features(x)
        # mask, then global average pooling over the whole map (masked cells count as zeros)
        p3 = (f3.unsqueeze(1) * self.mask14).mean(dim=(3, 4))  # [B, 5, 1024]
        p4 = (f4.unsqueeze(1) * self.mask7).mean(dim=(3, 4))  # [B, 5, 2048]
        h4 = self.fc_ens(p4)
        if self.head_activation == "relu":
            h4 = torch.relu(h4)
        return self.fc3(p3), self.fc(h4)

    def aggregate(self, joint: torch.Tensor) -> torch.Tensor:
        """[B, 5 variants, 5N] -> [B, N]: mean over variants j of column 5c+j."""
        per_class = joint.reshape(joint.shape[0], VARIANTS, self.num_classes, VARIANTS)  # [B, j, c, j']
        return (per_class * self.selector).sum(dim=(1, 3)) / VARIANTS

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        layer3_head, layer4_head = self.joint_logits(x)
        return (self.aggregate(layer3_head) + self.aggregate(layer4_head)) / 2


class CheckpointMismatch(Exception):
    """A checkpoint whose keys or shapes are not exactly those of the LiLNet classifier."""


def _is_state_dict(obj) -> bool:
    return isinstance(obj, dict) and len(obj) > 0 and all(torch.is_tensor(v) for v in obj.values())


def _list(keys: list[str], limit: int = 40) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f", ... ({len(keys) - limit} more)" if len(keys) > limit else "")


def read_state_dict(path: str) -> dict[str, torch.Tensor]:
    """The state dict of a .pth.tar checkpoint (dict with 'state_dict', keys prefixed 'module.'), prefix removed.

    A bare state dict (what torch.save(model.state_dict()) writes) is accepted too; anything else is refused.
    Keys keep their original name in error messages, so the operator finds them in the file.
    """
    if not os.path.isfile(path):
        raise CheckpointMismatch(f"{path}: no such file")
    try:
        obj = torch.load(path, map_location="cpu")
    except Exception as e:  # a truncated or non-PyTorch file
        raise CheckpointMismatch(f"{path}: not a PyTorch checkpoint ({type(e).__name__}: {e})") from e
    if isinstance(obj, dict) and "state_dict" in obj:
        sd = obj["state_dict"]
    elif _is_state_dict(obj):
        sd = obj
    else:
        found = sorted(map(str, obj.keys())) if isinstance(obj, dict) else type(obj).__name__
        raise CheckpointMismatch(f"{path}: no 'state_dict' in the checkpoint (found: {found})")
    if not _is_state_dict(sd):
        raise CheckpointMismatch(f"{path}: 'state_dict' is not a dict of tensors")
    return dict(sd)


def _strip(key: str) -> str:
    return key[len("module."):] if key.startswith("module.") else key


def num_classes_of(sd: dict[str, torch.Tensor], path: str = "checkpoint") -> int:
    """N read from the checkpoint: rows of fc_SD.weight ([N, 2048]), or fc.weight rows / 5."""
    by_name = {_strip(k): v for k, v in sd.items()}
    if "fc_SD.weight" in by_name:
        return int(by_name["fc_SD.weight"].shape[0])
    if "fc.weight" in by_name and by_name["fc.weight"].shape[0] % VARIANTS == 0:
        return int(by_name["fc.weight"].shape[0]) // VARIANTS
    raise CheckpointMismatch(f"{path}: cannot tell the number of classes: neither fc_SD.weight nor fc.weight "
                             f"with a multiple of {VARIANTS} rows is in the checkpoint")


def load_strict(model: LiLNetClassifier, sd: dict[str, torch.Tensor], path: str = "checkpoint") -> None:
    """Loads sd into model, refusing any missing key, unexpected key or shape difference (all listed at once).

    The only tolerated absence is BatchNorm's num_batches_tracked (a training counter, not used in eval mode;
    checkpoints from PyTorch < 0.4.1 lack it).
    """
    expected = model.state_dict()
    given = {}
    for key, value in sd.items():
        name = _strip(key)
        if name in given:
            raise CheckpointMismatch(f"{path}: key {name} appears twice (with and without the 'module.' prefix)")
        given[name] = (key, value)
    missing = [k for k in expected if k not in given and not k.endswith("num_batches_tracked")]
    unexpected = [given[k][0] for k in given if k not in expected]
    wrong_shape = [f"{given[k][0]} {list(given[k][1].shape)} (expected {list(v.shape)})"
                   for k, v in expected.items() if k in given and given[k][1].shape != v.shape]
    if missing or unexpected or wrong_shape:
        lines = [f"{path} does not match the LiLNet classifier with N={model.num_classes} classes "
                 f"(ResNet50 + fc3, fc_ens, fc, fc_SD):"]
        if missing:
            lines.append(f"  missing keys ({len(missing)}): {_list(missing)}")
        if unexpected:
            lines.append(f"  unexpected keys ({len(unexpected)}): {_list(unexpected)}")
        if wrong_shape:
            lines.append(f"  wrong shapes ({len(wrong_shape)}): {_list(wrong_shape)}")
        raise CheckpointMismatch("\n".join(lines))
    state = {k: v for k, (_, v) in given.items()}
    for k, v in expected.items():  # only num_batches_tracked can be absent here
        state.setdefault(k, torch.zeros_like(v))
    model.load_state_dict(state, strict=True)


def load_classifier(path: str, expected_classes: int | None = None,
                    head_activation: str = "none") -> LiLNetClassifier:
    """The classifier of a checkpoint file, in eval mode, loaded strictly."""
    sd = read_state_dict(path)
    n = num_classes_of(sd, path)
    if expected_classes is not None and n != expected_classes:
        raise CheckpointMismatch(f"{path} has {n} classes (fc_SD.weight / fc.weight), expected {expected_classes}")
    model = LiLNetClassifier(n, head_activation)
    load_strict(model, sd, path)
    return model.eval()
