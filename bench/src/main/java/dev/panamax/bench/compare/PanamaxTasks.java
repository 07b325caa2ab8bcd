package dev.panamax.bench.compare;

import dev.panamax.bench.worker.BatchNorm2dWork;
import dev.panamax.bench.worker.Conv2dWork;
import dev.panamax.bench.worker.MaxPool2dWork;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.ops.Normalization;
import dev.panamax.ops.Pooling;
import dev.panamax.tensor.Tensor;
import java.util.List;

/** The single-op workloads on Panamax's functional ops. */
final class PanamaxTasks {
    private PanamaxTasks() {}

    static PanamaxTask conv2d(Conv2dWork w) {
        return new PanamaxTask() {
            private final Tensor x = input(w.input(), w.n(), w.c(), w.h(), w.w()).requiresGrad(w.backward());
            private final Tensor weight = input(w.weight(), w.k(), w.c(), w.kernel(), w.kernel()).requiresGrad(w.backward());
            private final Tensor bias = input(w.bias(), w.k()).requiresGrad(w.backward());
            private final ConvOptions options = ConvOptions.DEFAULT.stride(w.stride()).padding(w.padding());

            @Override
            protected List<Tensor> compute() {
                if (!w.backward()) {
                    return List.of(Convolution.conv2d(x, weight, bias, options));
                }
                for (Tensor leaf : List.of(x, weight, bias)) {
                    leaf.zeroGrad(); // as PyTorch's zero_grad(set_to_none=True): backward writes fresh gradients
                }
                Tensor y = Convolution.conv2d(x, weight, bias, options);
                y.backward(Tensor.onesLike(y));
                return List.of(y, x.grad(), weight.grad(), bias.grad());
            }
        };
    }

    static PanamaxTask maxPool2d(MaxPool2dWork w) {
        return new PanamaxTask() {
            private final Tensor x = input(w.input(), w.n(), w.c(), w.h(), w.w());

            @Override
            protected List<Tensor> compute() {
                return List.of(Pooling.maxPool2d(x, w.kernel(), w.stride(), w.padding()));
            }
        };
    }

    static PanamaxTask batchNorm2d(BatchNorm2dWork w) {
        return new PanamaxTask() {
            private final Tensor x = input(w.input(), w.n(), w.c(), w.h(), w.w());
            private final Tensor weight = input(w.weight(), w.c());
            private final Tensor bias = input(w.bias(), w.c());
            private final Tensor runningMean = own(Tensor.zeros(w.c()));
            private final Tensor runningVar = own(Tensor.ones(w.c()));

            @Override
            protected List<Tensor> compute() {
                Tensor y = Normalization.batchNorm(x, runningMean, runningVar, weight, bias, true, BatchNorm2dWork.MOMENTUM,
                        BatchNorm2dWork.EPS);
                return List.of(y, runningMean, runningVar);
            }
        };
    }
}
