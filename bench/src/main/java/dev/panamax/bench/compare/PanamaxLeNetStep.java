package dev.panamax.bench.compare;

import dev.panamax.autograd.GradMode;
import dev.panamax.bench.worker.LeNetStepWork;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.ops.LinearAlgebra;
import dev.panamax.ops.Loss;
import dev.panamax.ops.Pooling;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** The LeNet-5 training step composed from Panamax's functional ops, with the SGD update written out. */
final class PanamaxLeNetStep extends PanamaxTask {
    private final Tensor images;
    private final Tensor labels;
    private final Tensor[] p = new Tensor[LeNetStepWork.PARAMETERS.size()];

    PanamaxLeNetStep(LeNetStepWork w) {
        images = input(w.images(), w.batch(), 1, 28, 28);
        labels = own(Tensor.of(w.labels(), w.batch()));
        for (int i = 0; i < p.length; i++) {
            p[i] = input(w.initialValue(i), LeNetStepWork.PARAMETERS.get(i).shape()).requiresGrad(true);
        }
    }

    @Override
    @SuppressWarnings("try") // noGrad is a mode, not a resource the body uses
    protected List<Tensor> compute() {
        for (Tensor param : p) {
            param.zeroGrad();
        }
        Tensor h = Convolution.conv2d(images, p[0], p[1], ConvOptions.DEFAULT.padding(2)).relu();
        h = Pooling.maxPool2d(h, 2);
        h = Convolution.conv2d(h, p[2], p[3], ConvOptions.DEFAULT).relu();
        h = Pooling.maxPool2d(h, 2).flatten(1, -1);
        h = LinearAlgebra.linear(h, p[4], p[5]).relu();
        h = LinearAlgebra.linear(h, p[6], p[7]).relu();
        Tensor loss = Loss.crossEntropy(LinearAlgebra.linear(h, p[8], p[9]), labels);
        loss.backward();
        loss.item(); // a training loop reads its loss
        try (GradMode.Guard noGrad = GradMode.noGrad()) {
            for (Tensor param : p) {
                param.sub_(param.grad().mul(LeNetStepWork.LEARNING_RATE));
            }
        }
        List<Tensor> results = new ArrayList<>(List.of(loss));
        for (Tensor param : p) {
            results.add(param.grad());
        }
        return results;
    }
}
