package dev.panamax.bench.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import ai.djl.training.loss.Loss;
import dev.panamax.bench.worker.LeNetStepWork;

/** The LeNet-5 training step on DJL's functional API and GradientCollector, with the SGD update written out. */
final class DjlLeNetStep extends DjlTask {
    private static final Shape ONE = new Shape(1, 1);
    private static final Shape TWO = new Shape(2, 2);
    private static final Shape NO_PADDING = new Shape(0, 0);

    private final Engine engine;
    private final int batch;
    private final NDArray images;
    private final NDArray labels;
    private final NDArray[] p = new NDArray[LeNetStepWork.PARAMETERS.size()];
    private final Loss loss = Loss.softmaxCrossEntropyLoss();

    DjlLeNetStep(NDManager parent, Engine engine, LeNetStepWork w) {
        super(parent);
        this.engine = engine;
        batch = w.batch();
        images = input(w.images(), batch, 1, 28, 28);
        labels = manager.create(w.labels());
        for (int i = 0; i < p.length; i++) {
            p[i] = input(w.initialValue(i), LeNetStepWork.PARAMETERS.get(i).shape());
        }
    }

    @Override
    protected NDList compute() {
        NDArray[] leaves = new NDArray[p.length];
        for (int i = 0; i < p.length; i++) {
            leaves[i] = leaf(p[i]);
        }
        NDArray value;
        try (GradientCollector collector = engine.newGradientCollector()) {
            NDArray h = Activation.relu(Conv2d.conv2d(images, leaves[0], leaves[1], ONE, TWO, ONE).singletonOrThrow());
            h = Pool.maxPool2d(h, TWO, TWO, NO_PADDING, false);
            h = Activation.relu(Conv2d.conv2d(h, leaves[2], leaves[3], ONE, NO_PADDING, ONE).singletonOrThrow());
            h = Pool.maxPool2d(h, TWO, TWO, NO_PADDING, false).reshape(batch, 400);
            h = Activation.relu(Linear.linear(h, leaves[4], leaves[5]).singletonOrThrow());
            h = Activation.relu(Linear.linear(h, leaves[6], leaves[7]).singletonOrThrow());
            NDArray logits = Linear.linear(h, leaves[8], leaves[9]).singletonOrThrow();
            value = loss.evaluate(new NDList(labels), new NDList(logits));
            collector.backward(value);
        }
        value.getFloat(); // a training loop reads its loss
        NDList results = new NDList(value);
        for (int i = 0; i < p.length; i++) {
            NDArray grad = leaves[i].getGradient();
            p[i].subi(grad.mul(LeNetStepWork.LEARNING_RATE));
            results.add(grad);
        }
        return results;
    }
}
