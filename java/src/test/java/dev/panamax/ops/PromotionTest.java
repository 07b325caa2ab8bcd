package dev.panamax.ops;

import static dev.panamax.testing.RefPointwise.assertMessage;
import static dev.panamax.testing.RefPointwise.assertValues;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Result types of pointwise ops, checked against PyTorch's (torch.result_type): tensor-tensor
 * promotion, 0-d tensors and plain numbers that do not widen, integer ops that stay integer,
 * and bool arithmetic that PyTorch rejects.
 */
class PromotionTest {
    private static Tensor t(DType dtype, double... v) {
        try (Tensor d = Tensor.of(v, v.length)) {
            return d.to(dtype);
        }
    }

    private static Tensor s(DType dtype, double v) {
        return Tensor.scalar(v, dtype);
    }

    private static void assertType(String what, DType expected, Tensor r) {
        assertEquals(expected, r.dtype(), what);
    }

    @Test
    void tensorTensorPromotion() {
        try (Scope ignored = Scope.open()) {
            DType[][] table = { // a, b, a + b
                {DType.FLOAT32, DType.FLOAT64, DType.FLOAT64},
                {DType.INT32, DType.INT64, DType.INT64},
                {DType.INT32, DType.FLOAT32, DType.FLOAT32},
                {DType.INT64, DType.FLOAT32, DType.FLOAT32},
                {DType.INT64, DType.FLOAT64, DType.FLOAT64},
                {DType.BOOL, DType.INT32, DType.INT32},
                {DType.BOOL, DType.FLOAT32, DType.FLOAT32},
                {DType.UINT8, DType.INT32, DType.INT32},
                {DType.BOOL, DType.UINT8, DType.UINT8},
            };
            for (DType[] row : table) {
                Tensor a = t(row[0], 1, 0, 1);
                Tensor b = t(row[1], 2, 3, 4);
                String what = row[0].pyName() + " op " + row[1].pyName();
                assertType(what + " (add)", row[2], a.add(b));
                assertType(what + " (add, swapped)", row[2], b.add(a));
                assertType(what + " (mul)", row[2], a.mul(b));
                assertType(what + " (maximum)", row[2], a.maximum(b));
                assertType(what + " (where)", row[2], Tensor.where(t(DType.BOOL, 1, 0, 1), a, b));
                assertValues(what + " (add values)", new double[] {3, 3, 5}, a.add(b));
                assertType(what + " (div)", row[2].isFloatingPoint() ? row[2] : DType.FLOAT32, a.div(b));
            }
            // float32 + float64 is computed in float64 (no float32 rounding of the sum)
            Tensor f32 = t(DType.FLOAT32, 1);
            Tensor f64 = t(DType.FLOAT64, 1e-10);
            assertValues("float32 + float64 in float64", new double[] {1 + 1e-10}, f32.add(f64));
        }
    }

    @Test
    void zeroDimTensorsDoNotWidenTensorsOfTheirCategory() {
        try (Scope ignored = Scope.open()) {
            Tensor f32 = t(DType.FLOAT32, 1, 2);
            Tensor i32 = t(DType.INT32, 1, 2);
            Tensor b = t(DType.BOOL, 1, 0);
            assertType("float32 tensor * 0-d float64", DType.FLOAT32, f32.mul(s(DType.FLOAT64, 2.5)));
            assertType("0-d float64 * float32 tensor", DType.FLOAT32, s(DType.FLOAT64, 2.5).mul(f32));
            assertType("float32 tensor + 0-d int64", DType.FLOAT32, f32.add(s(DType.INT64, 3)));
            assertType("int32 tensor + 0-d int64", DType.INT32, i32.add(s(DType.INT64, 3)));
            // a 0-d operand of a higher category does promote (torch: int32 tensor + tensor(1.5, float64) is float64)
            assertType("int32 tensor + 0-d float64", DType.FLOAT64, i32.add(s(DType.FLOAT64, 1.5)));
            assertType("int32 tensor + 0-d float32", DType.FLOAT32, i32.add(s(DType.FLOAT32, 1.5)));
            assertType("bool tensor + 0-d int32", DType.INT32, b.add(s(DType.INT32, 1)));
            assertValues("bool tensor + 0-d int32", new double[] {2, 1}, b.add(s(DType.INT32, 1)));
            assertType("bool tensor * 0-d int64", DType.INT64, b.mul(s(DType.INT64, 3)));
            assertType("0-d float64 + 0-d float32", DType.FLOAT64, s(DType.FLOAT64, 1).add(s(DType.FLOAT32, 1)));
            assertType("0-d int64 + 0-d float32", DType.FLOAT32, s(DType.INT64, 1).add(s(DType.FLOAT32, 1)));
            assertType("where(cond, 0-d float64, float32)", DType.FLOAT32, Tensor.where(t(DType.BOOL, 1, 0), s(DType.FLOAT64, 1), f32));
        }
    }

    @Test
    void plainNumbersDoNotWiden() {
        try (Scope ignored = Scope.open()) {
            Tensor f32 = t(DType.FLOAT32, 1, 2);
            Tensor i32 = t(DType.INT32, 1, 2);
            Tensor i64 = t(DType.INT64, 1, 2);
            assertType("float32 * 2.5", DType.FLOAT32, f32.mul(2.5));
            assertType("float32 + 1e300", DType.FLOAT32, f32.add(1e300));
            assertValues("float32 + 1e300 overflows in float32", new double[] {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY}, f32.add(1e300));
            assertType("int32 * 2.5", DType.FLOAT32, i32.mul(2.5));
            assertValues("int32 * 2.5", new double[] {2.5, 5}, i32.mul(2.5));
            assertType("int64 - 0.5", DType.FLOAT32, i64.sub(0.5));
            // a whole number keeps the integer type (Java cannot tell 2 from 2.0; PyTorch's int * 2.0 would be float32)
            assertType("int32 * 2", DType.INT32, i32.mul(2));
            assertType("int64 + 3", DType.INT64, i64.add(3));
            assertType("int32 / 2", DType.FLOAT32, i32.div(2));
            assertValues("int32 / 2", new double[] {0.5, 1}, i32.div(2));
            assertType("bool + 1.5", DType.FLOAT32, t(DType.BOOL, 1, 0).add(1.5));
            assertValues("bool + 1.5", new double[] {2.5, 1.5}, t(DType.BOOL, 1, 0).add(1.5));
            assertType("bool * 3", DType.INT64, t(DType.BOOL, 1, 0).mul(3));
            assertType("int32 < 1.5", DType.BOOL, i32.lt(1.5));
        }
    }

    @Test
    void integerArithmeticStaysIntegerAndExact() {
        for (DType it : new DType[] {DType.INT32, DType.INT64}) {
            try (Scope ignored = Scope.open()) {
                Tensor a = t(it, 7, -7, 0, 123456, -5);
                Tensor b = t(it, 2, 3, -4, 1000, -5);
                String n = it.pyName();
                record Bin(String name, BinaryOperator<Tensor> op, double[] expected) {}
                for (Bin op : new Bin[] {
                    new Bin("add", Tensor::add, new double[] {9, -4, -4, 124456, -10}),
                    new Bin("sub", Tensor::sub, new double[] {5, -10, 4, 122456, 0}),
                    new Bin("mul", Tensor::mul, new double[] {14, -21, 0, 123456000, 25}),
                    new Bin("maximum", Tensor::maximum, new double[] {7, 3, 0, 123456, -5}),
                    new Bin("minimum", Tensor::minimum, new double[] {2, -7, -4, 1000, -5})}) {
                    Tensor r = op.op().apply(a, b);
                    assertType(n + " " + op.name(), it, r);
                    assertValues(n + " " + op.name(), op.expected(), r);
                }
                record Un(String name, UnaryOperator<Tensor> op, double[] expected) {}
                for (Un op : new Un[] {
                    new Un("neg", Tensor::neg, new double[] {-7, 7, 0, -123456, 5}),
                    new Un("abs", Tensor::abs, new double[] {7, 7, 0, 123456, 5}),
                    new Un("sign", Tensor::sign, new double[] {1, -1, 0, 1, -1}),
                    new Un("relu", Tensor::relu, new double[] {7, 0, 0, 123456, 0}),
                    new Un("square", Tensor::square, new double[] {49, 49, 0, 15241383936.0, 25}),
                    new Un("clamp", x -> x.clamp(-5, 100), new double[] {7, -5, 0, 100, -5}),
                    new Un("clampMin", x -> x.clampMin(0), new double[] {7, 0, 0, 123456, 0})}) {
                    if (op.name().equals("square") && it == DType.INT32) {
                        continue; // 123456^2 overflows int32; see int32Overflow
                    }
                    Tensor r = op.op().apply(a);
                    assertType(n + " " + op.name(), it, r);
                    assertValues(n + " " + op.name(), op.expected(), r);
                }
                // true division and transcendental functions compute in float32
                assertType(n + " / " + n, DType.FLOAT32, a.div(b));
                assertValues(n + " / " + n, new double[] {3.5, (float) (-7.0 / 3), -0.0, 123.456f, 1}, a.div(b));
                for (UnaryOperator<Tensor> f : java.util.List.<UnaryOperator<Tensor>>of(Tensor::exp, Tensor::log, Tensor::sqrt,
                        Tensor::sigmoid, Tensor::tanh, x -> x.pow(2))) {
                    assertType(n + " transcendental", DType.FLOAT32, f.apply(a));
                }
                assertValues(n + " exp", new double[] {(float) Math.exp(7), (float) Math.exp(-7), 1, Double.POSITIVE_INFINITY, (float) Math.exp(-5)},
                        t(it, 7, -7, 0, 123456, -5).exp());
            }
        }
    }

    @Test
    void integerClampWithFractionalBoundsIsFloat() {
        // PyTorch: int32 [0, 2, -3].clamp(min=0.5) is float32 [0.5, 2, 0.5]; whole bounds keep int32
        try (Scope ignored = Scope.open()) {
            Tensor i = t(DType.INT32, 0, 2, -3);
            Tensor a = i.clampMin(0.5);
            assertType("int32 clampMin(0.5)", DType.FLOAT32, a);
            assertValues("int32 clampMin(0.5)", new double[] {0.5, 2, 0.5}, a);
            Tensor b = i.clampMax(1.5);
            assertType("int32 clampMax(1.5)", DType.FLOAT32, b);
            assertValues("int32 clampMax(1.5)", new double[] {0, 1.5, -3}, b);
            Tensor c = i.clamp(0, 1);
            assertType("int32 clamp(0, 1)", DType.INT32, c);
            assertValues("int32 clamp(0, 1)", new double[] {0, 1, 0}, c);
            assertType("int64 clampMin(-1)", DType.INT64, t(DType.INT64, 0, 2, -3).clampMin(-1));
        }
    }

    @Test
    void int32OverflowWrapsAround() {
        // PyTorch (two's complement): INT_MAX + 1 = INT_MIN, -INT_MIN = INT_MIN, |INT_MIN| = INT_MIN
        try (Scope ignored = Scope.open()) {
            Tensor a = Tensor.of(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 65536}, 3);
            Tensor b = Tensor.of(new int[] {1, -1, 65536}, 3);
            assertArrayEquals(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE, 131072}, a.add(b).toIntArray(), "int32 add wraps");
            assertArrayEquals(new int[] {Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1, 0}, a.sub(b).toIntArray(), "int32 sub wraps");
            assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 0}, a.mul(b).toIntArray(), "int32 mul wraps (65536^2 = 2^32 = 0)");
            assertArrayEquals(new int[] {-Integer.MAX_VALUE, Integer.MIN_VALUE, -65536}, a.neg().toIntArray(), "int32 neg wraps");
            assertArrayEquals(new int[] {Integer.MAX_VALUE, Integer.MIN_VALUE, 65536}, a.abs().toIntArray(), "int32 abs wraps");
        }
    }

    @Test
    void boolArithmetic() {
        try (Scope ignored = Scope.open()) {
            Tensor b = t(DType.BOOL, 1, 0, 1);
            Tensor c = t(DType.BOOL, 1, 1, 0);
            assertType("bool + bool", DType.BOOL, b.add(c));
            assertValues("bool + bool (logical or)", new double[] {1, 1, 1}, b.add(c));
            assertType("bool * bool", DType.BOOL, b.mul(c));
            assertValues("bool * bool (logical and)", new double[] {1, 0, 0}, b.mul(c));
            assertType("bool / bool", DType.FLOAT32, b.div(c));
            assertValues("bool / bool", new double[] {1, 0, Double.POSITIVE_INFINITY}, b.div(c));
            assertType("maximum(bool, bool)", DType.BOOL, b.maximum(c));
        }
    }

    @Test
    void boolArithmeticThatPyTorchRejects() {
        try (Scope ignored = Scope.open()) {
            Tensor b = t(DType.BOOL, 1, 0);
            Tensor f = t(DType.FLOAT32, 1, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.sub(b));
            assertMessage(e, "sub", "bool[2]");
            e = assertThrows(IllegalArgumentException.class, () -> b.sub(1));
            assertMessage(e, "sub", "bool[2]");
            e = assertThrows(IllegalArgumentException.class, () -> f.sub(b));
            assertMessage(e, "sub", "bool[2]");
            e = assertThrows(IllegalArgumentException.class, () -> b.neg());
            assertMessage(e, "neg", "bool[2]");
            e = assertThrows(IllegalArgumentException.class, () -> b.abs());
            assertMessage(e, "abs", "bool[2]");
            e = assertThrows(IllegalArgumentException.class, () -> b.relu());
            assertMessage(e, "relu", "bool[2]");
        }
    }

    @Test
    void mixedFloatGradientsComeBackInEachInputsType() {
        try (Scope ignored = Scope.open()) {
            Tensor a = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
            Tensor b = t(DType.FLOAT64, 0.5, 0.25, 4).requiresGrad(true);
            Tensor y = a.mul(b);
            assertType("float32 * float64", DType.FLOAT64, y);
            y.sum().backward();
            assertType("grad of the float32 input", DType.FLOAT32, a.grad());
            assertType("grad of the float64 input", DType.FLOAT64, b.grad());
            assertValues("grad a", new double[] {0.5, 0.25, 4}, a.grad());
            assertValues("grad b", new double[] {1, 2, 3}, b.grad());
            // a 0-d float64 factor keeps the float32 result, and its own gradient is float64 and summed
            Tensor k = s(DType.FLOAT64, 3).requiresGrad(true);
            Tensor z = a.mul(k);
            assertType("float32 * 0-d float64", DType.FLOAT32, z);
            z.sum().backward();
            assertType("grad of the 0-d float64", DType.FLOAT64, k.grad());
            assertValues("grad k", new double[] {6}, k.grad());
        }
    }

    @Test
    void inPlaceOpsCannotNarrowTheCategory() {
        // PyTorch: "result type Float can't be cast to the desired output type Int"
        try (Scope ignored = Scope.open()) {
            Tensor i = t(DType.INT32, 1, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> i.add_(2.5));
            assertMessage(e, "add_", "float32", "int32");
            e = assertThrows(IllegalArgumentException.class, () -> i.mul_(t(DType.FLOAT64, 1, 1)));
            assertMessage(e, "mul_", "float64", "int32");
            e = assertThrows(IllegalArgumentException.class, () -> i.div_(t(DType.INT32, 1, 1)));
            assertMessage(e, "div_", "float32", "int32");
            e = assertThrows(IllegalArgumentException.class, () -> t(DType.BOOL, 1, 0).add_(t(DType.INT64, 1, 1)));
            assertMessage(e, "add_", "int64", "bool");
            assertValues("int32 add_ 3 is fine", new double[] {4, 5}, i.add_(3));
            assertValues("int32 add_ int64 is fine", new double[] {5, 6}, i.add_(t(DType.INT64, 1, 1)));
            Tensor f = t(DType.FLOAT32, 1, 2);
            assertValues("float32 mul_ float64 is fine", new double[] {0.5, 1}, f.mul_(t(DType.FLOAT64, 0.5, 0.5)));
        }
    }
}
