"""Iterations scipy.optimize needs on the two problems of SecondOrderScipyTest.

Run with scipy 1.17.1 (pip install --no-index --find-links /opt/wheels --find-links /opt/pypi/files scipy):
    python3 scipy_reference.py
and copy the printed figures into SecondOrderScipyTest. Every method stops at ||grad||_inf <= 1e-5.
"""
import math

import numpy as np
from scipy.optimize import minimize

GTOL = 1e-5


def rosenbrock(v):
    x, y = v
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def rosenbrock_grad(v):
    x, y = v
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def rosenbrock_hess(v):
    x, y = v
    return np.array([[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]])


# Logistic regression on a deterministic data set (the same formulas as LogisticProblem.java):
# N = 200 samples, D = 4 features, labels from a linear rule plus a deterministic "noise" term,
# loss = mean(softplus(z) - y z) + LAMBDA/2 |w|^2 with z = X w + b; parameters (w, b) start at 0.
N, D, LAMBDA = 200, 4, 1e-3
X = np.array([[math.sin(1.7 * i + 2.3 * j * j + 0.5) * (1 + 0.5 * j) for j in range(D)] for i in range(N)])
W_TRUE = np.array([1.5, -2.0, 1.0, 0.5])
Y = np.array([1.0 if X[i] @ W_TRUE + 0.8 * math.sin(13.1 * i) > 0.1 else 0.0 for i in range(N)])


def logistic(p):
    z = X @ p[:D] + p[D]
    return np.mean(np.logaddexp(0, z) - Y * z) + LAMBDA / 2 * p[:D] @ p[:D]


def logistic_grad(p):
    z = X @ p[:D] + p[D]
    r = (1 / (1 + np.exp(-z)) - Y) / N
    g = np.empty(D + 1)
    g[:D] = X.T @ r + LAMBDA * p[:D]
    g[D] = r.sum()
    return g


def logistic_hess(p):
    z = X @ p[:D] + p[D]
    s = 1 / (1 + np.exp(-z))
    w = s * (1 - s) / N
    A = np.hstack([X, np.ones((N, 1))])
    H = A.T @ (A * w[:, None])
    H[:D, :D] += LAMBDA * np.eye(D)
    return H


problems = {
    "rosenbrock": (rosenbrock, rosenbrock_grad, rosenbrock_hess, np.array([-1.5, 2.0])),
    "logistic": (logistic, logistic_grad, logistic_hess, np.zeros(D + 1)),
}


def iterations_to_tolerance(f, g, h, x0, method, options):
    """The first iteration whose iterate has ||grad||_inf <= GTOL (counted with a callback)."""
    norms = []
    kwargs = {"hess": h} if method in ("Newton-CG", "trust-exact") else {}
    r = minimize(f, x0, jac=g, method=method, options=options,
                 callback=lambda xk, *_: norms.append(np.abs(g(xk)).max()), **kwargs)
    first = next((k + 1 for k, n in enumerate(norms) if n <= GTOL), None)
    return first, r


METHODS = {
    "BFGS": {"gtol": GTOL},
    "CG": {"gtol": GTOL},
    "L-BFGS-B": {"gtol": GTOL, "ftol": 0, "maxcor": 10},
    "Newton-CG": {"xtol": 1e-12},
    "trust-exact": {"gtol": GTOL},
}
for name, (f, g, h, x0) in problems.items():
    for method, options in METHODS.items():
        first, r = iterations_to_tolerance(f, g, h, x0, method, options)
        print(f"{name:10s} {method:12s} iterations to tolerance={first}  (nit={r.nit}, nfev={r.nfev}, f={r.fun:.10g})")
