package dev.panamax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.backend.cpu.Parallel;
import dev.panamax.models.LeNet5;
import dev.panamax.models.ResNet;
import dev.panamax.nn.Activation;
import dev.panamax.nn.BatchNorm2d;
import dev.panamax.nn.Conv2d;
import dev.panamax.nn.Flatten;
import dev.panamax.nn.LSTM;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.nn.RNNOutput;
import dev.panamax.nn.RecurrentOptions;
import dev.panamax.nn.Sequential;
import dev.panamax.nn.TransformerEncoderLayer;
import dev.panamax.ops.ConvOptions;
import dev.panamax.ops.Loss;
import dev.panamax.optim.Adam;
import dev.panamax.optim.Optimizer;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import dev.panamax.testing.Concurrently;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several application threads using the CPU library at once, as a web server running inference
 * or an application training separate models on separate threads does. Every result is compared
 * bit for bit with the same work done on one thread beforehand: the CPU kernels give the same bits
 * whatever the intra-op thread count and whichever threads run a region ({@link Parallel}), so any
 * difference is a race. The pool is held at two threads (the CI machine's cores), shared by the
 * four application threads.
 */
class ConcurrentUseTest {
    private static final int APP_THREADS = 4;
    private static final long RUN_MILLIS = 250;
    /** Requests per thread index when each request gets a virtual thread of its own. */
    private static final int VIRTUAL_ROUNDS = 8;
    private static int poolBefore;

    @BeforeAll
    static void fixPool() {
        poolBefore = Parallel.threads();
        Parallel.setThreads(2);
    }

    @AfterAll
    static void restorePool() {
        Parallel.setThreads(poolBefore);
    }

    private static void concurrently(long millis, Concurrently.Work work) throws Exception {
        Concurrently.run(APP_THREADS, millis, work);
    }

    /** A model's outputs for one input, as arrays to compare bit for bit. */
    @FunctionalInterface
    interface Inference {
        float[][] run(int thread);
    }

    /** Runs a test's work on application threads at once. */
    @FunctionalInterface
    interface Threads {
        void run(Concurrently.Work work) throws Exception;
    }

    private static final Threads PLATFORM = work -> concurrently(RUN_MILLIS, work);
    private static final Threads VIRTUAL = work -> Concurrently.onVirtualThreads(APP_THREADS, VIRTUAL_ROUNDS, work);

    private static void sharedInference(String what, Inference inference) throws Exception {
        sharedInference(what, inference, PLATFORM);
    }

    /**
     * Each thread's results of {@code inference}, computed alone first, then again by every thread
     * at once, with recording off and on (an application that forgets noGrad still shares the model).
     */
    private static void sharedInference(String what, Inference inference, Threads threads) throws Exception {
        float[][][] alone = new float[APP_THREADS][][];
        for (int t = 0; t < APP_THREADS; t++) {
            try (GradMode.Guard off = GradMode.noGrad()) {
                alone[t] = inference.run(t);
            }
            assertArrays(what + ", thread " + t + " with grad mode on, alone", alone[t], inference.run(t));
        }
        threads.run((t, round) -> {
            float[][] got;
            try (GradMode.Guard mode = GradMode.set(round % 2 == 1)) {
                got = inference.run(t);
            }
            assertArrays(what + ", thread " + t + ", round " + round, alone[t], got);
        });
    }

    private static void assertArrays(String what, float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], what + ": output " + i + " differs");
        }
    }

    private static float[][] outputs(Tensor... ts) {
        float[][] out = new float[ts.length][];
        for (int i = 0; i < ts.length; i++) {
            out[i] = ts[i].toFloatArray();
        }
        return out;
    }

    // ---------------------------------------------------------------- one model shared for inference

    @Test
    void lenetSharedForInference() throws Exception {
        try (LeNet5 model = new LeNet5(10, 1, 28, new Generator(1))) {
            model.eval();
            sharedInference("LeNet5", t -> {
                try (Scope s = Scope.open()) {
                    return outputs(model.forward(Tensor.randn(new Generator(100 + t), 1 + t, 1, 28, 28)));
                }
            });
        }
    }

    /** Input gradients (saliency) of a shared model: each thread's graph reads the shared parameters and frees its hold on them. */
    @Test
    void inputGradientsOfASharedModel() throws Exception {
        try (LeNet5 model = new LeNet5(10, 1, 28, new Generator(9))) {
            model.eval();
            float[][] alone = new float[APP_THREADS][];
            for (int t = 0; t < APP_THREADS; t++) {
                alone[t] = saliency(model, t);
            }
            concurrently(RUN_MILLIS, (t, round) -> assertArrayEquals(alone[t], saliency(model, t), "thread " + t + ", round " + round));
            for (Tensor p : model.parameters()) {
                assertNull(p.grad(), "grad() of a parameter: gradients went to the input only");
            }
        }
    }

    private static float[] saliency(Module model, int t) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(new Generator(900 + t), 1 + t, 1, 28, 28).requiresGrad(true);
            Tensor score = model.forward(x).max();
            return Autograd.grad(score, null, false, false, x)[0].toFloatArray();
        }
    }

    @Test
    void resnetSharedForInference() throws Exception {
        try (ResNet model = ResNet.resnet18(10, 3, new Generator(2))) {
            model.eval();
            long[] sides = {32, 40, 32, 40}; // other shapes on other threads: other kernels and blockings at once
            sharedInference("ResNet-18", t -> {
                try (Scope s = Scope.open()) {
                    return outputs(model.forward(Tensor.randn(new Generator(200 + t), 1 + t % 2, 3, sides[t], sides[t])));
                }
            });
        }
    }

    /**
     * A virtual thread per request, as a server on Executors.newVirtualThreadPerTaskExecutor runs:
     * each starts with no per-thread scratch and they interleave on few carrier threads (a kernel's
     * wait for the pool yields its carrier to the next request). Different inputs per index, so two
     * requests handed the same scratch at once give wrong bits (GEMM packing buffers shared by all
     * threads fail it).
     */
    @Test
    void modelsSharedByAVirtualThreadPerRequest() throws Exception {
        try (LeNet5 lenet = new LeNet5(10, 1, 28, new Generator(10)); ResNet resnet = ResNet.resnet18(10, 3, new Generator(11))) {
            lenet.eval();
            resnet.eval();
            sharedInference("LeNet5 and ResNet-18, a virtual thread per request", t -> {
                try (Scope s = Scope.open()) {
                    Generator gen = new Generator(1000 + t);
                    Tensor image = Tensor.randn(gen, 1 + 5 * t, 1, 28, 28);
                    return outputs(lenet.forward(image), resnet.forward(Tensor.randn(gen, 1, 3, 32, 32)));
                }
            }, VIRTUAL);
        }
    }

    @Test
    void lstmSharedForInference() throws Exception {
        RecurrentOptions options = RecurrentOptions.DEFAULT.numLayers(2).bidirectional(true);
        try (LSTM model = new LSTM(10, 16, options, new Generator(3))) {
            model.eval();
            sharedInference("LSTM", t -> {
                long steps = 5 + t;
                long[] lengths = {steps, steps - 2, 1};
                try (Scope s = Scope.open()) {
                    Generator gen = new Generator(300 + t);
                    RNNOutput r = model.forward(Tensor.randn(gen, steps, 3, 10), Tensor.randn(gen, 4, 3, 16), null, lengths);
                    return outputs(r.output(), r.hN(), r.cN());
                }
            });
        }
    }

    @Test
    void transformerEncoderLayerSharedForInference() throws Exception {
        try (TransformerEncoderLayer model = new TransformerEncoderLayer(16, 4, 32, 0.1, "gelu", 1e-5, true, false, true, new Generator(4))) {
            model.eval();
            sharedInference("TransformerEncoderLayer", t -> {
                long len = 5 + t;
                boolean[] padding = new boolean[(int) (2 * len)];
                padding[(int) (2 * len - 1)] = true; // the second sequence's last key
                try (Scope s = Scope.open()) {
                    Tensor x = Tensor.randn(new Generator(400 + t), 2, len, 16);
                    return outputs(model.forward(x, null, Tensor.of(padding, 2, len), t % 2 == 1));
                }
            });
        }
    }

    /** The pool resized while other threads' kernels run on it: each result is still the same bits (they do not depend on its size). */
    @Test
    void resizingThePoolWhileModelsRunChangesNoResult() throws Exception {
        try (LeNet5 lenet = new LeNet5(10, 1, 28, new Generator(5)); LSTM lstm = new LSTM(10, 16, RecurrentOptions.DEFAULT.numLayers(2),
                new Generator(6))) {
            lenet.eval();
            lstm.eval();
            Inference both = t -> {
                try (Scope s = Scope.open(); GradMode.Guard off = GradMode.noGrad()) {
                    Generator gen = new Generator(500 + t);
                    Tensor image = Tensor.randn(gen, 4, 1, 28, 28);
                    Tensor sequence = Tensor.randn(gen, 6, 4, 10);
                    return outputs(lenet.forward(image), lstm.forward(sequence));
                }
            };
            float[][][] alone = new float[APP_THREADS][][];
            for (int t = 0; t < APP_THREADS; t++) {
                alone[t] = both.run(t);
            }
            concurrently(RUN_MILLIS, (t, round) -> {
                if (t == 0) {
                    Parallel.setThreads(1 + round % 3); // thread 0 resizes the pool between its own runs
                }
                assertArrays("thread " + t + ", round " + round + ", pool of " + Parallel.threads(), alone[t], both.run(t));
            });
        } finally {
            Parallel.setThreads(2);
        }
    }

    // ---------------------------------------------------------------- a model of its own per thread, training

    /**
     * A few Adam steps of a LeNet-5, of a small convolutional net with batch norm (its running
     * statistics move) and of an LSTM with a linear head, seeded by {@code seed}; their state after.
     */
    private static float[][] train(int seed) {
        List<float[]> out = new ArrayList<>();
        Generator gen = new Generator(600 + seed);
        try (LeNet5 lenet = new LeNet5(10, 1, 28, gen);
             Sequential normed = new Sequential(new Conv2d(1, 4, 3, 3, ConvOptions.DEFAULT, false, gen), new BatchNorm2d(4),
                     Activation.relu(), new Flatten(), new Linear(4 * 26 * 26, 10, true, gen));
             LSTM lstm = new LSTM(6, 8, RecurrentOptions.DEFAULT.batchFirst(true), gen); Linear head = new Linear(8, 3, true, gen)) {
            List<Tensor> images = new ArrayList<>(lenet.parameters());
            images.addAll(normed.parameters());
            List<Tensor> recurrent = new ArrayList<>(lstm.parameters());
            recurrent.addAll(head.parameters());
            try (Optimizer a = Adam.builder().lr(1e-3).build(images); Optimizer b = Adam.builder().lr(1e-2).build(recurrent)) {
                for (int step = 0; step < 2; step++) {
                    try (Scope s = Scope.open()) {
                        a.zeroGrad();
                        Tensor x = Tensor.randn(gen, 4, 1, 28, 28);
                        Tensor y = Tensor.randint(gen, 0, 10, 4);
                        Loss.crossEntropy(lenet.forward(x), y).add(Loss.crossEntropy(normed.forward(x), y)).backward();
                        a.step();
                        b.zeroGrad();
                        RNNOutput r = lstm.forward(Tensor.randn(gen, 2, 5, 6), null, null, new long[] {5, 3});
                        Loss.mseLoss(head.forward(r.hN().squeeze(0)), Tensor.randn(gen, 2, 3)).backward();
                        b.step();
                    }
                }
            }
            for (Module m : List.of(lenet, normed, lstm, head)) {
                m.stateDict().values().forEach(v -> out.add(v.toFloatArray()));
            }
        }
        return out.toArray(float[][]::new);
    }

    @Test
    void eachThreadTrainsItsOwnModelAsIfAlone() throws Exception {
        float[][][] alone = new float[APP_THREADS][][];
        for (int t = 0; t < APP_THREADS; t++) {
            alone[t] = train(t);
        }
        concurrently(RUN_MILLIS, (t, round) -> assertArrays("training on thread " + t + ", round " + round, alone[t], train(t)));
    }

    // ---------------------------------------------------------------- per-thread state: grad mode, scopes; shared generators

    @Test
    void gradModeAndScopesBelongToTheirThread() throws Exception {
        try (Tensor w = Tensor.randn(new Generator(7), 8).requiresGrad(true)) {
            concurrently(RUN_MILLIS, (t, round) -> {
                boolean recording = t % 2 == 0; // threads 1 and 3 turn recording off while 0 and 2 record
                Tensor kept;
                Tensor dropped;
                try (Scope outer = Scope.open()) {
                    try (GradMode.Guard mode = GradMode.set(recording); Scope inner = Scope.open()) {
                        for (int i = 0; i < 20; i++) {
                            Tensor y = w.mul(1.5).sum();
                            assertEquals(recording, GradMode.isEnabled(), "thread " + t);
                            assertEquals(recording, y.gradFn() != null, "thread " + t + ": recorded while " + (recording ? "on" : "off"));
                            Thread.yield();
                        }
                        dropped = w.add(1);
                        kept = inner.keep(w.add(2));
                    }
                    assertTrue(GradMode.isEnabled(), "thread " + t + ": the guard restored this thread's mode");
                    assertTrue(dropped.isClosed(), "thread " + t + ": the inner scope closed what it did not keep");
                    assertFalse(kept.isClosed(), "thread " + t + ": kept into the outer scope, which another thread cannot close");
                    Thread.yield();
                    assertFalse(kept.isClosed(), "thread " + t + ": still open while other threads close their scopes");
                }
                assertTrue(kept.isClosed(), "thread " + t + ": the outer scope closed it");
            });
        }
    }

    @Test
    void aScopeClosedOnAnotherThreadIsRefused() throws Exception {
        Scope s = Scope.open();
        try {
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<Throwable> refused = other.submit(() -> assertThrows(IllegalStateException.class, s::close));
                assertTrue(refused.get().getMessage().contains("closed by the thread that opened it"), refused.get().getMessage());
            } finally {
                other.shutdown();
            }
        } finally {
            s.close();
        }
    }

    /** A generator shared by threads hands every draw its own range of the sequence: together they are the draws made on one thread. */
    @Test
    void aSharedGeneratorGivesEachDrawItsOwnNumbers() throws Exception {
        Generator shared = new Generator(8);
        List<float[]> draws = Collections.synchronizedList(new ArrayList<>());
        concurrently(RUN_MILLIS / 3, (t, round) -> {
            try (Tensor x = Tensor.randn(shared, 64)) {
                draws.add(x.toFloatArray());
            }
        });
        Generator alone = new Generator(8);
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < draws.size(); i++) {
            try (Tensor x = Tensor.randn(alone, 64)) {
                expected.add(x.toFloatArray());
            }
        }
        Comparator<float[]> order = Arrays::compare;
        List<float[]> got = new ArrayList<>(draws);
        got.sort(order);
        expected.sort(order);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), "draw " + i + " of " + expected.size());
        }
    }
}
