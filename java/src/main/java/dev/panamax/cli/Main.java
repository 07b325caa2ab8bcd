package dev.panamax.cli;

import dev.panamax.Panamax;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;

/**
 * The {@code panamax} command. Exit codes: 0 success, 1 failure while running, 2 bad usage.
 */
public final class Main {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private static final String USAGE_TEXT = """
            usage: panamax [--threads N] <command> [options]

            commands:
              train           train a classifier on Fashion-MNIST (LeNet-5 by default; `panamax train --help`)
              eval CKPT       loss, accuracy and top-5 accuracy of a checkpoint on the test split
              predict CKPT IMAGE
                              the five most likely classes of an image, or a detector's boxes drawn on it
              doctor          can the model overfit a batch? gradient norms, dead ReLUs, an LR range test
              demo NAME       runnable experiments: rnn-activation, long-range, charlm, detect (`panamax demo --help`)
              info            version, JDK, vector species, threads, backends (and why one is missing)
              help            this text

            launcher commands (./panamax only):
              test            run the full test suite
              bench           run the comparison benchmarks (see bench/README.md)
            """;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length >= 1 && args[0].equals("--threads")) {
            Integer n = args.length >= 2 ? parsePositive(args[1]) : null;
            if (n == null) {
                err.println("panamax: --threads needs a positive integer" + (args.length >= 2 ? ", got '" + args[1] + "'" : ""));
                return USAGE;
            }
            Panamax.setThreads(n);
            args = Arrays.copyOfRange(args, 2, args.length);
        }
        if (args.length == 0) {
            out.print(USAGE_TEXT);
            return USAGE;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        String command = args[0];
        try {
            if (Arrays.asList(rest).contains("--help")) {
                out.print(usageOf(command, rest));
                return OK;
            }
            return switch (command) {
                case "train" -> TrainCommand.run(rest, out);
                case "eval" -> EvalCommand.run(rest, out);
                case "predict" -> PredictCommand.run(rest, out);
                case "doctor" -> DoctorCommand.run(rest, out);
                case "demo" -> DemoCommand.run(rest, out);
                case "info" -> info(rest, out, err);
                case "test", "bench" -> {
                    // reached only when something came before them: the launcher runs them when they come first
                    err.println("panamax: " + command + " is a command of the ./panamax launcher and must come first: ./panamax " + command
                            + (command.equals("bench") ? " --threads N ... (bench has its own --threads)" : " ..."));
                    yield USAGE;
                }
                case "help", "--help", "-h" -> {
                    out.print(USAGE_TEXT);
                    yield OK;
                }
                default -> {
                    err.println("panamax: unknown command '" + command + "'");
                    err.print(USAGE_TEXT);
                    yield USAGE;
                }
            };
        } catch (Args.UsageException e) {
            err.println("panamax " + e.getMessage());
            err.print(usageOf(command, rest));
            return USAGE;
        } catch (Exception e) {
            err.println("panamax " + command + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return FAILED;
        }
    }

    private static String usageOf(String command, String[] rest) {
        return switch (command) {
            case "demo" -> DemoCommand.usage(rest);
            case "train" -> TrainCommand.USAGE;
            case "eval" -> EvalCommand.USAGE;
            case "predict" -> PredictCommand.USAGE;
            case "doctor" -> DoctorCommand.USAGE;
            case "info" -> INFO_USAGE;
            default -> USAGE_TEXT;
        };
    }

    private static Integer parsePositive(String s) {
        try {
            int n = Integer.parseInt(s);
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static final String INFO_USAGE = """
            usage: panamax info
              prints the version, the JDK, the vector species, the CPU thread count and each backend (and why
              one is not available)
            """;

    private static int info(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0) {
            err.print("panamax info: unexpected argument '" + args[0] + "'\n" + INFO_USAGE);
            return USAGE;
        }
        Map<String, String> info = Panamax.info();
        int width = info.keySet().stream().mapToInt(String::length).max().orElse(0);
        info.forEach((k, v) -> out.println(k + " ".repeat(width - k.length()) + "  " + v));
        return OK;
    }
}
