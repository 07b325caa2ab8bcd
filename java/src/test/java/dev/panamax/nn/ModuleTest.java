package dev.panamax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Convolution;
import dev.panamax.ops.LinearAlgebra;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {
    private static Sequential smallNet(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(
                new Conv2d(1, 2, 3, 3, ConvOptions.DEFAULT.padding(1), true, g),
                Activation.relu(),
                new Flatten(),
                new Linear(2 * 4 * 4, 3, true, g));
    }

    @Test
    void namesFollowPyTorch() {
        try (Sequential net = smallNet(1)) {
            assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias"),
                    net.namedParameters().stream().map(Parameter::name).toList());
            assertEquals(2 * 9 + 2 + 32 * 3 + 3, net.parameterCount());
            assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias"), List.copyOf(net.stateDict().keySet()));
            assertTrue(net.parameters().stream().allMatch(Tensor::requiresGrad));
            String printed = net.toString();
            assertTrue(printed.startsWith("Sequential(\n  (0): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"), printed);
            assertTrue(printed.contains("(1): ReLU()") && printed.contains("(3): Linear(in_features=32, out_features=3, bias=True)"), printed);
        }
    }

    @Test
    void stateDictRoundTripGivesTheSameOutputs() {
        try (Sequential a = smallNet(1); Sequential b = smallNet(2); Scope s = Scope.open()) {
            Tensor x = Tensor.randn(new Generator(3), 2, 1, 4, 4);
            assertFalse(java.util.Arrays.equals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray()));
            b.loadStateDict(a.stateDict(), true);
            assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
        }
    }

    @Test
    void strictLoadingNamesMissingUnexpectedAndMismatchedKeys() {
        try (Sequential net = smallNet(1); Scope s = Scope.open()) {
            Map<String, Tensor> state = new LinkedHashMap<>(net.stateDict());
            state.remove("0.bias");
            state.put("9.weight", Tensor.zeros(1));
            state.put("3.weight", Tensor.zeros(3, 31));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state, true));
            assertTrue(e.getMessage().contains("missing keys [0.bias]"), e.getMessage());
            assertTrue(e.getMessage().contains("unexpected keys [9.weight]"), e.getMessage());
            assertTrue(e.getMessage().contains("size mismatch for 3.weight") && e.getMessage().contains("[3, 31]"), e.getMessage());
            state.put("3.weight", Tensor.zeros(3, 32));
            net.loadStateDict(state, false); // non-strict ignores missing and unexpected keys
            assertEquals(0.0, net.stateDict().get("3.weight").abs().sum().item());
        }
    }

    @Test
    void trainAndEvalReachEveryChild() {
        try (Sequential net = smallNet(1)) {
            net.eval();
            assertTrue(net.children().values().stream().noneMatch(Module::isTraining));
            net.train();
            assertTrue(net.children().values().stream().allMatch(Module::isTraining));
        }
    }

    @Test
    void layersEqualTheirFunctionalOps() {
        try (Scope s = Scope.open()) {
            Generator g = new Generator(4);
            Linear lin = new Linear(5, 3, true, g);
            Tensor x = Tensor.randn(g, 7, 5);
            assertArrayEquals(LinearAlgebra.linear(x, lin.weight(), lin.bias()).toFloatArray(), lin.forward(x).toFloatArray());
            Conv2d conv = new Conv2d(2, 4, 3, 2, ConvOptions.DEFAULT.stride(2).padding(1), false, g);
            Tensor img = Tensor.randn(g, 2, 2, 6, 5);
            assertArrayEquals(Convolution.conv2d(img, conv.weight(), null, conv.options()).toFloatArray(), conv.forward(img).toFloatArray());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lin.forward(Tensor.zeros(2, 4)));
            assertTrue(e.getMessage().contains("in_features=5") && e.getMessage().contains("[2, 4]"), e.getMessage());
            lin.close();
            conv.close();
        }
    }

    @Test
    void closingAModuleFreesItsParameters() {
        Sequential net = smallNet(1);
        List<Tensor> params = net.parameters();
        net.close();
        assertTrue(params.stream().allMatch(Tensor::isClosed));
    }

    @Test
    void toItsOwnDeviceIsANoOpReturningTheModule() {
        try (Sequential net = smallNet(1); Flatten empty = new Flatten()) {
            List<Tensor> params = net.parameters();
            List<Object> operands = params.stream().map(t -> (Object) t.operand()).toList();
            assertSame(net, net.to(Device.CPU));
            assertEquals(Device.CPU, net.device());
            assertEquals(Device.CPU, empty.device(), "no parameters: the CPU");
            for (int i = 0; i < params.size(); i++) {
                assertSame(params.get(i), net.parameters().get(i));
                assertSame(operands.get(i), params.get(i).operand(), "the same memory");
            }
        }
    }

    @Test
    void toRefusalsNameTheTensorsPlaceInTheTree() {
        try (Sequential net = smallNet(1); Tensor view = net.parameters().get(2).detach()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.to(Device.cuda(0)));
            // 0.weight and 0.bias come first: without a GPU their move fails, with one it succeeds
            if (Device.whyNotCuda().isEmpty()) {
                assertTrue(e.getMessage().startsWith("Sequential.to(cuda:0): 3.weight: ") && e.getMessage().contains("shared with other views"),
                        e.getMessage());
            } else {
                assertTrue(e.getMessage().startsWith("Sequential.to(cuda:0): 0.weight: "), e.getMessage());
            }
        }
    }

    @Test
    void namedSequentialsListsAndTheModuleTree() {
        try (Scope s = Scope.open()) {
            java.util.Map<String, Module> named = new java.util.LinkedHashMap<>();
            named.put("conv", new Conv2d(1, 2, 3));
            named.put("act", Activation.relu());
            try (Sequential seq = new Sequential(named); ModuleList list = new ModuleList(List.of(new Linear(2, 3), new Linear(3, 1)))) {
                assertEquals(List.of("conv.weight", "conv.bias"), List.copyOf(seq.stateDict().keySet()));
                assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias"), List.copyOf(list.stateDict().keySet()));
                assertEquals(3, seq.modules().size(), "itself and its two children");
                assertEquals(2, list.size());
                assertThrows(UnsupportedOperationException.class, () -> list.forward(Tensor.zeros(1, 2)));
                assertTrue(seq.toString().startsWith("Sequential(\n  (conv): Conv2d(1, 2, kernel_size=(3, 3)"), seq.toString());
            }
        }
    }
}
