package dev.panamax.cli;

import java.io.PrintStream;
import java.util.Arrays;

/** {@code panamax demo NAME}: small runnable experiments behind the README's claims about recurrent models and detection. */
final class DemoCommand {
    static final String USAGE = """
            usage: panamax demo NAME [options]        (panamax demo NAME --help for its options)
              rnn-activation   gradient norm through time of a tanh and a ReLU RNN: which vanishes, which explodes or dies
              long-range       the adding problem at lengths %s: RNN, LSTM, GRU and self-attention of about the same size
              charlm           a character-level LSTM language model (default text: the GPL-3 from Debian's base-files)
              detect           a small Faster R-CNN finding Fashion-MNIST items in synthetic scenes: COCO AP, ROI align or pool
            """.formatted(LongRangeDemo.DEFAULT_LENGTHS);

    private DemoCommand() {}

    static int run(String[] argv, PrintStream out) throws Exception {
        if (argv.length == 0) {
            throw new Args.UsageException("demo: which demo? name one of rnn-activation, long-range, charlm, detect");
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        return switch (argv[0]) {
            case "rnn-activation" -> RnnActivationDemo.run(rest, out);
            case "long-range" -> LongRangeDemo.run(rest, out);
            case "charlm" -> CharLmDemo.run(rest, out);
            case "detect" -> DetectDemo.run(rest, out);
            default -> throw new Args.UsageException("demo: unknown demo '" + argv[0] + "'; choose rnn-activation, long-range, charlm or detect");
        };
    }

    /** The usage of the demo named first in {@code argv}, or of the command. */
    static String usage(String[] argv) {
        if (argv.length == 0) {
            return USAGE;
        }
        return switch (argv[0]) {
            case "rnn-activation" -> RnnActivationDemo.USAGE;
            case "long-range" -> LongRangeDemo.USAGE;
            case "charlm" -> CharLmDemo.USAGE;
            case "detect" -> DetectDemo.USAGE;
            default -> USAGE;
        };
    }
}
