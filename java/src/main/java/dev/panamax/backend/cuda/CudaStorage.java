package dev.panamax.backend.cuda;

import dev.panamax.backend.Operand;
import dev.panamax.backend.Storage;
import dev.panamax.tensor.Device;

/** Device memory of a CUDA tensor: a block of its context's stream-ordered pool. */
final class CudaStorage extends Storage {
    private final CudaContext context;
    private final long address;

    CudaStorage(CudaContext context, long byteSize) {
        long block = context.allocate(byteSize); // before super(): a failed allocation counts no live storage
        super(Device.cuda(context.index()), byteSize);
        this.context = context;
        this.address = block;
    }

    /** The device address; valid while the storage is alive. */
    long address() {
        if (!isAlive()) {
            throw new IllegalStateException("CUDA storage of " + byteSize() + " bytes was already freed");
        }
        return address;
    }

    /** The device address of an operand's element [0, 0, ...]. */
    static long address(Operand op) {
        return ((CudaStorage) op.storage()).address() + op.offset() * op.dtype().byteSize();
    }

    @Override
    protected void free() {
        context.free(address, byteSize());
    }
}
