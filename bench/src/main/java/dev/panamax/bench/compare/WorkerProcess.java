package dev.panamax.bench.compare;

import dev.panamax.bench.worker.WorkerProtocol;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one worker JVM to the end and returns what it said, or fails with the reason it gave. */
final class WorkerProcess {
    private static final long TIMEOUT_MINUTES = 15;

    private WorkerProcess() {}

    /** A worker that could not start, crashed or refused; the message is the reason to show. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    static WorkerProtocol.Reply run(PeerLauncher launcher, int threads, List<String> workerArgs) throws Failure {
        Path stderr = null;
        try {
            stderr = Files.createTempFile("panamax-worker", ".stderr");
            Process process = launcher.process(threads, workerArgs).redirectError(stderr.toFile()).start();
            List<String> stdout = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    stdout.add(line);
                }
            }
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new Failure("worker still running after " + TIMEOUT_MINUTES + " minutes");
            }
            if (process.exitValue() != 0) {
                throw new Failure(reason(Files.readAllLines(stderr, StandardCharsets.UTF_8), process.exitValue()));
            }
            return WorkerProtocol.Reply.parse(stdout);
        } catch (IOException e) {
            throw new Failure("could not run " + launcher.java() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        } finally {
            if (stderr != null) {
                stderr.toFile().delete();
            }
        }
    }

    /** The innermost cause of the worker's stack trace, or its last line of output. */
    private static String reason(List<String> stderr, int exitValue) {
        String exception = null;
        String last = null;
        for (String line : stderr) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("at ") || trimmed.startsWith("...")) {
                continue;
            }
            if (trimmed.startsWith("Caused by: ")) {
                exception = trimmed.substring("Caused by: ".length());
            } else if (exception == null && trimmed.matches("^[\\w.$]+(Exception|Error)(: .*)?$")) {
                exception = trimmed;
            }
            last = trimmed;
        }
        String said = exception != null ? exception : last != null ? last : "no output";
        return "worker exited with status " + exitValue + ": " + said;
    }
}
