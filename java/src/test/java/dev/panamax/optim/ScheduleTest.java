package dev.panamax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.optim.schedule.CosineAnnealingLR;
import dev.panamax.optim.schedule.ExponentialLR;
import dev.panamax.optim.schedule.LRScheduler;
import dev.panamax.optim.schedule.LinearLR;
import dev.panamax.optim.schedule.MultiStepLR;
import dev.panamax.optim.schedule.OneCycleLR;
import dev.panamax.optim.schedule.ReduceLROnPlateau;
import dev.panamax.optim.schedule.StepLR;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Learning-rate schedules against the sequences PyTorch 2.13 computes
 * (src/test/resources/optim/torch_reference.py): two parameter groups with rates 0.1 and 0.02;
 * each row is what the groups hold after construction and after each step (the rates, then
 * beta1 or momentum where a schedule cycles it).
 */
class ScheduleTest {
    /** Frees every tensor a test leaves open (parameters, gradients); optimizers free their own state. */
    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** PyTorch: StepLR(3, 0.5). */
    private static final double[][] STEP = {
        {0.1, 0.02},
        {0.1, 0.02},
        {0.1, 0.02},
        {0.05, 0.01},
        {0.05, 0.01},
        {0.05, 0.01},
        {0.025, 0.005},
        {0.025, 0.005},
        {0.025, 0.005},
        {0.0125, 0.0025},
        {0.0125, 0.0025},
    };

    /** PyTorch: MultiStepLR([2, 5, 5, 8], 0.1). */
    private static final double[][] MULTI_STEP = {
        {0.1, 0.02},
        {0.1, 0.02},
        {0.010000000000000002, 0.002},
        {0.010000000000000002, 0.002},
        {0.010000000000000002, 0.002},
        {0.00010000000000000005, 2.0000000000000005e-05},
        {0.00010000000000000005, 2.0000000000000005e-05},
        {0.00010000000000000005, 2.0000000000000005e-05},
        {1.0000000000000006e-05, 2.0000000000000008e-06},
        {1.0000000000000006e-05, 2.0000000000000008e-06},
        {1.0000000000000006e-05, 2.0000000000000008e-06},
    };

    /** PyTorch: ExponentialLR(0.9). */
    private static final double[][] EXPONENTIAL = {
        {0.1, 0.02},
        {0.09000000000000001, 0.018000000000000002},
        {0.08100000000000002, 0.016200000000000003},
        {0.07290000000000002, 0.014580000000000003},
        {0.06561000000000002, 0.013122000000000003},
        {0.05904900000000002, 0.011809800000000004},
        {0.05314410000000002, 0.010628820000000004},
        {0.04782969000000002, 0.009565938000000005},
        {0.043046721000000024, 0.008609344200000004},
        {0.03874204890000002, 0.007748409780000004},
        {0.03486784401000002, 0.006973568802000004},
    };

    /** PyTorch: CosineAnnealingLR(5, 0.001). */
    private static final double[][] COSINE = {
        {0.1, 0.02},
        {0.0905463412215599, 0.018185661446562},
        {0.06579634122155989, 0.013435661446562},
        {0.035203658778440096, 0.007564338553437999},
        {0.010453658778440105, 0.002814338553438},
        {0.001, 0.001},
        {0.010453658778440102, 0.002814338553437999},
        {0.03520365877844012, 0.007564338553438001},
        {0.06579634122155993, 0.013435661446562004},
        {0.09054634122155995, 0.01818566144656201},
        {0.10000000000000005, 0.020000000000000007},
        {0.09054634122155998, 0.018185661446562015},
        {0.06579634122155995, 0.013435661446562008},
        {0.03520365877844014, 0.007564338553438004},
        {0.010453658778440116, 0.0028143385534380016},
        {0.001, 0.001},
    };

    /** PyTorch: LinearLR(0.25, 1.0, 4). */
    private static final double[][] LINEAR = {
        {0.025, 0.005},
        {0.043750000000000004, 0.00875},
        {0.06250000000000001, 0.0125},
        {0.08125000000000002, 0.01625},
        {0.10000000000000002, 0.02},
        {0.10000000000000002, 0.02},
        {0.10000000000000002, 0.02},
        {0.10000000000000002, 0.02},
    };

    /** PyTorch: OneCycleLR(Adam, 0.1, 20). */
    private static final double[][] ONE_CYCLE_ADAM = {
        {0.0040000000000000036, 0.0040000000000000036, 0.95, 0.95},
        {0.013167184270002533, 0.013167184270002533, 0.9404508497187474, 0.9404508497187474},
        {0.037167184270002526, 0.037167184270002526, 0.9154508497187474, 0.9154508497187474},
        {0.06683281572999747, 0.06683281572999747, 0.8845491502812526, 0.8845491502812526},
        {0.09083281572999748, 0.09083281572999748, 0.8595491502812526, 0.8595491502812526},
        {0.1, 0.1, 0.85, 0.85},
        {0.09874640062350874, 0.09874640062350874, 0.8512536043909088, 0.8512536043909088},
        {0.09504846320134738, 0.09504846320134738, 0.854951556604879, 0.854951556604879},
        {0.089091617757105, 0.089091617757105, 0.8609084258765984, 0.8609084258765984},
        {0.0811745653949763, 0.0811745653949763, 0.8688255099070633, 0.8688255099070633},
        {0.07169430017913009, 0.07169430017913009, 0.878305813044122, 0.878305813044122},
        {0.06112620219362893, 0.06112620219362893, 0.8888739533021842, 0.8888739533021842},
        {0.0500002, 0.0500002, 0.8999999999999999, 0.8999999999999999},
        {0.03887419780637107, 0.03887419780637107, 0.9111260466978157, 0.9111260466978157},
        {0.028306099820869922, 0.028306099820869922, 0.9216941869558779, 0.9216941869558779},
        {0.0188258346050237, 0.0188258346050237, 0.9311744900929366, 0.9311744900929366},
        {0.010908782242895003, 0.010908782242895003, 0.9390915741234015, 0.9390915741234015},
        {0.004951936798652629, 0.004951936798652629, 0.945048443395121, 0.945048443395121},
        {0.0012539993764912555, 0.0012539993764912555, 0.9487463956090911, 0.9487463956090911},
        {4e-07, 4e-07, 0.95, 0.95},
        {0.0012539993764912555, 0.0012539993764912555, 0.9487463956090911, 0.9487463956090911},
    };

    /** PyTorch: OneCycleLR(SGD, [0.1, 0.05], 15, three phase, linear). */
    private static final double[][] ONE_CYCLE_SGD_THREE_PHASE = {
        {0.004, 0.002, 0.9, 0.9},
        {0.03890909090909091, 0.019454545454545454, 0.8636363636363636, 0.8636363636363636},
        {0.07381818181818182, 0.03690909090909091, 0.8272727272727273, 0.8272727272727273},
        {0.09127272727272728, 0.04563636363636364, 0.8090909090909091, 0.8090909090909091},
        {0.05636363636363637, 0.028181818181818186, 0.8454545454545455, 0.8454545454545455},
        {0.02145454545454545, 0.010727272727272724, 0.8818181818181818, 0.8818181818181818},
        {0.003764729411764706, 0.001882364705882353, 0.9, 0.9},
        {0.0032941882352941175, 0.0016470941176470588, 0.9, 0.9},
        {0.0028236470588235297, 0.0014118235294117648, 0.9, 0.9},
        {0.0023531058823529414, 0.0011765529411764707, 0.9, 0.9},
        {0.0018825647058823532, 0.0009412823529411766, 0.9, 0.9},
        {0.001412023529411765, 0.0007060117647058825, 0.9, 0.9},
        {0.0009414823529411767, 0.00047074117647058836, 0.9, 0.9},
        {0.00047094117647058847, 0.00023547058823529424, 0.9, 0.9},
        {4.0000000000022656e-07, 2.0000000000011328e-07, 0.9, 0.9},
        {-0.00047014117647058845, -0.00023507058823529423, 0.9, 0.9},
    };

    /** PyTorch: ReduceLROnPlateau(patience 2). */
    private static final double[][] PLATEAU_MIN = {
        {0.1, 0.02},
        {0.1, 0.02},
        {0.1, 0.02},
        {0.1, 0.02},
        {0.1, 0.02},
        {0.05, 0.01},
        {0.05, 0.01},
        {0.05, 0.01},
        {0.05, 0.01},
        {0.05, 0.01},
        {0.025, 0.01},
        {0.025, 0.01},
        {0.025, 0.01},
    };

    /** PyTorch: ReduceLROnPlateau(max, abs 0.1, cooldown 2). */
    private static final double[][] PLATEAU_MAX = {
        {0.1, 0.02},
        {0.1, 0.02},
        {0.1, 0.02},
        {0.1, 0.02},
        {0.1, 0.02},
        {0.010000000000000002, 0.002},
        {0.010000000000000002, 0.002},
        {0.010000000000000002, 0.002},
        {0.010000000000000002, 0.002},
        {0.010000000000000002, 0.002},
        {0.010000000000000002, 0.002},
        {0.0010000000000000002, 0.0002},
        {0.0010000000000000002, 0.0002},
    };

    /** An optimizer of two groups (rates 0.1 and 0.02), from a builder's {@code build}. */
    private static Optimizer twoGroups(Function<ParamGroup[], Optimizer> build) {
        Tensor a = Tensor.zeros(1).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        return build.apply(new ParamGroup[] {ParamGroup.of(List.of(a)), ParamGroup.of(List.of(b)).lr(0.02)});
    }

    private static Optimizer sgd() {
        return twoGroups(g -> SGD.builder().lr(0.1).build(g));
    }

    /** The groups' rates, then {@code extra} of each group when not null. */
    private static double[] row(Optimizer opt, String extra) {
        List<Double> r = new ArrayList<>();
        opt.paramGroups().forEach(g -> r.add(g.lr()));
        if (extra != null) {
            opt.paramGroups().forEach(g -> r.add(g.get(extra)));
        }
        return r.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void assertRows(String what, double[][] expected, List<double[]> actual) {
        assertEquals(expected.length, actual.size(), what + ": rows");
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                double e = expected[i][j];
                double a = actual.get(i)[j];
                if (!(Math.abs(e - a) <= 1e-15 * Math.abs(e))) {
                    fail(what + ": row " + i + " column " + j + " expected " + e + " but got " + a);
                }
            }
        }
    }

    private static void check(String what, double[][] expected, Optimizer opt, Function<Optimizer, LRScheduler> make, String extra) {
        List<double[]> rows = new ArrayList<>();
        LRScheduler s = make.apply(opt);
        rows.add(row(opt, extra));
        for (int k = 1; k < expected.length; k++) {
            s.step();
            rows.add(row(opt, extra));
            assertArrayEquals(row(opt, null), s.getLastLr(), what + ": getLastLr");
        }
        assertEquals(expected.length - 1, s.lastEpoch());
        assertRows(what, expected, rows);
        opt.close();
    }

    @Test
    void stepMultiStepAndExponentialDecay() {
        check("StepLR", STEP, sgd(), o -> new StepLR(o, 3, 0.5), null);
        check("MultiStepLR", MULTI_STEP, sgd(), o -> new MultiStepLR(o, new int[] {2, 5, 5, 8}, 0.1), null);
        check("ExponentialLR", EXPONENTIAL, sgd(), o -> new ExponentialLR(o, 0.9), null);
    }

    @Test
    void cosineAnnealingGoesDownAndBackUpPastTMax() {
        check("CosineAnnealingLR", COSINE, sgd(), o -> new CosineAnnealingLR(o, 5, 0.001), null);
    }

    @Test
    void linearWarmUp() {
        check("LinearLR", LINEAR, sgd(), o -> new LinearLR(o, 0.25, 1.0, 4), null);
        // the warm-up is linear: base·(start + (1 - start)·k/4)
        Optimizer opt = sgd();
        LinearLR warm = new LinearLR(opt, 0.25, 1.0, 4);
        for (int k = 1; k <= 4; k++) {
            warm.step();
            assertEquals(0.1 * (0.25 + 0.75 * k / 4), opt.paramGroups().get(0).lr(), 1e-16);
        }
        opt.close();
    }

    @Test
    void oneCycleCyclesTheRateAndAdamsBeta1() {
        check("OneCycleLR Adam", ONE_CYCLE_ADAM, twoGroups(g -> Adam.builder().lr(0.1).build(g)),
                o -> OneCycleLR.builder(o, 0.1).totalSteps(20).build(), "beta1");
    }

    @Test
    void oneCycleThreePhaseLinearCyclesSgdMomentumPerGroup() {
        check("OneCycleLR SGD three phase", ONE_CYCLE_SGD_THREE_PHASE, twoGroups(g -> SGD.builder().lr(0.1).momentum(0.9).build(g)),
                o -> OneCycleLR.builder(o, 0.1, 0.05).totalSteps(15).threePhase(true).annealStrategy(OneCycleLR.AnnealStrategy.LINEAR)
                        .pctStart(0.25).baseMomentum(0.8).maxMomentum(0.9).build(), "momentum");
    }

    @Test
    void oneCycleDefaultsArePyTorchs() {
        Optimizer opt = sgd();
        OneCycleLR.builder(opt, 1.0).epochs(2, 5).build();
        ParamGroup g = opt.paramGroups().get(0);
        assertEquals(1.0 / 25, g.get("initial_lr"), "div_factor 25");
        assertEquals(1.0 / 25, g.lr(), 1e-16);
        assertEquals(1.0 / 25 / 1e4, g.get("min_lr"), "final_div_factor 1e4");
        assertEquals(0.95, g.get("momentum"), "momentum starts at max_momentum 0.95");
        assertEquals(0.85, g.get("base_momentum"));
        opt.close();
    }

    private static void checkPlateau(String what, double[][] expected, ReduceLROnPlateau.Builder b, Optimizer opt, double[] metrics) {
        ReduceLROnPlateau s = b.build();
        List<double[]> rows = new ArrayList<>();
        rows.add(row(opt, null));
        for (double m : metrics) {
            s.step(m);
            rows.add(row(opt, null));
            assertArrayEquals(row(opt, null), s.getLastLr(), what + ": getLastLr");
        }
        assertRows(what, expected, rows);
        opt.close();
    }

    @Test
    void reduceOnPlateauWaitsForPatienceAndRespectsMinLr() {
        Optimizer opt = sgd();
        checkPlateau("ReduceLROnPlateau min", PLATEAU_MIN, ReduceLROnPlateau.builder(opt).patience(2).factor(0.5).minLr(0.0, 0.01), opt,
                new double[] {5, 4, 4, 4, 4, 3.9999, 3, 3, 3, 3, 3, 3});
    }

    @Test
    void reduceOnPlateauInMaxModeWithAnAbsoluteThresholdAndCooldown() {
        Optimizer opt = sgd();
        checkPlateau("ReduceLROnPlateau max", PLATEAU_MAX, ReduceLROnPlateau.builder(opt).mode(ReduceLROnPlateau.Mode.MAX)
                .threshold(0.1).thresholdMode(ReduceLROnPlateau.ThresholdMode.ABS).patience(1).cooldown(2), opt,
                new double[] {1, 1.05, 1.2, 1.25, 1.3, 1.3, 1.3, 1.3, 1.5, 1.5, 1.5, 1.5});
    }
}
