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
