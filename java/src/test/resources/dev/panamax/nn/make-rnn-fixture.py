#!/usr/bin/env python3
"""Writes rnn-fixture.safetensors, which RecurrentFixtureTest reads (run in this directory).

Needs torch and safetensors (see ../data/io/make-fixtures.py for a venv):
    /tmp/torch-venv/bin/python make-rnn-fixture.py
Keys: "<model>/<parameter>" is a state dict entry as PyTorch names it; "<model>:<tensor>" an input
or an expected result; "lengths" the sequence lengths of the packed runs (unsorted, as
pack_padded_sequence(..., enforce_sorted=False) takes them); "<model>:packed_grad.<name>" the
gradients of a packed run (see record_packed_gradients). The tests never run Python.
"""
import torch
from safetensors.torch import save_file
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.manual_seed(2026)
T, B, IN = 5, 3, 3
lengths = torch.tensor([5, 2, 4])
out = {"lengths": lengths}


def record(name, model, x, h0, c0=None):
    model.eval()
    for k, v in model.state_dict().items():
        out[f"{name}/{k}"] = v.detach().clone().contiguous()
    out[f"{name}:input"] = x
    out[f"{name}:h0"] = h0
    state = h0 if c0 is None else (h0, c0)
    if c0 is not None:
        out[f"{name}:c0"] = c0
    with torch.no_grad():
        y, s = model(x, state)
        packed = pack_padded_sequence(x, lengths, batch_first=model.batch_first, enforce_sorted=False)
        py, ps = model(packed, state)
        py, _ = pad_packed_sequence(py, batch_first=model.batch_first, total_length=T)
    hn, cn = (s, None) if c0 is None else s
    phn, pcn = (ps, None) if c0 is None else ps
    out[f"{name}:output"] = y.contiguous()
    out[f"{name}:h_n"] = hn.contiguous()
    out[f"{name}:packed_output"] = py.contiguous()
    out[f"{name}:packed_h_n"] = phn.contiguous()
    if c0 is not None:
        out[f"{name}:c_n"] = cn.contiguous()
        out[f"{name}:packed_c_n"] = pcn.contiguous()


lstm = torch.nn.LSTM(IN, 5, num_layers=2, bidirectional=True)
record("lstm", lstm, torch.randn(T, B, IN), torch.randn(4, B, 5), torch.randn(4, B, 5))

gru = torch.nn.GRU(IN, 4, num_layers=2, bidirectional=True, batch_first=True)
record("gru", gru, torch.randn(B, T, IN), torch.randn(4, B, 4))

proj = torch.nn.LSTM(IN, 6, num_layers=2, proj_size=2, bidirectional=True)
record("lstm_proj", proj, torch.randn(T, B, IN), torch.randn(4, B, 2), torch.randn(4, B, 6))

rnn = torch.nn.RNN(IN, 4, num_layers=2, nonlinearity="relu", bias=False)
record("rnn_relu", rnn, torch.randn(T, B, IN), torch.randn(2, B, 4))



def record_packed_gradients(name, model):
    """Gradients of a packed run: sum(output·r_output) + sum(h_n·r_h_n) [+ sum(c_n·r_c_n)] with respect to the
    input, h0, c0 and every parameter, as "<model>:packed_grad.<name>" (the r_* are recorded too)."""
    x = out[f"{name}:input"].clone().requires_grad_(True)
    h0 = out[f"{name}:h0"].clone().requires_grad_(True)
    c0 = out[f"{name}:c0"].clone().requires_grad_(True) if f"{name}:c0" in out else None
    packed = pack_padded_sequence(x, lengths, batch_first=model.batch_first, enforce_sorted=False)
    py, ps = model(packed, h0 if c0 is None else (h0, c0))
    py, _ = pad_packed_sequence(py, batch_first=model.batch_first, total_length=T)
    results = {"output": py, "h_n": ps if c0 is None else ps[0]}
    if c0 is not None:
        results["c_n"] = ps[1]
    loss = 0
    for key, value in results.items():
        r = torch.randn(value.shape)
        out[f"{name}:packed_r_{key}"] = r
        loss = loss + (value * r).sum()
    loss.backward()
    grads = {"input": x.grad, "h0": h0.grad, **({} if c0 is None else {"c0": c0.grad}), **dict((k, p.grad) for k, p in model.named_parameters())}
    for key, g in grads.items():
        out[f"{name}:packed_grad.{key}"] = g.contiguous()


# drawn after every fixture above, so that their values stay as they were
record_packed_gradients("lstm_proj", proj)

save_file(out, "rnn-fixture.safetensors", metadata={"torch": torch.__version__})
