package dev.panamax.cli;

import dev.panamax.autograd.GradMode;
import dev.panamax.nn.Embedding;
import dev.panamax.nn.LSTM;
import dev.panamax.nn.Linear;
import dev.panamax.nn.Module;
import dev.panamax.nn.RNNOutput;
import dev.panamax.nn.RecurrentOptions;
import dev.panamax.ops.EmbeddingOptions;
import dev.panamax.ops.Loss;
import dev.panamax.optim.Adam;
import dev.panamax.optim.GradClipping;
import dev.panamax.optim.Optimizer;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * {@code panamax demo charlm}: a character-level LSTM language model trained with truncated
 * backpropagation through time; prints the loss and a temperature-sampled snippet as it goes.
 */
final class CharLmDemo {
    /** Installed by Debian's (and Ubuntu's) base-files package. */
    static final String DEFAULT_TEXT = "/usr/share/common-licenses/GPL-3";
    static final String USAGE = """
            usage: panamax demo charlm [--text FILE] [--steps N] [--seq N] [--batch N] [--hidden N] [--embed N] [--lr LR]
                                       [--clip C] [--every N] [--sample-length N] [--temperature T] [--seed N]
              trains a character-level language model (embedding, one LSTM layer, linear to the characters) on FILE
              with truncated backpropagation through time: the text is cut into --batch parallel streams, each step
              learns from the next --seq characters of every stream and carries the LSTM state (detached) to the next.
              Every --every steps prints the mean loss (nats and bits per character) and a sample drawn at --temperature.
              defaults: text %s (the GNU GPL v3, installed by Debian's base-files package),
                        1000 steps, seq 64, batch 32, hidden 128, embed 32, Adam lr 0.003, clip 1, every 200,
                        sample-length 200, temperature 0.8, seed 0 (about 30 s on 2 cores; loss about 1.0 nats/char)
            """.formatted(DEFAULT_TEXT);
    private static final Set<String> OPTIONS = Set.of("text", "steps", "seq", "batch", "hidden", "embed", "lr", "clip", "every",
            "sample-length", "temperature", "seed");

    private CharLmDemo() {}

    /** Embedding → LSTM → linear; logits for the next character at every step. */
    static final class CharLstm extends Module {
        private final Embedding embed;
        private final LSTM lstm;
        private final Linear head;

        CharLstm(int vocab, int embedDim, int hidden, Generator gen) {
            this.embed = registerModule("embed", new Embedding(vocab, embedDim, EmbeddingOptions.DEFAULT, gen));
            this.lstm = registerModule("lstm", new LSTM(embedDim, hidden, RecurrentOptions.DEFAULT, gen));
            this.head = registerModule("head", new Linear(hidden, vocab, true, gen));
        }

        /** Logits [seq, batch, vocab] of character indices [seq, batch] and the final state (null: zeros). */
        Step step(Tensor chars, Tensor h, Tensor c) {
            RNNOutput r = lstm.forward(embed.forward(chars), h, c);
            return new Step(head.forward(r.output()), r.hN(), r.cN());
        }

        @Override
        public Tensor forward(Tensor chars) {
            return step(chars, null, null).logits();
        }
    }

    record Step(Tensor logits, Tensor h, Tensor c) {}

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = Args.parse("demo charlm", argv, OPTIONS, Set.of());
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("demo charlm: unexpected argument '" + a.positional().get(0) + "'");
        }
        Path textFile = Path.of(a.string("text", DEFAULT_TEXT));
        int steps = a.positiveInt("steps", 1000);
        int seq = a.positiveInt("seq", 64);
        int batch = a.positiveInt("batch", 32);
        int hidden = a.positiveInt("hidden", 128);
        int embedDim = a.positiveInt("embed", 32);
        double lr = a.positiveDouble("lr", 3e-3);
        double clip = a.positiveDouble("clip", 1);
        int every = a.positiveInt("every", 200);
        int sampleLength = a.positiveInt("sample-length", 200);
        double temperature = a.positiveDouble("temperature", 0.8);
        long seed = a.integer("seed", 0);

        String text;
        try {
            text = Files.readString(textFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("text file " + textFile + " not found" + (a.flag("text") ? ""
                    : " (Debian's base-files package installs it; pass --text FILE to use another)"));
        }
        int[] codes = text.codePoints().toArray();
        int[] vocab = new TreeSet<Integer>(java.util.Arrays.stream(codes).boxed().toList()).stream().mapToInt(Integer::intValue).toArray();
        int streamLength = codes.length / batch;
        if (streamLength < seq + 1) {
            throw new IllegalArgumentException("text " + textFile + " has " + codes.length + " characters: too short for " + batch
                    + " streams of at least " + (seq + 1) + " (--batch " + batch + ", --seq " + seq + ")");
        }
        int[] ids = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            ids[i] = java.util.Arrays.binarySearch(vocab, codes[i]);
        }
        out.printf(Locale.ROOT, "text: %s, %,d characters, %d distinct%s%n", textFile, codes.length, vocab.length,
                a.flag("text") ? "" : " (the GNU GPL v3, installed by Debian's base-files package)");

        Generator gen = new Generator(seed);
        SplittableRandom sampler = new SplittableRandom(seed);
        try (CharLstm model = new CharLstm(vocab.length, embedDim, hidden, gen);
             Optimizer opt = Adam.builder().lr(lr).build(model.parameters())) {
            out.printf(Locale.ROOT, "model: embedding %d → LSTM %d → linear %d, %,d parameters; %d streams of %d characters,"
                    + " %d-character truncated BPTT, Adam lr %s, clip %s, seed %d%n", embedDim, hidden, vocab.length,
                    model.parameterCount(), batch, streamLength, seq, lr, clip, seed);
            long start = System.nanoTime();
            Tensor h = null;
            Tensor c = null;
            int pos = 0;
            double lossSum = 0;
            int lossCount = 0;
            for (int step = 1; step <= steps; step++) {
                if (pos + seq + 1 > streamLength) {
                    pos = 0;
                    closeAll(h, c);
                    h = null;
                    c = null;
                }
                long[] x = new long[seq * batch];
                long[] y = new long[seq * batch];
                for (int t = 0; t < seq; t++) {
                    for (int b = 0; b < batch; b++) {
                        int at = b * streamLength + pos + t;
                        x[t * batch + b] = ids[at];
                        y[t * batch + b] = ids[at + 1];
                    }
                }
                pos += seq;
                try (Scope s = Scope.open()) {
                    Step r = model.step(Tensor.of(x, seq, batch), h, c);
                    Tensor loss = Loss.crossEntropy(r.logits().view(seq * batch, vocab.length), Tensor.of(y, seq * batch));
                    opt.zeroGrad();
                    loss.backward();
                    GradClipping.clipGradNorm(model.parameters(), clip);
                    opt.step();
                    lossSum += loss.item();
                    lossCount++;
                    closeAll(h, c);
                    try (GradMode.Guard g = GradMode.noGrad()) {
                        h = s.keep(r.h().detach().contiguousCopy());
                        c = s.keep(r.c().detach().contiguousCopy());
                    }
                }
                if (step % every == 0 || step == steps) {
                    double mean = lossSum / lossCount;
                    out.printf(Locale.ROOT, "step %d: loss %.3f nats/char (%.3f bits/char), %.1f s%n", step, mean, mean / Math.log(2),
                            (System.nanoTime() - start) / 1e9);
                    lossSum = 0;
                    lossCount = 0;
                    out.println("  sample (temperature " + temperature + "):");
                    String sample = sample(model, vocab, ids[sampler.nextInt(ids.length)], sampleLength, temperature, sampler);
                    out.println("  | " + sample.replace("\n", "\n  | "));
                }
            }
            closeAll(h, c);
        }
        return Main.OK;
    }

    /** {@code length} characters drawn one at a time from softmax(logits / temperature), after a first character. */
    static String sample(CharLstm model, int[] vocab, int first, int length, double temperature, SplittableRandom rng) {
        StringBuilder s = new StringBuilder().appendCodePoint(vocab[first]);
        model.eval();
        try (Scope ignored = Scope.open(); GradMode.Guard g = GradMode.noGrad()) {
            Tensor h = null;
            Tensor c = null;
            int current = first;
            for (int i = 0; i < length; i++) {
                Step r = model.step(Tensor.of(new long[] {current}, 1, 1), h, c);
                h = r.h();
                c = r.c();
                double[] logits = r.logits().toDoubleArray();
                current = draw(logits, temperature, rng);
                s.appendCodePoint(vocab[current]);
            }
        } finally {
            model.train();
        }
        return s.toString();
    }

    static int draw(double[] logits, double temperature, SplittableRandom rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u <= 0) {
                return i;
            }
        }
        return p.length - 1;
    }

    private static void closeAll(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null) {
                t.close();
            }
        }
    }
}
