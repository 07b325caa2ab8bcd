package dev.panamax.nn;

import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.FusedRecurrence;
import dev.panamax.backend.Operand;
import dev.panamax.backend.RecurrentSpec;
import dev.panamax.backend.RecurrentWeights;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Shape;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link FusedRecurrence} contract on CPU operands, from {@link RecurrentReference}: forward
 * values by PyTorch's equations in double precision, backward by central differences of the loss
 * Σ y·dy + Σ hy·dhy + Σ cy·dcy. Its weight space is laid out unlike the parameters (each in reverse
 * flat order, a gap before each), so the op that packs and unpacks it is tested against a layout
 * of its own. Where cuDNN keeps what its backward needs in the reserve space, this keeps the
 * inputs of its last training forward and the output gradients of its last backwardData: one graph
 * at a time.
 */
final class ReferenceFusedRecurrence implements FusedRecurrence {
    private static final long GAP = 3;
    private static final Backend CPU = Backends.get(Device.CPU);

    private int[] lengths;
    private List<double[]> inputs;
    private double[][] outputGradients;
    int forwards;

    @Override
    public String unsupported(RecurrentSpec spec) {
        return "";
    }

    @Override
    public RecurrentWeights weights(RecurrentSpec spec) {
        List<long[]> shapes = shapes(spec);
        List<RecurrentWeights.Block> blocks = new ArrayList<>();
        long at = 0;
        for (int i = shapes.size() - 1; i >= 0; i--) {
            long n = Shape.of(shapes.get(i)).numel();
            blocks.add(new RecurrentWeights.Block(i, 0, at + GAP, n));
            at += GAP + n;
        }
        return new RecurrentWeights(at, blocks);
    }

    @Override
    public long reserveBytes(RecurrentSpec spec, long steps, int[] lengths) {
        return 1;
    }

    @Override
    public void forward(RecurrentSpec spec, int[] lengths, Operand x, Operand h0, Operand c0, Operand weights, Operand y, Operand hy,
                        Operand cy, Operand reserve) {
        forwards++;
        List<double[]> args = new ArrayList<>(Arrays.asList(read(x), read(h0), read(c0)));
        args.addAll(params(spec, read(weights)));
        if (reserve != null) {
            this.lengths = lengths.clone();
            this.inputs = args;
        }
        RecurrentReference.Result r = reference(spec, lengths, args);
        write(r.output(), y);
        write(r.hN(), hy);
        if (cy != null) {
            write(r.cN(), cy);
        }
    }

    @Override
    public void backwardData(RecurrentSpec spec, int[] lengths, Operand y, Operand dy, Operand h0, Operand dhy, Operand c0, Operand dcy,
                             Operand weights, Operand reserve, Operand dx, Operand dh0, Operand dc0) {
        outputGradients = new double[][] {read(dy), read(dhy), dcy == null ? new double[0] : read(dcy)};
        List<double[]> grads = gradients(spec, inputs.subList(0, 3));
        write(grads.get(0), dx);
        if (dh0 != null) {
            write(grads.get(1), dh0);
        }
        if (dc0 != null) {
            write(grads.get(2), dc0);
        }
    }

    @Override
    public void backwardWeights(RecurrentSpec spec, int[] lengths, Operand x, Operand h0, Operand y, Operand reserve, Operand dWeights) {
        List<double[]> grads = gradients(spec, inputs.subList(3, inputs.size()));
        double[] space = read(dWeights);
        for (RecurrentWeights.Block b : weights(spec).blocks()) {
            for (int k = 0; k < b.count(); k++) {
                space[(int) (b.spaceOffset() + k)] += grads.get(b.param())[(int) (b.paramOffset() + k)];
            }
        }
        write(space, dWeights);
    }

    /** Central differences of Σ y·dy + Σ hy·dhy + Σ cy·dcy at the last forward's inputs, with respect to {@code of} (some of them). */
    private List<double[]> gradients(RecurrentSpec spec, List<double[]> of) {
        return RecurrentReference.gradients(() -> RecurrentReference.loss(reference(spec, lengths, inputs), outputGradients[0],
                outputGradients[1], outputGradients[2]), of);
    }

    private static List<long[]> shapes(RecurrentSpec spec) {
        List<long[]> shapes = new ArrayList<>();
        long gates = spec.cell().gates() * spec.hiddenSize();
        for (int layer = 0; layer < spec.numLayers(); layer++) {
            for (int d = 0; d < spec.directions(); d++) {
                shapes.add(new long[] {gates, spec.layerInputSize(layer)});
                shapes.add(new long[] {gates, spec.outSize()});
                if (spec.bias()) {
                    shapes.add(new long[] {gates});
                    shapes.add(new long[] {gates});
                }
                if (spec.projSize() > 0) {
                    shapes.add(new long[] {spec.projSize(), spec.hiddenSize()});
                }
            }
        }
        return shapes;
    }

    private List<double[]> params(RecurrentSpec spec, double[] space) {
        List<double[]> params = new ArrayList<>();
        shapes(spec).forEach(s -> params.add(new double[(int) Shape.of(s).numel()]));
        for (RecurrentWeights.Block b : weights(spec).blocks()) {
            System.arraycopy(space, (int) b.spaceOffset(), params.get(b.param()), (int) b.paramOffset(), (int) b.count());
        }
        return params;
    }

    static Recurrence.Config config(RecurrentSpec spec) {
        return new Recurrence.Config(Recurrence.Mode.valueOf(spec.cell().name()), spec.inputSize(), spec.hiddenSize(), spec.projSize(),
                spec.numLayers(), spec.bias(), false, 0, spec.bidirectional());
    }

    /** args: x, h0, c0 (null: zeros), then the parameters. */
    private static RecurrentReference.Result reference(RecurrentSpec spec, int[] lengths, List<double[]> args) {
        long[] lens = Arrays.stream(lengths).asLongStream().toArray();
        int steps = (int) (args.get(0).length / (lengths.length * spec.inputSize()));
        return RecurrentReference.forward(config(spec), steps, lengths.length, args.get(0), args.get(1), args.get(2), lens,
                args.subList(3, args.size()));
    }

    private static double[] read(Operand op) {
        if (op == null) {
            return null;
        }
        op.storage().retain();
        try (Tensor t = Tensor.wrap(op.storage(), op.dtype(), Shape.of(op.shape()), op.strides(), op.offset())) {
            return t.toDoubleArray();
        }
    }

    private static void write(double[] values, Operand dst) {
        try (Tensor d = Tensor.of(values, dst.shape()); Tensor t = d.to(dst.dtype())) {
            CPU.copy(t.operand(), dst);
        }
    }
}
