"""The GPU speed table of issue #6, PyTorch's side: the cases of dev.panamax.bench.gpu.GpuBench,
timed the same way (warm-up, then the median of 15 samples, each a synchronize, a batch of runs and
a synchronize). Prints case<TAB>milliseconds (microseconds of host time for tiny_relu_host_us).
fp32 means fp32: TF32 is off for matmul and cuDNN except in matmul_4096_tf32, as in Panamax by
default; cudnn.benchmark picks convolution algorithms by timing, as Panamax's cudnnFind does."""
import statistics
import sys
import time

import torch
import torch.nn.functional as F

SAMPLES = 15
dev = torch.device("cuda")
torch.backends.cudnn.benchmark = True
torch.backends.cudnn.allow_tf32 = False
torch.backends.cuda.matmul.allow_tf32 = False
torch.manual_seed(1)


def timed(warmup, runs, body):
    for _ in range(warmup):
        body()
    ms = []
    for _ in range(SAMPLES):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(runs):
            body()
        torch.cuda.synchronize()
        ms.append((time.perf_counter() - t0) * 1e3 / runs)
    return statistics.median(ms)


def report(name, value):
    print(f"{name}\t{value:.4f}", flush=True)


def matmul(tf32):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    a = torch.randn(4096, 4096, device=dev)
    b = torch.randn(4096, 4096, device=dev)
    report("matmul_4096_tf32" if tf32 else "matmul_4096_fp32", timed(5, 10, lambda: a @ b))
    torch.backends.cuda.matmul.allow_tf32 = False


def conv(backward):
    x = torch.randn(64, 64, 56, 56, device=dev, requires_grad=backward)
    w = torch.randn(64, 64, 3, 3, device=dev, requires_grad=backward)
    g = torch.randn(64, 64, 56, 56, device=dev)

    def body():
        y = F.conv2d(x, w, padding=1)
        if backward:
            x.grad = None
            w.grad = None
            y.backward(g)

    if backward:
        report("conv_fwd_bwd", timed(5, 20, body))
    else:
        with torch.no_grad():
            report("conv_fwd", timed(5, 20, body))


def batchnorm():
    x = torch.randn(64, 64, 56, 56, device=dev, requires_grad=True)
    weight = torch.randn(64, device=dev, requires_grad=True)
    bias = torch.randn(64, device=dev, requires_grad=True)
    mean = torch.randn(64, device=dev)
    var = torch.randn(64, device=dev).abs()
    g = torch.randn(64, 64, 56, 56, device=dev)

    def body():
        x.grad = weight.grad = bias.grad = None
        F.batch_norm(x, mean, var, weight, bias, training=True).backward(g)

    report("batchnorm_train_fwd_bwd", timed(5, 20, body))


def maxpool():
    x = torch.randn(64, 64, 112, 112, device=dev)
    with torch.no_grad():
        report("maxpool_fwd", timed(5, 20, lambda: F.max_pool2d(x, 3, 2, 1)))


def relu():
    x = torch.randn(64 << 20, device=dev)
    with torch.no_grad():
        report("relu_64Mi", timed(5, 20, lambda: torch.relu(x)))


def tiny_relu():
    x = torch.randn(16, device=dev)
    with torch.no_grad():
        report("tiny_relu_host_us", 1000 * timed(2000, 10_000, lambda: torch.relu(x)))


def lstm():
    model = torch.nn.LSTM(512, 512).to(dev)
    x = torch.randn(100, 64, 512, device=dev)
    with torch.no_grad():
        report("lstm_fwd", timed(3, 10, lambda: model(x)))


def attention(backward):
    q, k, v = (torch.randn(4, 16, 4096, 64, device=dev, requires_grad=backward) for _ in range(3))
    g = torch.randn(4, 16, 4096, 64, device=dev)

    def body():
        y = F.scaled_dot_product_attention(q, k, v)
        if backward:
            q.grad = k.grad = v.grad = None
            y.backward(g)

    if backward:
        report("sdpa_fwd_bwd", timed(3, 5, body))
    else:
        with torch.no_grad():
            report("sdpa_fwd", timed(3, 5, body))


CASES = {
    "matmul_4096_fp32": lambda: matmul(False),
    "matmul_4096_tf32": lambda: matmul(True),
    "conv_fwd": lambda: conv(False),
    "conv_fwd_bwd": lambda: conv(True),
    "batchnorm_train_fwd_bwd": batchnorm,
    "maxpool_fwd": maxpool,
    "relu_64Mi": relu,
    "tiny_relu_host_us": tiny_relu,
    "lstm_fwd": lstm,
    "sdpa_fwd": lambda: attention(False),
    "sdpa_fwd_bwd": lambda: attention(True),
}

if __name__ == "__main__":
    print(f"# torch {torch.__version__}, {torch.cuda.get_device_name(0)}, cuDNN {torch.backends.cudnn.version()}")
    for name, case in CASES.items():
        if len(sys.argv) == 1 or name in sys.argv[1:]:
            case()
