package dev.panamax.data.io;

/**
 * A position in the text of a small header (JSON, a Python literal) with the scanning steps its
 * recursive-descent parsers share. Each parser says what space is and how an error reads.
 */
abstract class TextCursor {
    final String text;
    int pos;
    private final int maxDepth;
    private int depth;

    /** @param maxDepth containers nest at most this deep: any real header is shallower, and the parser's stack outlasts it */
    TextCursor(String text, int maxDepth) {
        this.text = text;
        this.maxDepth = maxDepth;
    }

    abstract boolean isSpace(char c);

    /** The error for {@code problem} at the current position. */
    abstract MalformedFileException error(String problem);

    /** Skips space and returns the character a value starts with; the end of the text is {@code endProblem}. */
    final char valueStart(String endProblem) throws MalformedFileException {
        skipSpace();
        if (pos >= text.length()) {
            throw error(endProblem);
        }
        return text.charAt(pos);
    }

    /** After the top-level value: only space may follow it. */
    final void requireEnd(String afterWhat) throws MalformedFileException {
        skipSpace();
        if (pos < text.length()) {
            throw error("unexpected text after " + afterWhat);
        }
    }

    /** Consumes the character that opens a container, refusing nesting deeper than the limit. */
    final void enter() throws MalformedFileException {
        if (++depth > maxDepth) {
            throw error("nested deeper than " + maxDepth + " levels");
        }
        pos++;
    }

    /** Marks the container opened last as closed (its closing character is consumed by the parser). */
    final void leave() {
        depth--;
    }

    final void expect(char c) throws MalformedFileException {
        skipSpace();
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    final boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    final void skipSpace() {
        while (pos < text.length() && isSpace(text.charAt(pos))) {
            pos++;
        }
    }
}
