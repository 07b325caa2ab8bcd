#!/usr/bin/env python3
"""Writes the NumPy and safetensors fixtures the data I/O tests read (run in this directory).

Needs numpy, torch and safetensors, e.g. from the machine's wheels:
    python3 -m venv /tmp/torch-venv
    /tmp/torch-venv/bin/pip install --no-index --find-links /opt/wheels --find-links /opt/pypi/files torch numpy safetensors
    /tmp/torch-venv/bin/python make-fixtures.py
The tests hard-code the values below; they never run Python.
"""
import numpy as np
import torch
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import save_file as save_torch

np.save("f4.npy", np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
np.save("f8-big-endian.npy", np.array([1.5, -2.25, 1e300], dtype=">f8"))
np.save("i4-fortran.npy", np.asfortranarray(np.arange(24, dtype=np.int32).reshape(2, 3, 4) - 5))
np.save("i8-scalar.npy", np.array(-(2 ** 40) - 7, dtype=np.int64))
np.save("u1.npy", np.array([[0, 7], [128, 255]], dtype=np.uint8))
np.save("b1.npy", np.array([True, False, True]))
np.save("f4-empty.npy", np.zeros((0, 3), dtype=np.float32))
with open("f4-v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([0.5, -1], dtype=np.float32), version=(2, 0))
with open("f4-v3.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([0.5, -1], dtype=np.float32), version=(3, 0))

arrays = {"weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4, "ids": np.array([3, -1, 4, 1], dtype=np.int64)}
np.savez("arrays.npz", **arrays)
np.savez_compressed("arrays-compressed.npz", **arrays)

save_numpy({
    "weight": np.arange(6, dtype=np.float32).reshape(2, 3) / 4,
    "bias": np.array([1.5, -2], dtype=np.float64),
    "ids": np.array([1, -2, 3], dtype=np.int64),
    "mask": np.array([[True, False], [False, True]]),
    "pixels": np.array([0, 7, 255], dtype=np.uint8),
    "counts": np.array([-1], dtype=np.int32),
    "scalar": np.array(3.25, dtype=np.float32),
    "empty": np.zeros((0, 3), dtype=np.float32),
}, "python.safetensors", metadata={"format": "np"})

save_torch({
    "half": torch.tensor([1.0, -0.5, 65504.0, 2 ** -24], dtype=torch.float16),
    "bhalf": torch.tensor([1.0, -3.0, 1e30], dtype=torch.bfloat16),
    "small": torch.tensor([-128, 127], dtype=torch.int8),
    "short": torch.tensor([-32768, 300], dtype=torch.int16),
}, "python-widened.safetensors")
