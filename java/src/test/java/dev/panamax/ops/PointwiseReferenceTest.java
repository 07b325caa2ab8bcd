package dev.panamax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.testing.Ref;
import dev.panamax.testing.RefPointwise;
import org.junit.jupiter.api.Test;

/** The references themselves, against values from elsewhere (CPython's math.erf / math.erfc, PyTorch). */
class PointwiseReferenceTest {
    @Test
    void erfAndErfcMatchCPython() {
        double[][] table = { // x, math.erf(x), math.erfc(x)
            {0.0, 0.0, 1.0},
            {0.1, 0.1124629160182849, 0.8875370839817152},
            {0.5, 0.5204998778130465, 0.4795001221869535},
            {1.0, 0.8427007929497149, 0.15729920705028513},
            {2.0, 0.9953222650189527, 0.004677734981047265},
            {2.4, 0.999311486103355, 0.0006885138966450789},
            {2.6, 0.9997639655834707, 0.00023603441652934908},
            {3.0, 0.9999779095030014, 2.2090496998585438e-05},
            {4.5, 0.9999999998033839, 1.9661604415428873e-10},
            {6.0, 1.0, 2.1519736712498916e-17},
            {-1.3, -0.9340079449406524, 1.9340079449406524},
        };
        for (double[] row : table) {
            assertEquals(row[1], RefPointwise.erf(row[0]), 2e-16 + 1e-14 * Math.abs(row[1]), "erf(" + row[0] + ")");
            // erfc below 2.5 is 1 - erf: absolute accuracy ~1e-16, relative ~1e-13 near 2.5
            assertEquals(row[2], RefPointwise.erfc(row[0]), 1e-16 + 1e-14 * Math.abs(row[2]) / (row[0] <= 2.5 ? 1e-2 : 1), "erfc(" + row[0] + ")");
        }
        assertEquals(1.0, RefPointwise.erf(Double.POSITIVE_INFINITY));
        assertEquals(0.0, RefPointwise.erfc(Double.POSITIVE_INFINITY));
    }

    @Test
    void activationsMatchPyTorchValues() {
        // torch.nn.functional in float64
        assertEquals(-0.15865525393145702, RefPointwise.gelu(-1.0), 1e-15);
        assertEquals(1.9544997361036416, RefPointwise.gelu(2.0), 1e-15);
        assertEquals(-0.15880800939172324, RefPointwise.geluTanh(-1.0), 1e-15);
        assertEquals(-1.1113307378125625, RefPointwise.selu(-1.0), 1e-15);
        assertEquals(9.357622968839737e-14, RefPointwise.softplus(-30, 1, 20), 1e-26);
        assertEquals(0.7310585786300049, RefPointwise.sigmoid(1), 1e-16);
    }

    @Test
    void softmaxRowsSumToOne() {
        Ref x = new Ref(new double[] {1e4, -1e4, 3, 0, 1, 2}, 2, 3);
        Ref y = RefPointwise.softmax(x, 1, false);
        assertEquals(1.0, y.data[0] + y.data[1] + y.data[2], 1e-15);
        assertEquals(1.0, y.data[3] + y.data[4] + y.data[5], 1e-15);
        Ref l = RefPointwise.softmax(x, 0, true);
        assertEquals(0.0, Math.exp(l.data[0]) + Math.exp(l.data[3]) - 1, 1e-15);
    }
}
