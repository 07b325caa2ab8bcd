package dev.panamax.cuda;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.ScopePerTest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every elementwise op on CUDA against the CPU backend: forward, backward, broadcasting, strided views, odd sizes. */
@Tag("gpu")
@ExtendWith(ScopePerTest.class)
class CudaPointwiseGpuTest {
    private static Tensor randn(long seed, long... shape) {
        return Tensor.randn(new Generator(seed), shape);
    }

    private static Map<String, Function<Tensor, Tensor>> unaryOps() {
        Map<String, Function<Tensor, Tensor>> m = new LinkedHashMap<>();
        m.put("neg", Tensor::neg);
        m.put("exp", Tensor::exp);
        m.put("log", x -> x.abs().add(0.1).log());
        m.put("log1p", x -> x.abs().log1p());
        m.put("sqrt", x -> x.abs().add(0.1).sqrt());
        m.put("rsqrt", x -> x.abs().add(0.1).rsqrt());
        m.put("abs", Tensor::abs);
        m.put("sign", Tensor::sign);
        m.put("pow 2.5", x -> x.abs().add(0.1).pow(2.5));
        m.put("clamp", x -> x.clamp(-0.5, 0.7));
        m.put("sigmoid", Tensor::sigmoid);
        m.put("tanh", Tensor::tanh);
        m.put("relu", Tensor::relu);
        m.put("leakyRelu", x -> x.leakyRelu(0.1));
        m.put("elu", x -> x.elu(1.3));
        m.put("selu", Tensor::selu);
        m.put("gelu", Tensor::gelu);
        m.put("gelu tanh", x -> x.gelu(true));
        m.put("softplus", x -> x.softplus(2, 1));
        m.put("silu", Tensor::silu);
        m.put("hardtanh", x -> x.hardtanh(-0.4, 0.9));
        m.put("step", x -> x.step(0.5));
        return m;
    }

    @Test
    void everyUnaryOpOnOddContiguousAndStridedShapes() {
        Tensor big = randn(1, 1027); // the dense float32 kernel's 4-wide body and its tail
        Tensor small = randn(2, 3, 5);
        for (var e : unaryOps().entrySet()) {
            Function<Tensor, Tensor> f = e.getValue();
            CudaParity.check(e.getKey(), x -> f.apply(x[0]), big);
            CudaParity.check(e.getKey() + " transposed", x -> f.apply(x[0].t()), small);
            CudaParity.check(e.getKey() + " strided", x -> f.apply(OpCheck.strided(x[0])), small);
        }
    }

    @Test
    void binaryOpsBroadcastOverEveryLayout() {
        Tensor a = randn(3, 4, 1, 5);
        Tensor b = randn(4, 3, 5);
        Tensor bPos = b.abs().add(0.5);
        CudaParity.check("add", x -> x[0].add(x[1]), a, b);
        CudaParity.check("sub", x -> x[0].sub(x[1]), a, b);
        CudaParity.check("mul", x -> x[0].mul(x[1]), a, b);
        CudaParity.check("div", x -> x[0].div(x[1]), a, bPos);
        CudaParity.check("pow", x -> x[0].abs().add(0.1).pow(x[1]), a, b);
        CudaParity.check("maximum", x -> x[0].maximum(x[1]), a, b);
        CudaParity.check("minimum", x -> x[0].minimum(x[1]), a, b);
        CudaParity.check("add permuted", x -> x[0].permute(2, 0, 1).add(x[1].permute(1, 2, 0)), randn(5, 4, 3, 2), randn(6, 3, 2, 4));
        CudaParity.check("mul scalar", x -> x[0].mul(2.5).add(1), randn(7, 1000, 3));
        CudaParity.check("in place", x -> {
            Tensor y = x[0].mul(1.0);
            try (var g = dev.panamax.autograd.GradMode.noGrad()) {
                y.add_(x[1].detach());
            }
            return y;
        }, randn(8, 4, 4), randn(9, 4));
    }

    @Test
    void comparisonsLogicAndWhere() {
        Tensor a = randn(10, 6, 7);
        Tensor b = randn(11, 7);
        CudaParity.checkForward("lt", x -> x[0].lt(x[1]), a, b);
        CudaParity.checkForward("ge", x -> x[0].ge(x[1]), a, b);
        CudaParity.checkForward("eq", x -> x[0].eq(x[0].t().t()), a);
        CudaParity.checkForward("logicalAnd", x -> x[0].gt(0).logicalAnd(x[1].lt(0)), a, b);
        CudaParity.checkForward("logicalNot", x -> x[0].gt(0).logicalNot(), a);
        CudaParity.check("where", x -> Tensor.where(x[0].gt(0), x[0], x[1]), a, b);
        CudaParity.check("maskedFill", x -> x[0].maskedFill(x[0].lt(-0.5), 3), a);
    }

    @Test
    void conversionsAndCopiesKeepEveryBit() {
        var gpu = GpuDevice.get();
        long[] longs = {Long.MAX_VALUE, Long.MIN_VALUE, (1L << 53) + 1, -3};
        try (Tensor l = Tensor.of(longs, 4); Tensor d = l.to(gpu); Tensor back = d.to(dev.panamax.tensor.Device.CPU)) {
            CudaParity.assertSame("int64 round trip", l, back);
        }
        try (Tensor x = randn(12, 5, 6).to(DType.FLOAT64); Tensor g = x.to(gpu); Tensor t = g.t().contiguous();
             Tensor c = x.t().contiguous()) {
            CudaParity.assertSame("float64 transposed copy", c, t);
        }
        for (DType to : DType.values()) {
            CudaParity.checkForward("to " + to.pyName(), x -> x[0].mul(7).to(to), randn(13, 3, 9));
        }
        CudaParity.checkForward("int32 arithmetic wraps", x -> x[0].to(DType.INT32).add(x[0].to(DType.INT32)),
                Tensor.of(new float[] {2e9f, -2e9f, 3, 0}, 4));
    }

    @Test
    void fillArangeAndEmptyTensors() {
        var gpu = GpuDevice.get();
        try (Tensor z = Tensor.full(dev.panamax.tensor.Shape.of(3, 0, 2), 1, DType.FLOAT32, gpu); Tensor s = z.sum()) {
            org.junit.jupiter.api.Assertions.assertEquals(0.0, s.item());
        }
        try (Tensor f = Tensor.full(dev.panamax.tensor.Shape.of(5, 3), -0.0, DType.FLOAT64, gpu)) {
            org.junit.jupiter.api.Assertions.assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(f.get(4, 2)));
        }
        CudaParity.checkForward("fill_ strided", x -> x[0].mul(1.0).t().fill_(2.5), randn(14, 4, 3));
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.INT32}) {
            // creation functions make CPU tensors: reach the GPU's arange through its backend
            try (Tensor c = Tensor.empty(dev.panamax.tensor.Shape.of(37), dtype, dev.panamax.tensor.Device.CPU);
                 Tensor g = Tensor.empty(dev.panamax.tensor.Shape.of(37), dtype, gpu)) {
                c.backend().arange(c.operand(), -3.5, 0.25);
                g.backend().arange(g.operand(), -3.5, 0.25);
                CudaParity.assertSame("arange " + dtype.pyName(), c, g);
            }
        }
    }
}
