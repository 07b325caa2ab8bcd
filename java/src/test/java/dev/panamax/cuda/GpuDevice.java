package dev.panamax.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.tensor.Device;

/**
 * The device the gpu-tagged tests run on: cuda:0, or the tests are skipped with the reason it is
 * unusable. {@code -Dpanamax.test.gpuDevice=cpu} runs their bodies against the CPU instead, to
 * check the tests themselves on a machine without a GPU (it proves nothing about CUDA).
 */
public final class GpuDevice {
    private GpuDevice() {}

    public static Device get() {
        if ("cpu".equals(System.getProperty("panamax.test.gpuDevice"))) {
            return Device.CPU;
        }
        String why = Device.whyNotCuda();
        assumeTrue(why.isEmpty(), "no usable GPU: " + why);
        return Device.cuda(0);
    }
}
