package dev.panamax.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.bindings.cudnn.cudnnConvolutionBwdDataAlgoPerfStruct;
import dev.panamax.bindings.cudnn.cudnnConvolutionBwdFilterAlgoPerfStruct;
import dev.panamax.bindings.cudnn.cudnnConvolutionFwdAlgoPerfStruct;
import org.junit.jupiter.api.Test;

/** CudnnConvolution reads all three perf structs through the forward one's accessors: they must share a layout. */
class CudnnLayoutTest {
    @Test
    void theThreeAlgorithmPerfStructsShareOneLayout() {
        var fwd = cudnnConvolutionFwdAlgoPerfStruct.layout();
        for (var other : new java.lang.foreign.GroupLayout[] {cudnnConvolutionBwdDataAlgoPerfStruct.layout(),
            cudnnConvolutionBwdFilterAlgoPerfStruct.layout()}) {
            assertEquals(fwd.withoutName(), other.withoutName());
        }
        assertEquals(48, fwd.byteSize());
    }
}
