package dev.panamax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.optim.schedule.CosineAnnealingLR;
import dev.panamax.optim.schedule.ExponentialLR;
import dev.panamax.optim.schedule.LinearLR;
import dev.panamax.optim.schedule.OneCycleLR;
import dev.panamax.optim.schedule.ReduceLROnPlateau;
import dev.panamax.optim.schedule.StepLR;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Scope;
import dev.panamax.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Each misuse fails with a message naming the optimizer or schedule, the argument and the value at fault. */
class BadInputTest {
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

    private static String message(Executable e) {
        return assertThrows(RuntimeException.class, e).getMessage();
    }

    private static Tensor leaf(long... shape) {
        return Tensor.zeros(shape).requiresGrad(true);
    }

    @Test
    void hyperparametersOutOfRange() {
        List<Tensor> ps = List.of(leaf(3));
        assertEquals("SGD: invalid lr = -0.1 in param group 0 (must be >= 0)", message(() -> SGD.builder().lr(-0.1).build(ps)));
        assertEquals("SGD: invalid momentum = -0.9 in param group 0 (must be >= 0)", message(() -> SGD.builder().momentum(-0.9).build(ps)));
        assertEquals("Adam: invalid lr = NaN in param group 0 (must be >= 0)", message(() -> Adam.builder().lr(Double.NaN).build(ps)));
        assertEquals("Adam: invalid beta1 = 1 in param group 0 (must be in [0, 1))", message(() -> Adam.builder().betas(1.0, 0.999).build(ps)));
        assertEquals("AdamW: invalid beta2 = -0.1 in param group 0 (must be in [0, 1))", message(() -> AdamW.builder().betas(0.9, -0.1).build(ps)));
        assertEquals("NAdam: invalid beta2 = 1.5 in param group 0 (must be in [0, 1))", message(() -> NAdam.builder().betas(0.9, 1.5).build(ps)));
        assertEquals("Adam: invalid eps = -1.0E-8 in param group 0 (must be >= 0)", message(() -> Adam.builder().eps(-1e-8).build(ps)));
        assertEquals("Adam: invalid weight_decay = -0.01 in param group 0 (must be >= 0)", message(() -> Adam.builder().weightDecay(-0.01).build(ps)));
        assertEquals("Adagrad: invalid lr_decay = -1 in param group 0 (must be >= 0)", message(() -> Adagrad.builder().lrDecay(-1).build(ps)));
        assertEquals("Adadelta: invalid rho = 1.5 in param group 0 (must be in [0, 1])", message(() -> Adadelta.builder().rho(1.5).build(ps)));
        assertEquals("RMSprop: invalid alpha = -0.99 in param group 0 (must be >= 0)", message(() -> RMSprop.builder().alpha(-0.99).build(ps)));
        assertEquals("NAdam: invalid momentum_decay = -0.004 in param group 0 (must be >= 0)", message(() -> NAdam.builder().momentumDecay(-4e-3).build(ps)));
        assertEquals("SGD: Nesterov momentum requires a momentum and zero dampening (param group 0 has momentum 0.0, dampening 0.0)",
                message(() -> SGD.builder().nesterov(true).build(ps)));
        assertEquals("LBFGS: invalid history_size = 0 in param group 0 (must be in [1, 2147483647])",
                message(() -> LBFGS.builder().historySize(0).build(ps)));
        assertEquals("BFGS: invalid max_iter = 0 in param group 0 (must be in [1, 2147483647])", message(() -> BFGS.builder().maxIter(0).build(ps)));
    }

    @Test
    void aBadOptionInALaterGroupNamesThatGroup() {
        assertEquals("SGD: invalid lr = -1 in param group 1 (must be >= 0)",
                message(() -> SGD.builder().build(ParamGroup.of(List.of(leaf(2))), ParamGroup.of(List.of(leaf(2))).lr(-1))));
        assertEquals("Adam: param group 0 sets an unknown option 'momentum' (options: [lr, beta1, beta2, eps, weight_decay, amsgrad,"
                + " decoupled_weight_decay])", message(() -> Adam.builder().build(ParamGroup.of(List.of(leaf(2))).set("momentum", 0.9))));
    }

    @Test
    void parametersAnOptimizerCannotUpdate() {
        assertEquals("SGD: optimizer got an empty parameter list", message(() -> SGD.builder().build(List.of())));
        assertEquals("Adam: optimizer got an empty parameter list (param group 1)",
                message(() -> Adam.builder().build(ParamGroup.of(List.of(leaf(2))), ParamGroup.of(List.of()))));
        Tensor frozen = Tensor.zeros(2, 3).name("frozen");
        assertEquals("Adam: parameter 1 of param group 0 ('frozen' float32[2, 3]) does not require grad; only tensors with"
                + " requiresGrad(true) can be optimized", message(() -> Adam.builder().build(List.of(leaf(2), frozen))));
        Tensor w = leaf(2);
        Tensor computed = w.mul(2.0);
        assertEquals("SGD: parameter 0 of param group 0 (float32[2] from MulBackward) is not a leaf; optimize the tensor it was computed from",
                message(() -> SGD.builder().build(List.of(computed))));
        assertEquals("SGD: parameter 0 of param group 1 (float32[2]) appears more than once; some parameters appear in more than one"
                + " parameter group", message(() -> SGD.builder().build(ParamGroup.of(List.of(w)), ParamGroup.of(List.of(w)))));
    }

    @Test
    void secondOrderMisuse() {
        assertEquals("LBFGS doesn't support per-parameter options (parameter groups)",
                message(() -> LBFGS.builder().build(ParamGroup.of(List.of(leaf(2))), ParamGroup.of(List.of(leaf(2))))));
        try (LBFGS opt = LBFGS.builder().build(List.of(leaf(2)))) {
            assertEquals("LBFGS.step() needs a closure that re-evaluates the loss: call step(LossClosure)", message(opt::step));
        }
        try (Problems.Problem p = Problems.logistic(DType.FLOAT64);
             Newton opt = Newton.builder().hessian(() -> Tensor.zeros(DType.FLOAT64, 4, 4)).build(p.params())) {
            assertEquals("Newton: the Hessian function returned shape [4, 4], expected [5, 5] (the 5 parameter elements, flattened in order)",
                    message(() -> opt.step(p.closure())));
        }
    }

    @Test
    void loadingAStateOfAnotherOptimizerOrLayoutFailsAndChangesNothing() {
        Tensor a = leaf(3);
        Tensor b = leaf(4);
        a.setGrad(Tensor.ones(3));
        b.setGrad(Tensor.ones(4));
        try (Optimizer sgd = SGD.builder().lr(0.1).momentum(0.9).build(List.of(a, b));
             Optimizer adam = Adam.builder().lr(0.5).build(List.of(a, b));
             Optimizer oneGroup = Adam.builder().build(List.of(a));
             Optimizer twoGroups = Adam.builder().build(ParamGroup.of(List.of(a)), ParamGroup.of(List.of(b)));
             Optimizer swapped = Adam.builder().build(List.of(b, a))) {
            sgd.step();
            adam.step();
            try (OptimizerState sgdState = sgd.stateDict(); OptimizerState adamState = adam.stateDict()) {
                assertEquals("Adam.loadStateDict: the state was saved from SGD, not Adam", message(() -> adam.loadStateDict(sgdState)));
                assertEquals("Adam.loadStateDict: the loaded state has 1 parameter group(s), this optimizer has 2",
                        message(() -> twoGroups.loadStateDict(adamState)));
                assertEquals("Adam.loadStateDict: param group 0 has 2 parameter(s) in the loaded state, 1 in this optimizer",
                        message(() -> oneGroup.loadStateDict(adamState)));
                assertEquals("Adam.loadStateDict: parameter 0 of param group 0 has shape [3] in the loaded state, [4] in this optimizer",
                        message(() -> swapped.loadStateDict(adamState)));
                assertEquals(1e-3, swapped.paramGroups().get(0).lr(), "a failed load changes nothing");
            }
        }
        try (Optimizer f64 = Adam.builder().build(List.of(Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true)));
             Optimizer f32 = Adam.builder().build(List.of(a))) {
            f64.paramGroups().get(0).params().get(0).setGrad(Tensor.ones(DType.FLOAT64, 3));
            f64.step();
            try (OptimizerState s = f64.stateDict()) {
                assertEquals("Adam.loadStateDict: state 'exp_avg' of parameter position 0 is float64[3], but the parameter is float32[3]",
                        message(() -> f32.loadStateDict(s)));
            }
        }
    }

    @Test
    void schedulesWithImpossibleSettings() {
        try (Optimizer sgd = SGD.builder().lr(0.1).build(List.of(leaf(2))); Optimizer adagrad = Adagrad.builder().build(List.of(leaf(2)))) {
            assertEquals("StepLR: step_size must be >= 1, got 0", message(() -> new StepLR(sgd, 0)));
            assertEquals("CosineAnnealingLR: T_max must be >= 1, got 0", message(() -> new CosineAnnealingLR(sgd, 0)));
            assertEquals("LinearLR: start_factor must be in (0, 1], got 0.0", message(() -> new LinearLR(sgd, 0, 1, 5)));
            assertEquals("LinearLR: end_factor must be in [0, 1], got 1.5", message(() -> new LinearLR(sgd, 0.5, 1.5, 5)));
            assertEquals("OneCycleLR: expected a positive total_steps (or epochs and steps_per_epoch), got 0",
                    message(() -> OneCycleLR.builder(sgd, 0.1).build()));
            assertEquals("OneCycleLR: expected pct_start between 0 and 1, got 1.5",
                    message(() -> OneCycleLR.builder(sgd, 0.1).totalSteps(10).pctStart(1.5).build()));
            assertEquals("OneCycleLR: expected 1 or 1 values for max_lr, got 2", message(() -> OneCycleLR.builder(sgd, 0.1, 0.2).totalSteps(10).build()));
            assertEquals("OneCycleLR: optimizer Adagrad must support momentum or beta1 with cycle_momentum enabled",
                    message(() -> OneCycleLR.builder(adagrad, 0.1).totalSteps(10).build()));
            OneCycleLR oneCycle = OneCycleLR.builder(sgd, 0.1).totalSteps(3).build();
            oneCycle.step();
            oneCycle.step();
            oneCycle.step();
            assertEquals("OneCycleLR: tried to step 4 times; the specified number of total steps is 3", message(oneCycle::step));
            assertEquals("ReduceLROnPlateau: factor should be < 1.0, got 1.0", message(() -> ReduceLROnPlateau.builder(sgd).factor(1.0).build()));
            assertEquals("ReduceLROnPlateau: expected 1 or 1 min_lrs, got 2", message(() -> ReduceLROnPlateau.builder(sgd).minLr(0, 0).build()));
        }
    }

    @Test
    void loadingAScheduleOfAnotherKindOrGroupCount() {
        try (Optimizer one = SGD.builder().lr(0.1).build(List.of(leaf(2)));
             Optimizer two = SGD.builder().lr(0.1).build(ParamGroup.of(List.of(leaf(2))), ParamGroup.of(List.of(leaf(2))))) {
            StepLR step = new StepLR(one, 2);
            ExponentialLR exp = new ExponentialLR(one, 0.5);
            assertEquals("ExponentialLR.loadStateDict: the state was saved from StepLR, not ExponentialLR",
                    message(() -> exp.loadStateDict(step.stateDict())));
            StepLR stepTwo = new StepLR(two, 2);
            assertEquals("StepLR.loadStateDict: the state has 1 parameter group(s), the optimizer has 2",
                    message(() -> stepTwo.loadStateDict(step.stateDict())));
            ReduceLROnPlateau plateau = ReduceLROnPlateau.builder(one).build();
            assertEquals("ReduceLROnPlateau.loadStateDict: the state was saved from StepLR, not ReduceLROnPlateau",
                    message(() -> plateau.loadStateDict(step.stateDict())));
        }
    }

    @Test
    void aMissingOptionIsNamed() {
        try (Optimizer sgd = SGD.builder().build(List.of(leaf(2)))) {
            assertEquals("param group has no option 'beta1' (it has [lr, momentum, dampening, weight_decay, nesterov])",
                    message(() -> sgd.paramGroups().get(0).get("beta1")));
            assertArrayEquals(new double[] {1e-3}, new double[] {sgd.paramGroups().get(0).lr()});
        }
    }
}
