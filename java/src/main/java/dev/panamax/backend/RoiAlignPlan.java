package dev.panamax.backend;

/**
 * RoI Align's boxes and settings, prepared by {@link Backend#prepareRoiAlign} once for a forward
 * and the backward of the same call. A backend may keep what both need with it (the CPU keeps
 * every box's bilinear samples); the default keeps the arguments, so the boxes' storage must stay
 * alive and unchanged while the plan is used.
 */
public interface RoiAlignPlan {
    Operand boxes();

    double spatialScale();

    /** Samples per bin and axis; <= 0 means adaptive (ceil of the bin size). */
    int samplingRatio();

    boolean aligned();

    /** The plan that keeps the arguments only. */
    record Arguments(Operand boxes, double spatialScale, int samplingRatio, boolean aligned) implements RoiAlignPlan {}
}
