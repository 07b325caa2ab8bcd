package dev.panamax.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of one command: {@code --name value} pairs and positional arguments,
 * checked against the options the command knows, with errors that say what was wrong.
 */
final class Args {
    /** A usage error: the message is printed as one line, followed by the command's usage. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private final String command;
    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> positional;

    private Args(String command, List<String> positional) {
        this.command = command;
        this.positional = positional;
    }

    /**
     * Parses {@code args}; every option must be in {@code known}, and {@code flags} are options
     * that take no value.
     */
    static Args parse(String command, String[] args, Set<String> known, Set<String> flags) {
        java.util.ArrayList<String> pos = new java.util.ArrayList<>();
        Args a = new Args(command, pos);
        for (int i = 0; i < args.length; i++) {
            String s = args[i];
            if (!s.startsWith("--")) {
                pos.add(s);
                continue;
            }
            String name = s.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!known.contains(name) && !flags.contains(name)) {
                throw new UsageException(command + ": unknown option --" + name);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException(command + ": --" + name + " takes no value");
                }
                value = "true";
            } else if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException(command + ": --" + name + " needs a value");
                }
                value = args[++i];
            }
            if (a.options.put(name, value) != null) {
                throw new UsageException(command + ": --" + name + " given twice");
            }
        }
        return a;
    }

    List<String> positional() {
        return positional;
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    String string(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    int positiveInt(String name, int fallback) {
        return intAtLeast(name, fallback, 1, "a positive integer");
    }

    int nonNegativeInt(String name, int fallback) {
        return intAtLeast(name, fallback, 0, "an integer >= 0");
    }

    private int intAtLeast(String name, int fallback, int min, String what) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(command + ": --" + name + " must be " + what + ", got '" + v + "'");
    }

    long integer(String name, long fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be an integer, got '" + v + "'");
        }
    }

    double positiveDouble(String name, double fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (d > 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new UsageException(command + ": --" + name + " must be a positive number, got '" + v + "'");
    }

    /** One of {@code allowed} (case-insensitive). */
    String choice(String name, String fallback, List<String> allowed) {
        String v = options.getOrDefault(name, fallback).toLowerCase(java.util.Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new UsageException(command + ": --" + name + " must be one of " + String.join(", ", allowed) + ", got '"
                    + options.get(name) + "'");
        }
        return v;
    }
}
