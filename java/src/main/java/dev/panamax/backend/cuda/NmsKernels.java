package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;
import dev.panamax.backend.Suppression;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * torchvision's CUDA nms (native/src/nms.cu): the visiting order is computed on the host from the
 * downloaded scores ({@link Suppression#order}, the CPU's order), the GPU fills the suppression
 * bitmask (per box, one bit for each box visited after it), and the host walks the mask once in
 * order, as torchvision does.
 */
final class NmsKernels {
    private static final int BITS = 64;

    private final CudaContext ctx;

    NmsKernels(CudaContext ctx) {
        this.ctx = ctx;
    }

    int nms(Operand boxes, Operand scores, double iouThreshold, Operand keep) {
        int n = (int) scores.shape()[0];
        if (n == 0) {
            return 0;
        }
        int words = (n + BITS - 1) / BITS;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hostScores = arena.allocate(ValueLayout.JAVA_FLOAT, n);
            ctx.download(CudaStorage.address(scores), hostScores);
            int[] order = Suppression.order(hostScores.toArray(ValueLayout.JAVA_FLOAT));
            MemorySegment mask = arena.allocate(ValueLayout.JAVA_LONG, (long) n * words);
            try (CudaContext.Scratch deviceOrder = ctx.scratch(4L * n); CudaContext.Scratch deviceMask = ctx.scratch(mask.byteSize())) {
                ctx.upload(arena.allocateFrom(ValueLayout.JAVA_INT, order), deviceOrder.address());
                ctx.launch("pmx_nms_mask", ctx.blocksFor((long) n * words), KernelArgs.begin().ptr(boxes).ptr(deviceOrder.address()).i32(n)
                        .f32(Suppression.threshold(iouThreshold)).ptr(deviceMask.address()));
                ctx.download(deviceMask.address(), mask);
            }
            long[] kept = new long[n];
            int k = 0;
            long[] removed = new long[words];
            for (int i = 0; i < n; i++) {
                if ((removed[i / BITS] & (1L << i)) == 0) {
                    kept[k++] = order[i];
                    for (int w = i / BITS; w < words; w++) {
                        removed[w] |= mask.getAtIndex(ValueLayout.JAVA_LONG, (long) i * words + w);
                    }
                }
            }
            ctx.upload(arena.allocateFrom(ValueLayout.JAVA_LONG, Arrays.copyOf(kept, k)), CudaStorage.address(keep));
            return k;
        }
    }
}
