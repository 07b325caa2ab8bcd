package dev.panamax.bench.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import dev.panamax.bench.worker.BatchNorm2dWork;
import dev.panamax.bench.worker.Conv2dWork;
import dev.panamax.bench.worker.GemmWork;
import dev.panamax.bench.worker.MaxPool2dWork;

/** The single-op workloads on DJL's functional API. */
final class DjlTasks {
    private DjlTasks() {}

    static DjlTask matMul(NDManager parent, GemmWork w) {
        return new DjlTask(parent) {
            private final NDArray a = input(w.a(), w.m(), w.k());
            private final NDArray b = input(w.b(), w.k(), w.n());

            @Override
            protected NDList compute() {
                return new NDList(a.matMul(b));
            }
        };
    }

    static DjlTask conv2d(NDManager parent, Engine engine, Conv2dWork w) {
        return new DjlTask(parent) {
            private final NDArray x = input(w.input(), w.n(), w.c(), w.h(), w.w());
            private final NDArray weight = input(w.weight(), w.k(), w.c(), w.kernel(), w.kernel());
            private final NDArray bias = input(w.bias(), w.k());
            private final Shape stride = new Shape(w.stride(), w.stride());
            private final Shape padding = new Shape(w.padding(), w.padding());
            private final Shape dilation = new Shape(1, 1);

            @Override
            protected NDList compute() {
                if (!w.backward()) {
                    return Conv2d.conv2d(x, weight, bias, stride, padding, dilation);
                }
                NDArray xLeaf = leaf(x);
                NDArray weightLeaf = leaf(weight);
                NDArray biasLeaf = leaf(bias);
                try (GradientCollector collector = engine.newGradientCollector()) {
                    NDArray y = Conv2d.conv2d(xLeaf, weightLeaf, biasLeaf, stride, padding, dilation).singletonOrThrow();
                    collector.backward(y);
                    return new NDList(y, xLeaf.getGradient(), weightLeaf.getGradient(), biasLeaf.getGradient());
                }
            }
        };
    }

    static DjlTask maxPool2d(NDManager parent, MaxPool2dWork w) {
        return new DjlTask(parent) {
            private final NDArray x = input(w.input(), w.n(), w.c(), w.h(), w.w());
            private final Shape kernel = new Shape(w.kernel(), w.kernel());
            private final Shape stride = new Shape(w.stride(), w.stride());
            private final Shape padding = new Shape(w.padding(), w.padding());

            @Override
            protected NDList compute() {
                return new NDList(Pool.maxPool2d(x, kernel, stride, padding, false));
            }
        };
    }

    static DjlTask batchNorm2d(NDManager parent, BatchNorm2dWork w) {
        return new DjlTask(parent) {
            private final NDArray x = input(w.input(), w.n(), w.c(), w.h(), w.w());
            private final NDArray weight = input(w.weight(), w.c());
            private final NDArray bias = input(w.bias(), w.c());
            private final NDArray runningMean = manager.zeros(new Shape(w.c()));
            private final NDArray runningVar = manager.ones(new Shape(w.c()));

            @Override
            protected NDList compute() {
                // Axis -1 hands the channel axis to libtorch as is; DJL's momentum is 1 - PyTorch's.
                NDArray y = BatchNorm.batchNorm(x, runningMean, runningVar, weight, bias, -1, (float) (1 - BatchNorm2dWork.MOMENTUM),
                        (float) BatchNorm2dWork.EPS, true).singletonOrThrow();
                return new NDList(y, runningMean, runningVar);
            }
        };
    }
}
