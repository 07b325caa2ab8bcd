"""Figures PyTorch computes for the optimizer tests (PyTorch 2.13.0 CPU, float64).

Run with the machine's wheels (python3 -m venv v && v/bin/pip install --no-index
--find-links /opt/wheels --find-links /opt/pypi/files torch numpy), then
    v/bin/python torch_reference.py
and copy the printed arrays into the tests named in each section.
"""
import math

import torch

torch.set_default_dtype(torch.float64)  # also makes the optimizers' step and mu_product float64


def gradient(p, t):
    """The gradient sequence of OptimizerReferenceTest: time-varying, state-dependent, with zeros."""
    i = torch.arange(p.numel(), dtype=torch.float64)
    g = 0.5 * torch.sin(1.3 * i + 0.7 * t) + 0.1 * p.detach()
    g[((i.long() + t) % 5) == 0] = 0.0
    return g


def trajectory(make, steps=30, n=7):
    p = torch.cos(0.9 * torch.arange(n, dtype=torch.float64) + 0.3).requires_grad_(True)
    opt = make([p])
    for t in range(1, steps + 1):
        p.grad = gradient(p, t)
        opt.step()
    return p.detach().tolist()


print("# OptimizerReferenceTest.TORCH_FINAL (7 elements after 30 steps)")
O = torch.optim
configs = {
    "sgd": lambda ps: O.SGD(ps, lr=0.1),
    "sgd_momentum": lambda ps: O.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "sgd_nesterov": lambda ps: O.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adagrad": lambda ps: O.Adagrad(ps, lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1),
    "adadelta": lambda ps: O.Adadelta(ps, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.01),
    "rmsprop": lambda ps: O.RMSprop(ps, lr=0.01),
    "rmsprop_centered": lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, centered=True, momentum=0.9, weight_decay=0.01),
    "adam": lambda ps: O.Adam(ps, lr=0.01),
    "adam_amsgrad": lambda ps: O.Adam(ps, lr=0.01, betas=(0.3, 0.99), weight_decay=0.01, amsgrad=True),
    "adamw": lambda ps: O.AdamW(ps, lr=0.01, amsgrad=True),
    "nadam": lambda ps: O.NAdam(ps, lr=0.01),
    "nadam_decoupled": lambda ps: O.NAdam(ps, lr=0.01, weight_decay=0.01, decoupled_weight_decay=True),
}
for name, make in configs.items():
    print(f'"{name}", new double[] {{{", ".join(repr(v) for v in trajectory(make))}}},')

print("# SecondOrderScipyTest: torch.optim.LBFGS on Rosenbrock from (-1.5, 2)")
for hist, ls, lr, max_iter in [(10, "strong_wolfe", 1, 500), (100, None, 0.001, 40)]:
    xy = torch.tensor([-1.5, 2.0], requires_grad=True)
    opt = O.LBFGS([xy], lr=lr, history_size=hist, line_search_fn=ls, max_iter=max_iter, max_eval=5000,
                  tolerance_grad=1e-5, tolerance_change=0)

    def closure():
        opt.zero_grad()
        loss = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2
        loss.backward()
        return loss

    opt.step(closure)
    st = opt.state[xy]
    print(f"history {hist} line search {ls}: n_iter {st['n_iter']} func_evals {st['func_evals']} x {xy.detach().tolist()!r}")


def lrs(make_sched, make_opt, steps, metrics=None, extra=None):
    """Learning rates (and the extra option) of every group after construction and each step."""
    ps = [torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)]
    opt = make_opt(ps)
    sched = make_sched(opt)
    rows = []

    def record():
        rows.append([g["lr"] for g in opt.param_groups] + ([extra(g) for g in opt.param_groups] if extra else []))

    record()
    for k in range(steps):
        opt.step()
        sched.step(metrics[k]) if metrics is not None else sched.step()
        record()
    return rows


def two_groups(opt_cls, **kw):
    return lambda ps: opt_cls([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.02}], lr=0.1, **kw)


S = O.lr_scheduler
schedules = {
    "StepLR(3, 0.5)": lrs(lambda o: S.StepLR(o, 3, 0.5), two_groups(O.SGD), 10),
    "MultiStepLR([2, 5, 5, 8], 0.1)": lrs(lambda o: S.MultiStepLR(o, [2, 5, 5, 8], 0.1), two_groups(O.SGD), 10),
    "ExponentialLR(0.9)": lrs(lambda o: S.ExponentialLR(o, 0.9), two_groups(O.SGD), 10),
    "CosineAnnealingLR(5, 0.001)": lrs(lambda o: S.CosineAnnealingLR(o, 5, 0.001), two_groups(O.SGD), 15),
    "LinearLR(0.25, 1.0, 4)": lrs(lambda o: S.LinearLR(o, 0.25, 1.0, 4), two_groups(O.SGD), 7),
    "OneCycleLR(Adam, 0.1, 20)": lrs(lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=20), two_groups(O.Adam), 20,
                                     extra=lambda g: g["betas"][0]),
    "OneCycleLR(SGD, [0.1, 0.05], 15, three phase, linear)": lrs(
        lambda o: S.OneCycleLR(o, max_lr=[0.1, 0.05], total_steps=15, three_phase=True, anneal_strategy="linear",
                               pct_start=0.25, base_momentum=0.8, max_momentum=0.9),
        two_groups(O.SGD, momentum=0.9), 15, extra=lambda g: g["momentum"]),
    "ReduceLROnPlateau(patience 2)": lrs(lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5, min_lr=[0.0, 0.01]),
                                         two_groups(O.SGD), 12, metrics=[5, 4, 4, 4, 4, 3.9999, 3, 3, 3, 3, 3, 3]),
    "ReduceLROnPlateau(max, abs 0.1, cooldown 2)": lrs(
        lambda o: S.ReduceLROnPlateau(o, mode="max", threshold=0.1, threshold_mode="abs", patience=1, cooldown=2),
        two_groups(O.SGD), 12, metrics=[1, 1.05, 1.2, 1.25, 1.3, 1.3, 1.3, 1.3, 1.5, 1.5, 1.5, 1.5]),
}
print("# ScheduleTest: rows = [lr of group 0, lr of group 1(, beta1 or momentum of each group)] after construction and each step")
for name, rows in schedules.items():
    print(name)
    for r in rows:
        print("    {" + ", ".join(repr(v) for v in r) + "},")
