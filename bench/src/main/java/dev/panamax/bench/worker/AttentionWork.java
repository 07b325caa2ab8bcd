package dev.panamax.bench.worker;

/**
 * Scaled dot-product attention, softmax(q·kᵀ/√headSize)·v, without mask, dropout or causality, of q, k and
 * v [batch, heads, length, headSize] uniform in [-1, 1). Forward: the output is compared; with {@code
 * backward}, also the gradients of q, k and v for an upstream gradient of ones.
 */
public record AttentionWork(String id, int batch, int heads, int length, int headSize, boolean backward) implements Workload {
    @Override
    public String title() {
        return "SDPA N" + batch + " heads" + heads + " L" + length + " d" + headSize + (backward ? " fwd+bwd" : " fwd");
    }

    @Override
    public String family() {
        return "seq";
    }

    /** The two products q·kᵀ and weights·v, 2·batch·heads·length²·headSize each; backward has four such. */
    @Override
    public double flops() {
        double forward = 2 * 2.0 * batch * heads * length * (double) length * headSize;
        return backward ? 3 * forward : forward;
    }

    public long[] shape() {
        return new long[] {batch, heads, length, headSize};
    }

    private int count() {
        return Inputs.product(shape());
    }

    public float[] query() {
        return Inputs.uniform(71, count(), -1, 1);
    }

    public float[] key() {
        return Inputs.uniform(72, count(), -1, 1);
    }

    public float[] value() {
        return Inputs.uniform(73, count(), -1, 1);
    }
}
