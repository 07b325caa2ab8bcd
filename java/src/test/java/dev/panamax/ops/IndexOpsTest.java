package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.testing.RefIndexOps;
import dev.panamax.testing.RefShapeOps;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** indexSelect, gather, scatterAdd and oneHot: values and gradients against references; every bad index refused. */
class IndexOpsTest {
    private Scope scope;
    private final Generator gen = new Generator(41);

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private Tensor randn(long... shape) {
        return Tensor.randn(gen, shape);
    }

    private static Tensor longs(long[] v, long... shape) {
        return Tensor.of(v, shape);
    }

    private static Tensor ints(long[] v, long... shape) {
        return Tensor.of(v, shape).to(DType.INT32);
    }

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... parts) {
        Throwable e = assertThrows(type, call);
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p), "message '" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    // ---------------------------------------------------------------- indexSelect

    @Test
    void indexSelectWithRepeatedIndices() {
        Tensor x = randn(4, 5, 3);
        long[] idx = {2, 0, 2, 2, 3};
        for (boolean int32 : new boolean[] {false, true}) {
            Tensor index = int32 ? ints(idx, 5) : longs(idx, 5);
            String type = int32 ? " int32" : " int64";
            for (int dim : new int[] {0, 1, -1}) {
                long[] valid = dim == -1 ? new long[] {2, 0, 2, 1} : idx;
                Tensor ix = dim == -1 ? (int32 ? ints(valid, 4) : longs(valid, 4)) : index;
                OpCheck.check("indexSelect dim " + dim + type, t -> t[0].indexSelect(dim, t[1]),
                        r -> RefShapeOps.indexSelect(r[0], dim, RefIndexOps.longs(r[1])), x, ix);
            }
            OpCheck.check("indexSelect of a transpose" + type, t -> t[0].transpose(0, 1).indexSelect(1, t[1]),
                    r -> RefShapeOps.indexSelect(RefShapeOps.transpose(r[0], 0, 1), 1, RefIndexOps.longs(r[1])), x, index.narrow(0, 0, 4));
        }
        // a strided index (every other element) and a 0-d index
        Tensor strided = longs(new long[] {3, 9, 0, 9, 3}, 5).slice(0, 0, 5, 2);
        OpCheck.check("indexSelect with a strided index", t -> t[0].indexSelect(0, t[1]),
                r -> RefShapeOps.indexSelect(r[0], 0, new long[] {3, 0, 3}), x, strided);
        OpCheck.check("indexSelect with a 0-d index", t -> t[0].indexSelect(1, t[1]),
                r -> RefShapeOps.indexSelect(r[0], 1, new long[] {4}), x, Tensor.scalar(4, DType.INT64));
        OpCheck.check("indexSelect with an empty index", t -> t[0].indexSelect(0, t[1]),
                r -> RefShapeOps.indexSelect(r[0], 0, new long[0]), x, Tensor.zeros(DType.INT64, 0));
        // repeated indices accumulate in the gradient, exactly
        Tensor leaf = Tensor.zeros(3, 2).requiresGrad(true);
        leaf.indexSelect(0, longs(new long[] {1, 1, 1, 0}, 4)).sum().backward();
        assertArrayEquals(new float[] {1, 1, 3, 3, 0, 0}, leaf.grad().toFloatArray());
    }

    // ---------------------------------------------------------------- gather

    @Test
    void gather() {
        Tensor x = randn(3, 4);
        long[] i1 = {3, 0, 0, 1, 2, 2, 3, 3, 1};
        OpCheck.check("gather dim 1", t -> t[0].gather(1, t[1]), r -> RefShapeOps.gather(r[0], 1, r[1]), x, longs(i1, 3, 3));
        OpCheck.check("gather dim 1 int32", t -> t[0].gather(1, t[1]), r -> RefShapeOps.gather(r[0], 1, r[1]), x, ints(i1, 3, 3));
        long[] i0 = {2, 0, 1, 1, 0, 0, 2, 2};
        OpCheck.check("gather dim 0", t -> t[0].gather(0, t[1]), r -> RefShapeOps.gather(r[0], 0, r[1]), x, longs(i0, 2, 4));
        OpCheck.check("gather dim -2, smaller index", t -> t[0].gather(-2, t[1]), r -> RefShapeOps.gather(r[0], 0, r[1]), x, longs(new long[] {2, 2, 0}, 1, 3));
        OpCheck.check("gather of a transpose", t -> t[0].t().gather(1, t[1]),
                r -> RefShapeOps.gather(RefShapeOps.transpose(r[0], 0, 1), 1, r[1]), x, longs(new long[] {0, 2, 1, 1, 2, 2, 0, 0}, 4, 2));
        OpCheck.check("gather with a transposed index", t -> t[0].gather(1, t[1].t()),
                r -> RefShapeOps.gather(r[0], 1, RefShapeOps.transpose(r[1], 0, 1)), x, longs(new long[] {0, 3, 2, 1, 1, 0}, 2, 3));
        Tensor x3 = randn(2, 3, 4);
        long[] i3 = {0, 3, 3, 1, 2, 0, 1, 1, 3, 2, 2, 0};
        OpCheck.check("gather 3-D dim 2", t -> t[0].gather(2, t[1]), r -> RefShapeOps.gather(r[0], 2, r[1]), x3, longs(i3, 2, 3, 2));
        OpCheck.check("gather 3-D dim 1", t -> t[0].gather(1, t[1]), r -> RefShapeOps.gather(r[0], 1, r[1]), x3,
                longs(new long[] {2, 0, 1, 1, 0, 2, 2, 2}, 2, 1, 4));
        // a gradient hits the same element repeatedly: it accumulates
        Tensor leaf = Tensor.zeros(2, 2).requiresGrad(true);
        leaf.gather(1, longs(new long[] {1, 1, 1, 0, 0, 0}, 2, 3)).sum().backward();
        assertArrayEquals(new float[] {0, 3, 3, 0}, leaf.grad().toFloatArray());
    }

    // ---------------------------------------------------------------- scatterAdd

    @Test
    void scatterAddAccumulatesDuplicates() {
        Tensor self = randn(3, 4);
        Tensor src = randn(3, 3);
        long[] i1 = {1, 1, 3, 0, 0, 0, 2, 3, 2};
        OpCheck.check("scatterAdd dim 1 (self and src gradients)", t -> t[0].scatterAdd(1, t[1], t[2]),
                r -> RefShapeOps.scatterAdd(r[0], 1, r[1], r[2]), self, longs(i1, 3, 3), src);
        OpCheck.check("scatterAdd dim 0", t -> t[0].scatterAdd(0, t[1], t[2]),
                r -> RefShapeOps.scatterAdd(r[0], 0, r[1], r[2]), self, ints(new long[] {2, 2, 0, 1, 2, 2, 2, 2}, 2, 4), randn(2, 4));
        // src larger than index: only its leading corner is used, the rest gets no gradient
        OpCheck.check("scatterAdd with a larger src", t -> t[0].scatterAdd(1, t[1], t[2]),
                r -> RefShapeOps.scatterAdd(r[0], 1, r[1], RefShapeOps.slice(RefShapeOps.slice(r[2], 0, 0, 2, 1), 1, 0, 2, 1)),
                self, longs(new long[] {3, 3, 0, 1}, 2, 2), randn(3, 5));
        OpCheck.check("scatterAdd into a transpose from a strided src", t -> t[0].t().scatterAdd(0, t[1], OpCheck.strided(t[2])),
                r -> RefShapeOps.scatterAdd(RefShapeOps.transpose(r[0], 0, 1), 0, r[1], r[2]), self,
                longs(new long[] {2, 0, 1, 2, 2, 2}, 2, 3), randn(2, 3));
        // the result is a new tensor: self is unchanged
        Tensor before = self.contiguousCopy();
        Tensor out = self.scatterAdd(1, longs(i1, 3, 3), src);
        assertArrayEquals(before.toFloatArray(), self.toFloatArray());
        assertEquals(self.get(0, 1) + src.get(0, 0) + src.get(0, 1), out.get(0, 1), 1e-6, "duplicate indices accumulate");
        // exact accumulation into integers
        Tensor counts = Tensor.zeros(DType.INT64, 4).scatterAdd(0, longs(new long[] {1, 3, 1, 1, 0}, 5), Tensor.ones(DType.INT64, 5));
        assertArrayEquals(new long[] {1, 3, 0, 1}, counts.toLongArray());
    }

    // ---------------------------------------------------------------- oneHot

    @Test
    void oneHot() {
        long[] labels = {2, 0, 1, 2, 2, 4};
        Tensor l = longs(labels, 2, 3);
        Tensor h = l.oneHot(5);
        assertEquals(DType.INT64, h.dtype());
        assertArrayEquals(new long[] {2, 3, 5}, h.shape().toArray());
        OpCheck.assertClose("oneHot", RefShapeOps.oneHot(labels, new long[] {2, 3}, 5), Ref.of(h), 0, 0);
        OpCheck.assertClose("oneHot int32", RefShapeOps.oneHot(labels, new long[] {6}, 5), Ref.of(ints(labels, 6).oneHot(5)), 0, 0);
        OpCheck.assertClose("oneHot of a transpose", RefShapeOps.oneHot(new long[] {2, 2, 0, 2, 1, 4}, new long[] {3, 2}, 5),
                Ref.of(l.t().oneHot(5)), 0, 0);
        assertArrayEquals(new long[] {0, 1, 0}, Tensor.scalar(1, DType.INT64).oneHot(3).toLongArray());
        assertArrayEquals(new long[] {0, 3}, Tensor.zeros(DType.INT64, 0).oneHot(3).shape().toArray());
        assertMessage(IndexOutOfBoundsException.class, () -> l.oneHot(4), "oneHot", "4", "size 4");
        assertMessage(IndexOutOfBoundsException.class, () -> longs(new long[] {0, -1}, 2).oneHot(3), "oneHot", "-1", "size 3");
        assertMessage(IllegalArgumentException.class, () -> l.oneHot(0), "oneHot", "0");
        assertMessage(IllegalArgumentException.class, () -> randn(3).oneHot(3), "oneHot", "float32");
    }

    @Test
    void zeroDimInputs() {
        Tensor s = Tensor.scalar(2.5);
        Tensor i0 = Tensor.scalar(0, DType.INT64);
        OpCheck.check("indexSelect of a 0-d tensor", t -> t[0].indexSelect(0, t[1]), r -> r[0], s, longs(new long[] {0}, 1));
        OpCheck.check("indexSelect of a 0-d tensor, 0-d index", t -> t[0].indexSelect(-1, t[1]), r -> r[0], s, i0);
        assertMessage(IllegalArgumentException.class, () -> s.indexSelect(0, longs(new long[] {0, 0}, 2)), "indexSelect", "0-dim", "2");
        assertMessage(IndexOutOfBoundsException.class, () -> s.indexSelect(0, longs(new long[] {1}, 1)), "indexSelect", "1", "size 1");
        OpCheck.check("gather of a 0-d tensor", t -> t[0].gather(0, t[1]), r -> r[0], s, i0);
        OpCheck.check("scatterAdd into a 0-d tensor", t -> t[0].scatterAdd(0, t[1], t[2]),
                r -> new Ref(new double[] {r[0].data[0] + r[2].data[0]}), s, i0, Tensor.scalar(-4));
        assertMessage(IndexOutOfBoundsException.class, () -> s.gather(0, Tensor.scalar(1, DType.INT64)), "gather", "1", "size 1");
        assertMessage(IllegalArgumentException.class, () -> s.gather(0, longs(new long[] {0}, 1)), "gather", "rank");
    }

    // ---------------------------------------------------------------- bad indices

    /** A bad index must throw before any memory is touched: the input and a canary tensor are unchanged. */
    private void assertRefused(String op, Supplier<Tensor> call, Tensor... untouched) {
        Tensor canary = Tensor.full(42, 1000);
        float[][] before = new float[untouched.length][];
        for (int i = 0; i < untouched.length; i++) {
            before[i] = untouched[i].toFloatArray();
        }
        long[] liveBefore = {dev.panamax.backend.Storage.liveCount()};
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, call::get, op);
        assertTrue(e.getMessage().startsWith(op + ":"), e.getMessage());
        for (int i = 0; i < untouched.length; i++) {
            assertArrayEquals(before[i], untouched[i].toFloatArray(), op + " changed an input before refusing");
        }
        for (float v : canary.toFloatArray()) {
            assertEquals(42f, v);
        }
        assertTrue(dev.panamax.backend.Storage.liveCount() <= liveBefore[0] + 2, op + " left tensors allocated after refusing");
    }

    @Test
    void outOfRangeIndicesThrowNamingTheOpIndexAndSize() {
        Tensor x = randn(3, 4);
        Tensor src = randn(2, 2);
        for (long bad : new long[] {-1, 3, 4, -4, 1L << 40, (1L << 53) + 1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            String b = Long.toString(bad);
            assertMessage(IndexOutOfBoundsException.class, () -> x.indexSelect(0, longs(new long[] {0, bad, 1}, 3)), "indexSelect", b, "size 3");
            assertMessage(IndexOutOfBoundsException.class, () -> x.gather(0, longs(new long[] {0, 1, bad, 2}, 1, 4)), "gather", b, "size 3");
            assertMessage(IndexOutOfBoundsException.class, () -> x.scatterAdd(0, longs(new long[] {bad, 0, 1, 2}, 2, 2), src),
                    "scatterAdd", b, "size 3");
            assertRefused("indexSelect", () -> x.indexSelect(0, longs(new long[] {bad}, 1)), x);
            assertRefused("scatterAdd", () -> x.scatterAdd(0, longs(new long[] {bad, 0, 1, 2}, 2, 2), src), x, src);
            assertRefused("gather", () -> x.gather(0, longs(new long[] {bad}, 1, 1)), x);
        }
        // == size along the indexed dim, for dim 1 and int32 indices
        assertMessage(IndexOutOfBoundsException.class, () -> x.indexSelect(1, ints(new long[] {4}, 1)), "indexSelect", "4", "size 4");
        assertMessage(IndexOutOfBoundsException.class, () -> x.gather(1, ints(new long[] {4}, 1, 1)), "gather", "4", "size 4");
        assertMessage(IndexOutOfBoundsException.class, () -> x.indexSelect(-1, ints(new long[] {-1}, 1)), "indexSelect", "-1", "size 4");
        // only the part of a strided index that is seen counts
        assertEquals(2, x.indexSelect(0, longs(new long[] {0, 99, 2, 99}, 4).slice(0, 0, 4, 2)).size(0));
    }

    @Test
    void badArguments() {
        Tensor x = randn(3, 4);
        assertMessage(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.of(new float[] {0, 1}, 2)), "indexSelect", "index", "float32");
        assertMessage(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.of(new boolean[] {true}, 1)), "indexSelect", "bool");
        assertMessage(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(new double[] {0}, 1, 1)), "gather", "float64");
        assertMessage(IllegalArgumentException.class, () -> x.scatterAdd(1, Tensor.of(new float[] {0}, 1, 1), randn(1, 1)), "scatterAdd", "float32");
        assertMessage(IllegalArgumentException.class, () -> x.indexSelect(0, longs(new long[] {0, 1, 2, 0}, 2, 2)), "indexSelect", "[2, 2]");
        assertMessage(IllegalArgumentException.class, () -> x.indexSelect(2, longs(new long[] {0}, 1)), "indexSelect", "dim 2", "rank 2");
        assertMessage(IllegalArgumentException.class, () -> x.gather(1, longs(new long[] {0, 1}, 2)), "gather", "rank", "[2]", "[3, 4]");
        assertMessage(IllegalArgumentException.class, () -> x.gather(1, longs(new long[8], 4, 2)), "gather", "[4, 2]", "[3, 4]", "dim 0");
        assertMessage(IllegalArgumentException.class, () -> x.gather(-3, longs(new long[] {0}, 1, 1)), "gather", "dim -3");
        assertMessage(IllegalArgumentException.class, () -> x.scatterAdd(0, longs(new long[] {0}, 1, 1), randn(1)), "scatterAdd", "src", "[1]");
        assertMessage(IllegalArgumentException.class, () -> x.scatterAdd(0, longs(new long[4], 2, 2), randn(1, 2)), "scatterAdd", "[2, 2]", "[1, 2]");
        assertMessage(IllegalArgumentException.class, () -> x.scatterAdd(0, longs(new long[10], 2, 5), randn(2, 5)), "scatterAdd", "[2, 5]", "[3, 4]");
    }
}
