package dev.panamax.data.io;

import java.io.IOException;

/**
 * A file that does not hold what its format promises: wrong magic, a truncated body, a header
 * whose sizes or offsets disagree with the file. The message names the file and the problem.
 */
public class MalformedFileException extends IOException {
    private final String source;
    private final String problem;

    public MalformedFileException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
        this.problem = problem;
    }

    public MalformedFileException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
        this.problem = problem;
    }

    /** The file (or archive entry) at fault. */
    public String source() {
        return source;
    }

    /** What is wrong with it. */
    public String problem() {
        return problem;
    }
}
