package dev.panamax.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Scope;
import org.junit.jupiter.api.Test;

/** Views share storage: writing through one is seen by the other, and nothing is copied. */
class ViewTest {
    @Test
    void viewsShareStorage() {
        try (Scope s = Scope.open()) {
            Tensor base = Tensor.zeros(3, 4);
            Tensor row = base.select(0, 1);
            row.fill_(5);
            assertArrayEquals(new float[] {0, 0, 0, 0, 5, 5, 5, 5, 0, 0, 0, 0}, base.toFloatArray());
            Tensor col = base.narrow(1, 2, 1);
            col.fill_(7);
            assertEquals(7.0, base.get(0, 2));
            Tensor everyOther = base.view(12).slice(0, 0, 12, 2);
            everyOther.fill_(-1);
            assertEquals(-1.0, base.get(2, 0));
            assertArrayEquals(new float[] {-1, 0, -1, 0, -1, 5, -1, 5, -1, 0, -1, 0}, base.toFloatArray());
        }
    }

    @Test
    void stridesOfViews() {
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.zeros(2, 3, 4);
            assertArrayEquals(new long[] {12, 4, 1}, t.strides());
            assertArrayEquals(new long[] {1, 4, 12}, t.permute(2, 1, 0).strides());
            assertArrayEquals(new long[] {12, 1, 4}, t.transpose(1, 2).strides());
            Tensor e = Tensor.zeros(3, 1).expand(3, 5);
            assertArrayEquals(new long[] {1, 0}, e.strides());
            Tensor sliced = t.slice(2, 1, 4, 2);
            assertArrayEquals(new long[] {2, 3, 2}, sliced.shape().toArray());
            assertArrayEquals(new long[] {12, 4, 2}, sliced.strides());
            assertEquals(1, sliced.storageOffset());
            assertArrayEquals(new long[] {2, 1, 3, 4}, t.unsqueeze(1).shape().toArray());
            assertArrayEquals(new long[] {2, 12}, t.flatten(1, 2).shape().toArray());
        }
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.arange(0, 6, 1, DType.FLOAT32).view(2, 3);
            Tensor same = t.contiguous();
            same.fill_(1);
            assertEquals(1.0, t.get(0, 0), "contiguous() of a contiguous tensor shares its storage");
            Tensor tt = t.t();
            assertFalse(tt.isContiguous());
            Tensor copy = tt.contiguous();
            assertTrue(copy.isContiguous());
            copy.fill_(9);
            assertEquals(1.0, t.get(0, 0), "contiguous() of a transposed tensor is a copy");
        }
    }

    @Test
    void reshapeOfATransposeCopies() {
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.arange(0, 6, 1, DType.FLOAT32).view(2, 3).t();
            Tensor r = t.reshape(6);
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.toFloatArray());
        }
    }
}
