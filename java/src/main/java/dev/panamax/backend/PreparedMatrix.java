package dev.panamax.backend;

/**
 * A right-hand matrix operand b [K, N] prepared once by {@link Backend#prepareRight} for many products
 * {@link Backend#matmulPrepared}, as a recurrent weight is multiplied at every step of a sequence. A backend
 * may keep it rearranged for its kernels (the CPU packs float32 panels once instead of at every product);
 * the default keeps the operand itself, so the source's storage must stay alive and unchanged until
 * {@link #close()}.
 */
public interface PreparedMatrix extends AutoCloseable {
    /** The operand it was prepared from, [K, N]. */
    Operand source();

    /** Releases what the backend holds for it (nothing by default). */
    @Override
    default void close() {}
}
