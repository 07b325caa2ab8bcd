package dev.panamax.backend.cpu;

import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes the source of {@link ElementwiseLoops}: one straight-line Vector API loop per elementwise
 * op and direction, and a switch that picks it.
 *
 * <p>A single loop with the switch on the op inside it made C2 recompile it without end: the
 * memory-segment bounds checks turn the loop into a loop nest whose inner loop gets a profiled
 * predicate, hoisting checks out of the op's case, and a call with another op fails it (the
 * binary loop was recompiled 86 times in 35 s of the LeNet-5 step, holding a core). Loops with no
 * branch in their body have nothing for a profiled predicate to hoist. Writing the loops from this
 * table keeps each op's formula in one place. {@link ElementwiseLoopsSourceTest} fails when the
 * committed file differs from this output and rewrites it when run with
 * {@code -Dpanamax.regenerate=true}.
 */
final class ElementwiseLoopGenerator {
    static final String RELATIVE_PATH = "src/main/java/dev/panamax/backend/cpu/ElementwiseLoops.java";

    private static final String SIGN = "zero.blend(one, x.compare(GT, 0f)).blend(one.neg(), x.compare(LT, 0f)).blend(x, x.test(IS_NAN))";

    /** An op's result as a Vector API expression of the loaded operands, after optional local statements. */
    private record Formula(List<String> statements, String result) {
        static Formula of(String result) {
            return new Formula(List.of(), result);
        }

        static Formula of(String statement, String result) {
            return new Formula(List.of(statement), result);
        }

        boolean uses(String name) {
            Pattern word = Pattern.compile("\\b" + name + "\\b");
            return word.matcher(result).find() || statements.stream().anyMatch(s -> word.matcher(s).find());
        }
    }

    /** A family of loops: its parameters, its operands and where each is loaded from, and where results go. */
    private record Family(String prefix, String doc, String parameters, Map<String, String> operands, String output) {}

    private static final Family UNARY = new Family("unary",
            "y = op(x), reading the transcendental part of op's formula (computed by FloatKernels) from ts.",
            "float p0, float p1, MemorySegment xs, long xo, MemorySegment ts, MemorySegment ys, long yo, int n",
            operands("x", "xs, xo + b", "t", "ts, b"), "ys, yo + b");

    private static final Family UNARY_BACKWARD = new Family("unaryBackward",
            "gradIn = gradOut * op'(x) for s[0] = x, s[1] = y, s[2] = gradOut, s[3] = gradIn, reading the transcendental part"
                    + " of the derivative from ts.",
            "float p0, float p1, MemorySegment[] s, long[] o, MemorySegment ts, int n",
            operands("x", "s[0], o[0] + b", "y", "s[1], o[1] + b", "g", "s[2], o[2] + b", "t", "ts, b"), "s[3], o[3] + b");

    private static final Family BINARY = new Family("binary",
            "s[2] = op(s[0], s[1]); comparisons write 1 or 0.",
            "MemorySegment[] s, long[] o, int n",
            operands("x", "s[0], o[0] + b", "y", "s[1], o[1] + b"), "s[2], o[2] + b");

    private static final Family ARGUMENT = new Family("",
            "for FloatKernels' transcendental parts.",
            "float c, MemorySegment xs, long xo, MemorySegment ts, int n",
            operands("x", "xs, xo + b"), "ts, b");

    private static Map<String, String> operands(String... nameAndSource) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < nameAndSource.length; i += 2) {
            map.put(nameAndSource[i], nameAndSource[i + 1]);
        }
        return map;
    }

    /** Forward formulas; the ops that are VectorMath's own passes have none. POW_SCALAR's t is x^p0 for every p0. */
    private static Map<UnaryOp, Formula> unaryFormulas() {
        Map<UnaryOp, Formula> f = new LinkedHashMap<>();
        f.put(UnaryOp.NEG, Formula.of("x.neg()"));
        f.put(UnaryOp.SQRT, Formula.of("x.sqrt()"));
        f.put(UnaryOp.RSQRT, Formula.of("one.div(x.sqrt())"));
        f.put(UnaryOp.ABS, Formula.of("x.abs()"));
        f.put(UnaryOp.SIGN, Formula.of(SIGN));
        f.put(UnaryOp.POW_SCALAR, Formula.of("t"));
        f.put(UnaryOp.CLAMP, Formula.of("x.max(p0).min(p1).blend(x, x.test(IS_NAN))"));
        f.put(UnaryOp.HARDTANH, Formula.of("x.max(p0).min(p1).blend(x, x.test(IS_NAN))"));
        f.put(UnaryOp.RELU, Formula.of("x.max(zero).blend(x, x.test(IS_NAN))"));
        f.put(UnaryOp.LEAKY_RELU, Formula.of("x.blend(x.mul(p0), x.compare(LE, 0f))"));
        f.put(UnaryOp.ELU, Formula.of("x.blend(t.mul(p0), x.compare(LE, 0f))"));
        f.put(UnaryOp.SELU, Formula.of("x.blend(t.mul(SELU_ALPHA), x.compare(LE, 0f)).mul(SELU_SCALE)"));
        f.put(UnaryOp.GELU, Formula.of("x.mul(t)"));
        f.put(UnaryOp.GELU_TANH, Formula.of("x.mul(0.5f).mul(one.add(t))"));
        f.put(UnaryOp.SOFTPLUS, Formula.of("t.div(p0).blend(x, x.mul(p0).compare(GT, p1))"));
        f.put(UnaryOp.SILU, Formula.of("x.mul(one.div(one.add(t)))"));
        f.put(UnaryOp.STEP, Formula.of("zero.blend(one, x.compare(GT, 0f)).blend(p0, x.compare(EQ, 0f)).blend(x, x.test(IS_NAN))"));
        f.put(UnaryOp.LOGICAL_NOT, Formula.of("zero.blend(one, x.compare(EQ, 0f))"));
        return f;
    }

    /** Derivative formulas, g being gradOut; POW_SCALAR's t is x^(p0 - 1) (FloatKernels routes p0 = 0 to a zero gradient). */
    private static Map<UnaryOp, Formula> unaryBackwardFormulas() {
        Map<UnaryOp, Formula> f = new LinkedHashMap<>();
        f.put(UnaryOp.NEG, Formula.of("g.neg()"));
        f.put(UnaryOp.EXP, Formula.of("g.mul(y)"));
        f.put(UnaryOp.LOG, Formula.of("g.div(x)"));
        f.put(UnaryOp.LOG1P, Formula.of("g.div(x.add(one))"));
        f.put(UnaryOp.SQRT, Formula.of("g.mul(0.5f).div(y)"));
        f.put(UnaryOp.RSQRT, Formula.of("g.mul(y.mul(y).mul(y)).mul(-0.5f)"));
        f.put(UnaryOp.ABS, Formula.of("g.mul(" + SIGN + ")"));
        f.put(UnaryOp.SIGN, Formula.of("zero"));
        f.put(UnaryOp.STEP, Formula.of("zero"));
        f.put(UnaryOp.LOGICAL_NOT, Formula.of("zero"));
        f.put(UnaryOp.POW_SCALAR, Formula.of("g.mul(t.mul(p0))"));
        f.put(UnaryOp.CLAMP, Formula.of("zero.blend(g, x.compare(GE, p0).and(x.compare(LE, p1)))"));
        f.put(UnaryOp.HARDTANH, Formula.of("zero.blend(g, x.compare(GT, p0).and(x.compare(LT, p1)))"));
        f.put(UnaryOp.SIGMOID, Formula.of("g.mul(y).mul(one.sub(y))"));
        f.put(UnaryOp.TANH, Formula.of("g.mul(one.sub(y.mul(y)))"));
        f.put(UnaryOp.RELU, Formula.of("zero.blend(g, x.compare(GT, 0f))"));
        f.put(UnaryOp.LEAKY_RELU, Formula.of("g.mul(p0).blend(g, x.compare(GT, 0f))"));
        f.put(UnaryOp.ELU, Formula.of("g.mul(t.mul(p0)).blend(g, x.compare(GT, 0f))"));
        f.put(UnaryOp.SELU, Formula.of("g.mul(t.mul(SELU_ALPHA)).blend(g, x.compare(GT, 0f)).mul(SELU_SCALE)"));
        f.put(UnaryOp.GELU, Formula.of("g.mul(t)"));
        f.put(UnaryOp.GELU_TANH, Formula.of("FloatVector dInner = x.mul(x).mul(3 * 0.044715f).add(one).mul(GELU_K);",
                "g.mul(one.add(t).mul(0.5f).add(x.mul(0.5f).mul(one.sub(t.mul(t))).mul(dInner)))"));
        f.put(UnaryOp.SOFTPLUS, Formula.of("g.mul(one.div(one.add(t))).blend(g, x.mul(p0).compare(GT, p1))"));
        f.put(UnaryOp.SILU, Formula.of("FloatVector sg = one.div(one.add(t));", "g.mul(sg.mul(one.add(x.mul(one.sub(sg)))))"));
        return f;
    }

    /** Binary formulas; POW has its own pass in VectorMath. */
    private static Map<BinaryOp, Formula> binaryFormulas() {
        Map<BinaryOp, Formula> f = new LinkedHashMap<>();
        f.put(BinaryOp.ADD, Formula.of("x.add(y)"));
        f.put(BinaryOp.SUB, Formula.of("x.sub(y)"));
        f.put(BinaryOp.MUL, Formula.of("x.mul(y)"));
        f.put(BinaryOp.DIV, Formula.of("x.div(y)"));
        f.put(BinaryOp.MAXIMUM, Formula.of("x.max(y)"));
        f.put(BinaryOp.MINIMUM, Formula.of("x.min(y)"));
        for (BinaryOp comparison : List.of(BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE)) {
            f.put(comparison, Formula.of("zero.blend(one, x.compare(" + comparison + ", y))"));
        }
        f.put(BinaryOp.LOGICAL_AND, Formula.of("zero.blend(one, x.compare(NE, 0f).and(y.compare(NE, 0f)))"));
        f.put(BinaryOp.LOGICAL_OR, Formula.of("zero.blend(one, x.compare(NE, 0f).or(y.compare(NE, 0f)))"));
        return f;
    }

    /** The arguments FloatKernels passes to VectorMath for the transcendental parts of GELU and pow, or uses as them. */
    private static Map<String, Formula> argumentFormulas() {
        Map<String, Formula> f = new LinkedHashMap<>();
        f.put("negHalfSquare", Formula.of("x.mul(x).mul(-0.5f)"));
        f.put("geluTanhInner", Formula.of("x.mul(x).mul(x).mul(0.044715f).add(x).mul(GELU_K)"));
        f.put("square", Formula.of("x.mul(x)"));
        f.put("constant", Formula.of("FloatVector.broadcast(S, c)"));
        return f;
    }

    private final StringBuilder out = new StringBuilder();

    private ElementwiseLoopGenerator() {}

    static String source() {
        var g = new ElementwiseLoopGenerator();
        g.header();
        g.family(UNARY, "UnaryOp", UnaryOp.values(), unaryFormulas(), "is one of VectorMath's passes");
        g.family(UNARY_BACKWARD, "UnaryOp", UnaryOp.values(), unaryBackwardFormulas(), "has no derivative loop");
        g.family(BINARY, "BinaryOp", BinaryOp.values(), binaryFormulas(), "has its own pass");
        argumentFormulas().forEach((name, formula) -> g.loop(ARGUMENT, "static", name,
                "t = {@code " + formula.result + "}, " + ARGUMENT.doc, formula));
        g.line("}");
        return g.out.toString();
    }

    private void header() {
        line("// Generated by ElementwiseLoopGenerator (java/src/test/java/dev/panamax/backend/cpu); do not edit.");
        line("// Regenerate: mvn -pl java test -Dtest=ElementwiseLoopsSourceTest -Dpanamax.regenerate=true");
        line("package dev.panamax.backend.cpu;");
        line("");
        line("import static dev.panamax.backend.cpu.FloatKernels.GELU_K;");
        line("import static dev.panamax.backend.cpu.FloatKernels.L;");
        line("import static dev.panamax.backend.cpu.FloatKernels.NATIVE;");
        line("import static dev.panamax.backend.cpu.FloatKernels.S;");
        line("import static dev.panamax.backend.cpu.FloatKernels.SELU_ALPHA;");
        line("import static dev.panamax.backend.cpu.FloatKernels.SELU_SCALE;");
        line("import static dev.panamax.backend.cpu.FloatKernels.load;");
        line("import static jdk.incubator.vector.VectorOperators.EQ;");
        line("import static jdk.incubator.vector.VectorOperators.GE;");
        line("import static jdk.incubator.vector.VectorOperators.GT;");
        line("import static jdk.incubator.vector.VectorOperators.IS_NAN;");
        line("import static jdk.incubator.vector.VectorOperators.LE;");
        line("import static jdk.incubator.vector.VectorOperators.LT;");
        line("import static jdk.incubator.vector.VectorOperators.NE;");
        line("");
        line("import dev.panamax.backend.BinaryOp;");
        line("import dev.panamax.backend.UnaryOp;");
        line("import java.lang.foreign.MemorySegment;");
        line("import jdk.incubator.vector.FloatVector;");
        line("");
        line("/**");
        line(" * One straight-line loop over whole vectors per elementwise op, for {@link FloatKernels}: a loop");
        line(" * that switches on the op inside is recompiled by C2 again and again (see ElementwiseLoopGenerator).");
        line(" * Results are stored through the Vector API directly: a call C2 does not inline boxes the vector.");
        line(" */");
        line("final class ElementwiseLoops {");
        line("    private ElementwiseLoops() {}");
    }

    private <E extends Enum<E>> void family(Family family, String enumName, E[] ops, Map<E, Formula> formulas, String absent) {
        List<E> without = new ArrayList<>();
        line("");
        line("    /** %s */", family.doc);
        line("    static void %s(%s op, %s) {", family.prefix, enumName, family.parameters);
        line("        switch (op) {");
        for (E op : ops) {
            if (formulas.containsKey(op)) {
                line("            case %s -> %s(%s);", op, method(family, op), arguments(parameters(family, formulas.get(op))));
            } else {
                without.add(op);
            }
        }
        if (!without.isEmpty()) {
            line("            case %s -> throw new AssertionError(op + \" %s\");",
                    String.join(", ", without.stream().map(Enum::name).toList()), absent);
        }
        line("        }");
        line("    }");
        formulas.forEach((op, formula) -> loop(family, "private static", method(family, op), "{@link #" + family.prefix + "} for " + op + ".", formula));
    }

    private void loop(Family family, String modifiers, String name, String doc, Formula formula) {
        line("");
        line("    /** %s */", doc);
        line("    %s void %s(%s) {", modifiers, name, parameters(family, formula));
        if (formula.uses("one")) {
            line("        FloatVector one = FloatVector.broadcast(S, 1f);");
        }
        if (formula.uses("zero")) {
            line("        FloatVector zero = FloatVector.zero(S);");
        }
        line("        for (int i = 0; i < n; i += L) {");
        line("            long b = 4L * i;");
        family.operands.forEach((operand, source) -> {
            if (formula.uses(operand)) {
                line("            FloatVector %s = load(%s);", operand, source);
            }
        });
        for (String statement : formula.statements) {
            line("            %s", statement);
        }
        line("            %s.intoMemorySegment(%s, NATIVE);", formula.result, family.output);
        line("        }");
        line("    }");
    }

    private static String method(Family family, Enum<?> op) {
        StringBuilder name = new StringBuilder(family.prefix);
        for (String word : op.name().toLowerCase(Locale.ROOT).split("_")) {
            name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
        }
        return name.toString();
    }

    /** The family's parameters that the formula needs: x's segment and offset only if it reads x, and so on. */
    private static String parameters(Family family, Formula formula) {
        return String.join(", ", Arrays.stream(family.parameters.split(", ")).filter(p -> {
            String name = p.substring(p.lastIndexOf(' ') + 1);
            return family.output.startsWith(name + ",") || switch (name) {
                case "p0", "p1", "c" -> formula.uses(name);
                case "xs", "xo" -> formula.uses("x");
                case "ts" -> formula.uses("t");
                default -> true;
            };
        }).toList());
    }

    /** The argument list that forwards a parameter list. */
    private static String arguments(String parameters) {
        return String.join(", ", Arrays.stream(parameters.split(", ")).map(p -> p.substring(p.lastIndexOf(' ') + 1)).toList());
    }

    private void line(String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
