package dev.panamax.data.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the Python literals a {@code .npy} header holds: a dict of string keys whose values
 * are strings, {@code True}/{@code False}, integers and tuples or lists of them. Gives Java
 * {@code Map}, {@code String}, {@code Boolean}, {@code Long} and {@code List}.
 */
final class PyLiteral extends TextCursor {
    private static final int MAX_DEPTH = 32;

    private final ByteSource src;

    private PyLiteral(String text, ByteSource src) {
        super(text, MAX_DEPTH);
        this.src = src;
    }

    /** The dict literal {@code text} (trailing spaces and newline allowed); errors name {@code src}. */
    static Map<String, Object> parseDict(String text, ByteSource src) throws MalformedFileException {
        PyLiteral p = new PyLiteral(text, src);
        p.skipSpace();
        if (!p.peek('{')) {
            throw p.error("expected a dict literal starting with '{'");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> dict = (Map<String, Object>) p.value();
        p.requireEnd("the dict");
        return dict;
    }

    private Object value() throws MalformedFileException {
        char c = valueStart("unexpected end of the header");
        if (c == '{') {
            enter();
            Map<String, Object> map = new LinkedHashMap<>();
            while (!closing('}')) {
                Object key = value();
                if (!(key instanceof String k)) {
                    throw error("dict keys must be strings");
                }
                skipSpace();
                expect(':');
                if (map.put(k, value()) != null) {
                    throw error("duplicate key '" + k + "'");
                }
                if (!separator('}')) {
                    break;
                }
            }
            expect('}');
            leave();
            return map;
        }
        if (c == '(' || c == '[') {
            char close = c == '(' ? ')' : ']';
            enter();
            List<Object> items = new ArrayList<>();
            while (!closing(close)) {
                items.add(value());
                if (!separator(close)) {
                    break;
                }
            }
            expect(close);
            leave();
            return items;
        }
        if (c == '\'' || c == '"') {
            int end = text.indexOf(c, pos + 1);
            if (end < 0) {
                throw error("unterminated string");
            }
            String s = text.substring(pos + 1, end);
            if (s.indexOf('\\') >= 0) {
                throw error("escapes in strings are not supported");
            }
            pos = end + 1;
            return s;
        }
        if (text.startsWith("True", pos) || text.startsWith("False", pos)) {
            boolean b = text.startsWith("True", pos);
            pos += b ? 4 : 5;
            return b;
        }
        int start = pos;
        if (c == '-' || c == '+') {
            pos++;
        }
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == start || !Character.isDigit(text.charAt(pos - 1))) {
            throw error("unexpected character '" + c + "'");
        }
        BigInteger v = new BigInteger(text.substring(start, pos));
        if (pos < text.length() && text.charAt(pos) == 'L') {
            pos++; // Python 2 long suffix, written by old numpy
        }
        if (v.bitLength() > 63) {
            throw error("integer " + v + " does not fit in 64 bits");
        }
        return v.longValue();
    }

    /** True (without consuming) when the next non-space character closes the container. */
    private boolean closing(char close) {
        skipSpace();
        return peek(close);
    }

    /** Consumes a ',' and returns true, or returns false before the closing character. */
    private boolean separator(char close) throws MalformedFileException {
        skipSpace();
        if (peek(',')) {
            pos++;
            return true;
        }
        if (peek(close)) {
            return false;
        }
        throw error("expected ',' or '" + close + "'");
    }

    @Override
    boolean isSpace(char c) {
        return Character.isWhitespace(c);
    }

    @Override
    MalformedFileException error(String problem) {
        String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
        return src.malformed("bad .npy header: " + problem + " at character " + pos + " of \"" + shown.strip() + "\"");
    }
}
