package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.FusedRecurrence;
import dev.panamax.backend.Operand;
import dev.panamax.backend.RecurrentSpec;
import dev.panamax.backend.RecurrentWeights;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which stacks take a backend's fused recurrence (cuDNN on CUDA) and which run layer by layer, decided
 * without a GPU: against the CPU backend, which has none, and against a stand-in backend whose fused
 * recurrence accepts what it is told to.
 */
class RecurrentRoutingTest {
    /** A fused recurrence that refuses the specs {@code refuse} names and records every spec it was asked about. */
    private static final class Stub implements FusedRecurrence {
        final List<RecurrentSpec> asked = new ArrayList<>();
        final java.util.function.Function<RecurrentSpec, String> refuse;

        Stub(java.util.function.Function<RecurrentSpec, String> refuse) {
            this.refuse = refuse;
        }

        @Override
        public String unsupported(RecurrentSpec spec) {
            asked.add(spec);
            return refuse.apply(spec);
        }

        @Override
        public RecurrentWeights weights(RecurrentSpec spec) {
            throw new AssertionError("not run");
        }

        @Override
        public long reserveBytes(RecurrentSpec spec, long steps, int[] lengths) {
            throw new AssertionError("not run");
        }

        @Override
        public void forward(RecurrentSpec spec, int[] lengths, Operand x, Operand h0, Operand c0, Operand weights, Operand y, Operand hy,
                            Operand cy, Operand reserve) {
            throw new AssertionError("not run");
        }

        @Override
        public void backwardData(RecurrentSpec spec, int[] lengths, Operand y, Operand dy, Operand h0, Operand dhy, Operand c0, Operand dcy,
                                 Operand weights, Operand reserve, Operand dx, Operand dh0, Operand dc0) {
            throw new AssertionError("not run");
        }

        @Override
        public void backwardWeights(RecurrentSpec spec, int[] lengths, Operand x, Operand h0, Operand y, Operand reserve, Operand dWeights) {
            throw new AssertionError("not run");
        }
    }

    /** A backend that offers {@code fused} and nothing else. */
    private static Backend backendWith(FusedRecurrence fused) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, method, args) ->
                switch (method.getName()) {
                    case "fusedRecurrence" -> fused;
                    case "device" -> Device.cuda(0);
                    default -> throw new AssertionError("the routing called " + method.getName());
                });
    }

    private static Recurrence.Config config(Recurrence.Mode mode, int layers, double dropout, long proj) {
        return new Recurrence.Config(mode, 3, 4, proj, layers, true, true, dropout, true);
    }

    @Test
    void theCpuRunsEveryStackLayerByLayer() {
        Backend cpu = Backends.get(Device.CPU);
        for (Recurrence.Mode mode : Recurrence.Mode.values()) {
            String why = Recurrence.fusedUnavailable(config(mode, 2, 0, 0), cpu, DType.FLOAT32, false);
            assertEquals("the cpu backend has no fused recurrence", why);
        }
    }

    @Test
    void everyCellShapeAndDtypeTakesTheFusedPathWhenTheBackendAcceptsIt() {
        Stub stub = new Stub(spec -> "");
        Backend be = backendWith(stub);
        for (Recurrence.Mode mode : Recurrence.Mode.values()) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                long proj = mode == Recurrence.Mode.LSTM ? 2 : 0;
                assertEquals("", Recurrence.fusedUnavailable(config(mode, 3, 0, proj), be, dtype, true), mode + " " + dtype);
            }
        }
        RecurrentSpec last = stub.asked.get(stub.asked.size() - 1);
        assertEquals(new RecurrentSpec(RecurrentSpec.Cell.GRU, 3, 4, 0, 3, true, true, DType.FLOAT64), last, "the spec the backend sees");
        RecurrentSpec lstm = stub.asked.get(4);
        assertEquals(RecurrentSpec.Cell.LSTM, lstm.cell());
        assertEquals(2, lstm.projSize());
        assertEquals(5, lstm.weightsPerDirection());
        assertEquals(4, lstm.layerInputSize(1), "upper layers read both directions' projected outputs");
    }

    @Test
    void interLayerDropoutInTrainingStaysOnTheLibrarysGenerator() {
        Backend be = backendWith(new Stub(spec -> ""));
        String why = Recurrence.fusedUnavailable(config(Recurrence.Mode.LSTM, 2, 0.3, 0), be, DType.FLOAT32, true);
        assertTrue(why.contains("dropout"), why);
        assertEquals("", Recurrence.fusedUnavailable(config(Recurrence.Mode.LSTM, 2, 0.3, 0), be, DType.FLOAT32, false), "no dropout outside training");
        assertEquals("", Recurrence.fusedUnavailable(config(Recurrence.Mode.LSTM, 1, 0.3, 0), be, DType.FLOAT32, true), "one layer has no dropout");
    }

    @Test
    void aRefusalOrAnUnsupportedDtypeFallsBackWithItsReason() {
        Stub stub = new Stub(spec -> spec.cell() == RecurrentSpec.Cell.RNN_RELU ? "libcudnn_adv.so.9 was not found" : "");
        Backend be = backendWith(stub);
        assertEquals("libcudnn_adv.so.9 was not found", Recurrence.fusedUnavailable(config(Recurrence.Mode.RNN_RELU, 1, 0, 0), be,
                DType.FLOAT32, false));
        assertEquals("", Recurrence.fusedUnavailable(config(Recurrence.Mode.RNN_TANH, 1, 0, 0), be, DType.FLOAT32, false));
        int before = stub.asked.size();
        String why = Recurrence.fusedUnavailable(config(Recurrence.Mode.GRU, 1, 0, 0), be, DType.INT32, false);
        assertTrue(why.contains("float32 and float64") && why.contains("int32"), why);
        assertEquals(before, stub.asked.size(), "the backend is not asked about a dtype the op refuses");
    }
}
