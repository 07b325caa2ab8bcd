package dev.panamax.backend;

/**
 * A reduction's dims as every backend walks them: the kept dims (one output per index) and the
 * reduced dims (walked for each output), each in x's order with its sizes and strides.
 *
 * @param keptShape sizes of the kept dims
 * @param keptX     x's strides along the kept dims
 * @param keptOut   the output's strides along the kept dims
 * @param redShape  sizes of the reduced dims
 * @param redX      x's strides along the reduced dims
 */
public record ReduceDims(long[] keptShape, long[] keptX, long[] keptOut, long[] redShape, long[] redX) {
    /** Splits x's dims into those in {@code dims} and the rest; out has x's rank (reduced dims kept with size 1). */
    public static ReduceDims split(Operand x, int[] dims, Operand out) {
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            reduced[d] = true;
        }
        int nr = 0;
        for (boolean r : reduced) {
            nr += r ? 1 : 0;
        }
        long[] keptShape = new long[rank - nr];
        long[] keptX = new long[rank - nr];
        long[] keptOut = new long[rank - nr];
        long[] redShape = new long[nr];
        long[] redX = new long[nr];
        for (int d = 0, k = 0, r = 0; d < rank; d++) {
            if (reduced[d]) {
                redShape[r] = x.shape()[d];
                redX[r++] = x.strides()[d];
            } else {
                keptShape[k] = x.shape()[d];
                keptX[k] = x.strides()[d];
                keptOut[k++] = out.strides()[d];
            }
        }
        return new ReduceDims(keptShape, keptX, keptOut, redShape, redX);
    }

    /** How many elements each output reduces. */
    public long perOutput() {
        long n = 1;
        for (long s : redShape) {
            n *= s;
        }
        return n;
    }
}
