"""What every phantom training script does first: a quiet, reproducible torch on a shared machine."""
from __future__ import annotations

import os
import random

# OpenMP threads that spin while waiting make PyTorch many times slower on a busy machine: let them sleep.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402


def setup(seed: int, threads: int = 2) -> np.random.Generator:
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.use_deterministic_algorithms(True)
    return np.random.default_rng(seed)


def export_onnx(module, example, path, input_name, output_name, output_shape):
    """ONNX opset 17, dynamic batch, the contract's tensor names. The output's non-batch dimensions are written into
    the graph (the exporter cannot always infer them), so that a loader sees e.g. [batch, 5, 5376]."""
    module.eval()
    torch.onnx.export(module, example, path, opset_version=17, input_names=[input_name], output_names=[output_name],
                      dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}}, do_constant_folding=True)
    import onnx
    model = onnx.load(path)
    with torch.no_grad():
        actual = tuple(module(example).shape[1:])
    if actual != tuple(output_shape):
        raise ValueError(f"{path}: output is {actual}, the contract wants {tuple(output_shape)}")
    dims = model.graph.output[0].type.tensor_type.shape.dim
    for d, v in zip(list(dims)[1:], output_shape):
        d.ClearField("dim_param")
        d.dim_value = v
    model.producer_name = "lilnet-phantom"
    onnx.checker.check_model(model)
    onnx.save(model, path)
