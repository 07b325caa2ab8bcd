package dev.panamax.detection;

import dev.panamax.data.io.MalformedFileException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** Typed fields of a parsed JSON file; a missing or mistyped field is an error naming the file and the field's path. */
final class JsonFields {
    private final String file;

    JsonFields(String file) {
        this.file = file;
    }

    MalformedFileException error(String path, String problem) {
        return new MalformedFileException(file, path + ": " + problem);
    }

    Map<?, ?> object(Object value, String path) throws MalformedFileException {
        if (value instanceof Map<?, ?> m) {
            return m;
        }
        throw error(path, "expected an object, got " + describe(value));
    }

    List<?> list(Map<?, ?> parent, String key, String path) throws MalformedFileException {
        if (require(parent, key, path) instanceof List<?> l) {
            return l;
        }
        throw error(path + "." + key, "expected an array, got " + describe(parent.get(key)));
    }

    String string(Map<?, ?> parent, String key, String path) throws MalformedFileException {
        if (require(parent, key, path) instanceof String s) {
            return s;
        }
        throw error(path + "." + key, "expected a string, got " + describe(parent.get(key)));
    }

    long integer(Map<?, ?> parent, String key, String path) throws MalformedFileException {
        if (require(parent, key, path) instanceof BigInteger i && i.bitLength() < 64) {
            return i.longValue();
        }
        throw error(path + "." + key, "expected an integer, got " + describe(parent.get(key)));
    }

    double number(Object value, String path) throws MalformedFileException {
        if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw error(path, "expected a number, got " + describe(value));
    }

    private Object require(Map<?, ?> parent, String key, String path) throws MalformedFileException {
        if (!parent.containsKey(key)) {
            throw error(path, "missing field \"" + key + "\"");
        }
        return parent.get(key);
    }

    private static String describe(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "the string \"" + s + "\"";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            default -> v.toString();
        };
    }
}
