"""Writes attention.safetensors, the PyTorch fixture of AttentionFixtureTest.

Run with a Python that has torch and safetensors (the tests never run it):
    python make-attention-fixture.py
Every module is in eval mode (no dropout) with the fast path off, so PyTorch computes the
reference through F.multi_head_attention_forward. Biases and norm weights are randomised
(PyTorch starts them at zero and one) so that the test sees every parameter. Keys are
"<case>.state.<state_dict key>" for the weights and "<case>.<name>" for inputs and outputs.
"""
import os

import torch
from safetensors.torch import save_file

torch.manual_seed(20261128)
torch.backends.mha.set_fastpath_enabled(False)
out = {}


def randomise(module):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("bias") or name.startswith("norm") or ".norm" in name:
                p.add_(0.2 * torch.randn_like(p))


def gradients(case, module, output, inputs):
    """Gradients of sum(output * projection) for every parameter and the named inputs, as <case>.grad.<name>."""
    projection = torch.randn(output.shape)
    for p in module.parameters():
        p.grad = None
    (output * projection).sum().backward()
    out[f"{case}.projection"] = projection
    for name, p in module.named_parameters():
        out[f"{case}.grad.{name}"] = p.grad.detach().contiguous()
    for name, t in inputs.items():
        out[f"{case}.grad.{name}"] = t.grad.detach().contiguous()


def put(case, module, **tensors):
    for k, v in module.state_dict().items():
        out[f"{case}.state.{k}"] = v.detach().contiguous()
    for k, v in tensors.items():
        out[f"{case}.{k}"] = v.detach().contiguous()


# MultiheadAttention, batch first, cross-attention with a key padding mask and a float attn_mask
mha = torch.nn.MultiheadAttention(8, 2, dropout=0.1, batch_first=True).eval()
randomise(mha)
q, k, v = torch.randn(2, 4, 8), torch.randn(2, 5, 8), torch.randn(2, 5, 8)
kpm = torch.tensor([[False, False, False, False, False], [False, False, False, True, True]])
attn_mask = 0.5 * torch.randn(4, 5)
with torch.no_grad():
    o, w = mha(q, k, v, key_padding_mask=kpm, need_weights=True, attn_mask=attn_mask)
    _, wh = mha(q, k, v, key_padding_mask=kpm, need_weights=True, attn_mask=attn_mask, average_attn_weights=False)
    o_self, _ = mha(q, q, q, need_weights=False)
put("mha", mha, query=q, key=k, value=v, key_padding_mask=kpm, attn_mask=attn_mask, output=o, weights=w, weights_per_head=wh,
    self_output=o_self)
qg, kg, vg = (t.clone().requires_grad_(True) for t in (q, k, v))
og, _ = mha(qg, kg, vg, key_padding_mask=kpm, need_weights=False, attn_mask=attn_mask)
gradients("mha", mha, og, {"query": qg, "key": kg, "value": vg})

# MultiheadAttention with kdim and vdim (separate projection weights), sequence first, bool attn_mask
mkv = torch.nn.MultiheadAttention(8, 4, kdim=6, vdim=3).eval()
randomise(mkv)
q, k, v = torch.randn(4, 2, 8), torch.randn(5, 2, 6), torch.randn(5, 2, 3)
banned = torch.rand(4, 5) < 0.3
banned[:, 0] = False
kpm = torch.tensor([[False, False, True, False, False], [False, False, False, False, True]])
with torch.no_grad():
    o, w = mkv(q, k, v, key_padding_mask=kpm, attn_mask=banned)
put("mha_kv", mkv, query=q, key=k, value=v, key_padding_mask=kpm, attn_mask=banned, output=o, weights=w)

# TransformerEncoderLayer, post-norm (relu) and pre-norm (gelu), batch first, key padding mask
for case, norm_first, act in (("post", False, "relu"), ("pre", True, "gelu")):
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, activation=act, batch_first=True, norm_first=norm_first).eval()
    randomise(layer)
    src = torch.randn(2, 5, 8)
    kpm = torch.tensor([[False, False, False, False, False], [False, False, False, False, True]])
    with torch.no_grad():
        y = layer(src, src_key_padding_mask=kpm)
    put(case, layer, src=src, src_key_padding_mask=kpm, output=y)
    src_g = src.clone().requires_grad_(True)
    gradients(case, layer, layer(src_g, src_key_padding_mask=kpm), {"src": src_g})

# TransformerEncoder: two post-norm layers and a final norm, sequence first, causal mask
enc = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1), 2, norm=torch.nn.LayerNorm(8),
                                  enable_nested_tensor=False).eval()
randomise(enc)
src = torch.randn(5, 2, 8)
causal = torch.nn.Transformer.generate_square_subsequent_mask(5)
with torch.no_grad():
    y = enc(src, mask=causal, is_causal=True)
put("encoder", enc, src=src, mask=causal, output=y)

# scaled_dot_product_attention on its own (drawn last, so the cases above keep their values): is_causal with
# L < S and L > S (top-left aligned) and an explicit scale, and query rows whose every key is masked out by a
# bool or a float mask, broadcast from [L, S] and [H, L, S] to [N, H, L, S]: PyTorch gives them zero output and
# zero gradients, the float mask its gradient too. Keys "<case>.<query|key|value|attn_mask|output|projection>"
# and "<case>.grad.<name>" for gradients of sum(output * projection).
def sdpa(case, q, k, v, attn_mask=None, **kw):
    leaves = {"query": q, "key": k, "value": v, **({} if attn_mask is None else {"attn_mask": attn_mask})}
    leaves = {n: t.clone().requires_grad_(t.is_floating_point()) for n, t in leaves.items()}
    y = torch.nn.functional.scaled_dot_product_attention(leaves["query"], leaves["key"], leaves["value"], attn_mask=leaves.get("attn_mask"), **kw)
    projection = torch.randn(y.shape)
    (y * projection).sum().backward()
    for n, t in leaves.items():
        out[f"{case}.{n}"] = t.detach().contiguous()
        if t.requires_grad:
            out[f"{case}.grad.{n}"] = t.grad.contiguous()
    out[f"{case}.output"] = y.detach().contiguous()
    out[f"{case}.projection"] = projection


sdpa("sdpa_causal_wide", torch.randn(1, 2, 3, 4), torch.randn(1, 2, 5, 4), torch.randn(1, 2, 5, 3), is_causal=True, scale=0.7)
sdpa("sdpa_causal_tall", torch.randn(1, 2, 5, 4), torch.randn(1, 2, 3, 4), torch.randn(1, 2, 3, 3), is_causal=True)
allowed = torch.rand(3, 4) < 0.7
allowed[:, 0] = True
allowed[1] = False
sdpa("sdpa_dead_bool", torch.randn(2, 2, 3, 4), torch.randn(2, 2, 4, 4), torch.randn(2, 2, 4, 3), allowed)
additive = torch.randn(2, 3, 4)
additive[0, 2] = float("-inf")
additive[1, 0, 1] = float("-inf")
sdpa("sdpa_dead_float", torch.randn(2, 2, 3, 4), torch.randn(2, 2, 4, 4), torch.randn(2, 2, 4, 3), additive)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attention.safetensors")
save_file(out, path, metadata={"torch": torch.__version__, "script": "make-attention-fixture.py"})
print(f"wrote {path}: {len(out)} tensors, {os.path.getsize(path)} bytes, torch {torch.__version__}")
