"""The GPU speed table of issues #6, #8 and #9, PyTorch's side (torchvision's for #9, when installed): the cases of dev.panamax.bench.gpu.GpuBench,
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


try:
    import torchvision
except ImportError:  # issue #9's cases need torchvision's ops; PyTorch alone has none of them
    torchvision = None


def boxes(n, extent, batch_column):
    """GpuBench.boxes: corners uniform in [0, extent), sides uniform in [extent/100, extent/100 + extent/10)."""
    r = torch.rand(n, 4, device=dev)
    side = extent / 10
    x1, y1 = extent * r[:, 0], extent * r[:, 1]
    b = torch.stack([x1, y1, x1 + side / 10 + side * r[:, 2], y1 + side / 10 + side * r[:, 3]], 1)
    return torch.cat([torch.zeros(n, 1, device=dev), b], 1) if batch_column else b


def nms(n):
    b, s = boxes(n, 1000, False), torch.randn(n, device=dev)
    report(f"nms_{n // 1000}k", timed(3, 10, lambda: torchvision.ops.nms(b, s, 0.5)))


def roi_align(backward):
    x = torch.randn(1, 256, 50, 50, device=dev, requires_grad=backward)
    rois = boxes(512, 40, True)

    def body():
        y = torchvision.ops.roi_align(x, rois, (7, 7), 1.0, 2, True)
        if backward:
            x.grad = None
            y.sum().backward()

    report("roi_align_fwd_bwd" if backward else "roi_align_fwd", timed(3, 10, body))


def faster_rcnn():
    model = torchvision.models.detection.fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91).to(dev).eval()
    image = torch.rand(3, 800, 800, device=dev)
    with torch.no_grad():
        report("frcnn_r50fpn_fwd_800", timed(2, 3, lambda: model([image])))


def needs_torchvision(case):
    def run():
        if torchvision is None:
            print("# torchvision is not installed: no PyTorch figure for this case", flush=True)
        else:
            case()
    return run


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
    "nms_10k": needs_torchvision(lambda: nms(10_000)),
    "nms_50k": needs_torchvision(lambda: nms(50_000)),
    "roi_align_fwd": needs_torchvision(lambda: roi_align(False)),
    "roi_align_fwd_bwd": needs_torchvision(lambda: roi_align(True)),
    "frcnn_r50fpn_fwd_800": needs_torchvision(faster_rcnn),
}

if __name__ == "__main__":
    print(f"# torch {torch.__version__}, {torch.cuda.get_device_name(0)}, cuDNN {torch.backends.cudnn.version()}")
    for name, case in CASES.items():
        if len(sys.argv) == 1 or name in sys.argv[1:]:
            case()
