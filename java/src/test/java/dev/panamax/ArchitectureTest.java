package dev.panamax;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules of DESIGN.md, checked on the sources: arrows point down the table, so a
 * backend never sees autograd or ops, and ops never see a concrete backend.
 */
class ArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/panamax");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.panamax\\.([a-z.]+)\\.([A-Z]\\w*)", Pattern.MULTILINE);

    /** Packages (and single classes) each package must not use. */
    private static final Map<String, List<String>> FORBIDDEN = Map.of(
            "backend", List.of("autograd", "ops", "tensor.Tensor", "tensor.Scope", "tensor.Generator", "cli"),
            "backend.cpu", List.of("autograd", "ops", "tensor.Tensor", "tensor.Scope", "tensor.Generator", "cli"),
            "backend.cpu.gemm", List.of("autograd", "ops", "tensor", "cli"),
            "backend.cuda", List.of("autograd", "ops", "tensor.Tensor", "tensor.Scope", "tensor.Generator", "cli", "backend.cpu"),
            "autograd", List.of("backend.cpu", "cli"),
            "ops", List.of("backend.cpu", "cli"),
            // detection sits beside models (DESIGN.md has no row for it yet): layers and ops, never kernels or the CLI
            "detection", List.of("backend", "cli"));

    @Test
    void packagesOnlyUseWhatTheDesignAllows() throws IOException {
        List<String> violations = new ArrayList<>();
        for (var rule : FORBIDDEN.entrySet()) {
            Path dir = SOURCES.resolve(rule.getKey().replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = IMPORT.matcher(Files.readString(f));
                    while (m.find()) {
                        String used = m.group(1) + "." + m.group(2);
                        for (String banned : rule.getValue()) {
                            if (used.equals(banned) || used.startsWith(banned + ".")) {
                                violations.add(f.getFileName() + " (" + rule.getKey() + ") imports dev.panamax." + used);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }
}
