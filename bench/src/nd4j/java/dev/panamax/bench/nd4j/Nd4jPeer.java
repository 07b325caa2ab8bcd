package dev.panamax.bench.nd4j;

import dev.panamax.bench.worker.MaxPool2dWork;
import dev.panamax.bench.worker.Peer;
import dev.panamax.bench.worker.Task;
import dev.panamax.bench.worker.Workload;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ND4J (nd4j-native, its AVX2 build of libnd4j, OpenMP threads from {@code OMP_NUM_THREADS}): the peer the
 * issue quotes for max pooling, so it does that workload only.
 */
final class Nd4jPeer implements Peer {
    Nd4jPeer(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        // The environment's values are numbers, not strings: getProperty would not see them.
        String openMp = String.valueOf(Nd4j.getExecutioner().getEnvironmentInformation().get("omp.threads"));
        if (!Integer.toString(threads).equals(openMp)) {
            throw new IllegalStateException("libnd4j runs " + openMp + " OpenMP threads, not " + threads + ": set OMP_NUM_THREADS");
        }
    }

    @Override
    public String description() {
        Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
        String jar = Path.of(Nd4j.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getFileName().toString();
        return "ND4J: " + jar + " (nd4j-native, AVX2 build; BLAS "
                + info.get("blas.vendor") + "), Java " + Runtime.version();
    }

    @Override
    public boolean supports(Workload workload) {
        return workload instanceof MaxPool2dWork;
    }

    @Override
    public Task prepare(Workload workload) {
        MaxPool2dWork w = (MaxPool2dWork) workload;
        INDArray x = Nd4j.create(w.input(), new long[] {w.n(), w.c(), w.h(), w.w()}, DataType.FLOAT);
        Pooling2DConfig config = Pooling2DConfig.builder().kH(w.kernel()).kW(w.kernel()).sH(w.stride()).sW(w.stride())
                .pH(w.padding()).pW(w.padding()).dH(1).dW(1).paddingMode(PaddingMode.VALID).type(Pooling2D.Pooling2DType.MAX)
                .isNHWC(false).build();
        return new Task() {
            @Override
            public void run() {
                // Free each output now, as the other peers do, rather than leave it to the garbage collector.
                Nd4j.cnn().maxPooling2d(x, config).close();
            }

            @Override
            public List<float[]> runAndRead() {
                try (INDArray y = Nd4j.cnn().maxPooling2d(x, config)) {
                    return List.of(y.reshape(y.length()).toFloatVector());
                }
            }

            @Override
            public void close() {
                x.close();
            }
        };
    }
}
