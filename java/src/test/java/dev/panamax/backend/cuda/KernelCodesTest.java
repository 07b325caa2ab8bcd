package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.RandomKind;
import dev.panamax.backend.ReduceOp;
import dev.panamax.backend.UnaryOp;
import dev.panamax.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The kernels receive enums as ordinals: each enum of native/src must list Java's constants in
 * Java's order, with Java's ordinals.
 */
class KernelCodesTest {
    private static final Path SOURCES = Path.of("../native/src");

    /** The constants of {@code enum name { A = 0, B = 1, ... }} in a kernel source, checked to count from 0. */
    private static List<String> cEnum(String file, String name) throws IOException {
        Path p = SOURCES.resolve(file);
        assumeTrue(Files.isRegularFile(p), "the kernel sources are not here (" + p.toAbsolutePath() + ")");
        Matcher m = Pattern.compile("enum " + name + " \\{([^}]*)\\}").matcher(Files.readString(p));
        assertEquals(true, m.find(), "enum " + name + " in " + file);
        List<String> names = new ArrayList<>();
        for (String entry : m.group(1).split(",")) {
            String[] kv = entry.trim().split("\\s*=\\s*");
            assertEquals(names.size(), Integer.parseInt(kv[1].trim()), file + ": " + kv[0] + " has the wrong code");
            names.add(kv[0].trim());
        }
        return names;
    }

    private static List<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).toList();
    }

    /** The kernels native/src defines: extern "C" entry points, and the _f32/_f64 or _f/_i pairs its macros make. */
    private static java.util.Set<String> definedKernels() throws IOException {
        assumeTrue(Files.isDirectory(SOURCES), "the kernel sources are not here (" + SOURCES.toAbsolutePath() + ")");
        java.util.Set<String> names = new java.util.TreeSet<>();
        try (var files = Files.list(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu")).toList()) {
                String src = Files.readString(f);
                Matcher m = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(|\\n(FLOAT_AND_DOUBLE|ACC_KINDS)\\((\\w+),").matcher(src);
                while (m.find()) {
                    if (m.group(1) != null) {
                        names.add(m.group(1));
                    } else if (m.group(2).equals("FLOAT_AND_DOUBLE")) {
                        names.addAll(List.of(m.group(3) + "_f32", m.group(3) + "_f64"));
                    } else {
                        names.addAll(List.of(m.group(3) + "_f", m.group(3) + "_i"));
                    }
                }
            }
        }
        return names;
    }

    @Test
    void everyKernelTheBackendLaunchesIsDefined() throws IOException {
        java.util.Set<String> defined = definedKernels();
        List<String> missing = new ArrayList<>();
        int launches = 0;
        try (var files = Files.list(Path.of("src/main/java/dev/panamax/backend/cuda"))) {
            for (Path f : files.toList()) {
                Matcher m = Pattern.compile("\"(pmx_\\w+)\"( \\+)?").matcher(Files.readString(f));
                while (m.find()) {
                    launches++;
                    String name = m.group(1);
                    boolean suffixed = m.group(2) != null; // "pmx_x" + suffix: both variants must exist
                    boolean ok = suffixed
                            ? (defined.contains(name + "_f32") && defined.contains(name + "_f64"))
                                    || (defined.contains(name + "_f") && defined.contains(name + "_i"))
                            : defined.contains(name);
                    if (!ok) {
                        missing.add(f.getFileName() + ": " + name + (suffixed ? " + suffix" : ""));
                    }
                }
            }
        }
        assertEquals(List.of(), missing);
        assertEquals(true, launches > 40 && defined.size() > 50, launches + " launches of " + defined);
    }

    @Test
    void unaryAndBinaryOpCodes() throws IOException {
        assertEquals(names(UnaryOp.values()), cEnum("elementwise.cu", "UnaryOpCode"));
        assertEquals(names(BinaryOp.values()), cEnum("elementwise.cu", "BinaryOpCode"));
    }

    @Test
    void reduceRandomAndDtypeCodes() throws IOException {
        assertEquals(names(ReduceOp.values()), cEnum("reduce.cu", "ReduceOpCode"));
        assertEquals(names(RandomKind.values()), cEnum("random.cu", "RandomKindCode"));
        assertEquals(List.of("F32", "F64", "I32", "I64", "U8", "BOOL"), cEnum("common.cuh", "DTypeCode"));
        assertEquals(List.of(DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.UINT8, DType.BOOL), List.of(DType.values()));
    }
}
