package dev.panamax.data.io;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (safetensors headers, COCO annotation files) and writer (safetensors
 * headers). Objects become {@code LinkedHashMap} (duplicate keys are an error), arrays {@code
 * List}, integers {@code BigInteger}, other numbers {@code BigDecimal}, and {@code
 * true/false/null} Boolean and null.
 */
public final class Json extends TextCursor {
    private static final int MAX_DEPTH = 64;

    private final String source;
    private final String what;

    private Json(String text, String source, String what) {
        super(text, MAX_DEPTH);
        this.source = source;
        this.what = what;
    }

    /** Parses a safetensors header: one JSON value followed only by whitespace; errors name {@code src} and the character offset. */
    static Object parse(String text, ByteSource src) throws MalformedFileException {
        return parse(text, src.name(), "JSON header");
    }

    /** Reads a whole UTF-8 JSON file; errors name the file and the character offset. */
    public static Object read(Path file) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedFileException(file.toString(), "not UTF-8 text", e);
        }
        return parse(text, file.toString(), "JSON");
    }

    private static Object parse(String text, String source, String what) throws MalformedFileException {
        Json p = new Json(text, source, what);
        Object v = p.value();
        p.requireEnd("the JSON value");
        return v;
    }

    private Object value() throws MalformedFileException {
        char c = valueStart("unexpected end of JSON");
        switch (c) {
            case '{' -> {
                enter();
                Map<String, Object> map = new LinkedHashMap<>();
                skipSpace();
                if (peek('}')) {
                    pos++;
                    leave();
                    return map;
                }
                do {
                    skipSpace();
                    if (!peek('"')) {
                        throw error("expected a string key");
                    }
                    String key = string();
                    expect(':');
                    if (map.containsKey(key)) {
                        throw error("duplicate key \"" + key + "\"");
                    }
                    map.put(key, value());
                } while (next(',', '}'));
                leave();
                return map;
            }
            case '[' -> {
                enter();
                List<Object> list = new ArrayList<>();
                skipSpace();
                if (peek(']')) {
                    pos++;
                    leave();
                    return list;
                }
                do {
                    list.add(value());
                } while (next(',', ']'));
                leave();
                return list;
            }
            case '"' -> {
                return string();
            }
            default -> {
                for (String word : new String[] {"true", "false", "null"}) {
                    if (text.startsWith(word, pos)) {
                        pos += word.length();
                        return word.equals("null") ? null : Boolean.valueOf(word.equals("true"));
                    }
                }
                return number();
            }
        }
    }

    /** After an element: consumes ',' (true: another follows) or the closing bracket (false). */
    private boolean next(char comma, char close) throws MalformedFileException {
        skipSpace();
        if (peek(comma)) {
            pos++;
            return true;
        }
        if (peek(close)) {
            pos++;
            return false;
        }
        throw error("expected '" + comma + "' or '" + close + "'");
    }

    private String string() throws MalformedFileException {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("unterminated escape");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Object number() throws MalformedFileException {
        int start = pos;
        if (peek('-')) {
            pos++;
        }
        int digits = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos == digits || (text.charAt(digits) == '0' && pos - digits > 1)) {
            pos = start;
            throw error("unexpected character '" + text.charAt(start) + "'");
        }
        boolean integer = true;
        if (peek('.')) {
            integer = false;
            pos++;
            int frac = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos == frac) {
                throw error("digits expected after '.'");
            }
        }
        if (peek('e') || peek('E')) {
            integer = false;
            pos++;
            if (peek('+') || peek('-')) {
                pos++;
            }
            int exp = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (pos == exp) {
                throw error("digits expected in the exponent");
            }
        }
        String s = text.substring(start, pos);
        return integer ? new BigInteger(s) : new BigDecimal(s);
    }

    @Override
    boolean isSpace(char c) {
        return " \t\n\r".indexOf(c) >= 0;
    }

    @Override
    MalformedFileException error(String problem) {
        return new MalformedFileException(source, "bad " + what + ": " + problem + " at character " + pos);
    }

    /** A JSON string literal as serde_json writes it: escapes only quote, backslash and control characters. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
