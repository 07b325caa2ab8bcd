package dev.panamax.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TensorDatasetTest {
    @Test
    void getAndBatchReadTheRows() {
        try (Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 4, 3); Tensor y = Tensor.of(new long[] {5, 6, 7, 8}, 4);
             TensorDataset data = new TensorDataset(x, y)) {
            assertEquals(4, data.size());
            try (Sample s = data.get(2)) {
                assertArrayEquals(new float[] {6, 7, 8}, s.input().toFloatArray());
                assertEquals(7, s.classIndex());
                assertEquals(0, s.label().rank());
            }
            try (Batch b = data.batch(new long[] {3, 0, 3})) {
                assertArrayEquals(new float[] {9, 10, 11, 0, 1, 2, 9, 10, 11}, b.inputs().toFloatArray());
                assertArrayEquals(new long[] {8, 5, 8}, b.labels().toLongArray());
            }
        }
    }

    @Test
    void theDatasetKeepsItsOwnReferences() {
        Tensor x = Tensor.ones(3, 2);
        Tensor y = Tensor.zeros(DType.INT64, 3);
        TensorDataset data = new TensorDataset(x, y);
        x.close();
        y.close();
        try (Sample s = data.get(1)) {
            assertArrayEquals(new float[] {1, 1}, s.input().toFloatArray());
        }
        assertFalse(data.inputs().isClosed());
        data.close();
        assertTrue(data.inputs().isClosed());
    }

    @Test
    void nonContiguousInputsWork() {
        try (Tensor base = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3); Tensor x = base.t();
             Tensor y = Tensor.of(new long[] {1, 2, 3}, 3); TensorDataset data = new TensorDataset(x, y);
             Batch b = data.batch(new long[] {2, 1})) {
            assertArrayEquals(new float[] {2, 5, 1, 4}, b.inputs().toFloatArray());
        }
    }

    @Test
    void badInputsNameTheShapesAndIndices() {
        try (Tensor x = Tensor.zeros(4, 2); Tensor y = Tensor.zeros(DType.INT64, 3); Tensor s = Tensor.scalar(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TensorDataset(x, y));
            assertTrue(e.getMessage().contains("TensorDataset") && e.getMessage().contains("float32[4, 2]")
                    && e.getMessage().contains("hold 4 samples but labels int64[3] hold 3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new TensorDataset(s, y));
            assertTrue(e.getMessage().contains("at least one dim"), e.getMessage());
        }
        try (Tensor x = Tensor.zeros(3, 2); Tensor y = Tensor.zeros(DType.INT64, 3); TensorDataset data = new TensorDataset(x, y)) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> data.get(3));
            assertTrue(e.getMessage().contains("TensorDataset.get: index 3 is out of range for 3 samples"), e.getMessage());
            e = assertThrows(IndexOutOfBoundsException.class, () -> data.batch(new long[] {0, -1}));
            assertTrue(e.getMessage().contains("TensorDataset.batch: index -1"), e.getMessage());
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> data.batch(new long[0]));
            assertTrue(empty.getMessage().contains("no indices"), empty.getMessage());
        }
    }
}
