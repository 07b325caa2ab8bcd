package dev.panamax.tensor;

import dev.panamax.autograd.Autograd;
import dev.panamax.autograd.GradMode;
import dev.panamax.autograd.Node;
import dev.panamax.backend.Backend;
import dev.panamax.backend.Backends;
import dev.panamax.backend.BinaryOp;
import dev.panamax.backend.Operand;
import dev.panamax.backend.RandomKind;
import dev.panamax.backend.Storage;
import dev.panamax.ops.Activation;
import dev.panamax.ops.DeviceTransfer;
import dev.panamax.ops.IndexOps;
import dev.panamax.ops.LinearAlgebra;
import dev.panamax.ops.Pointwise;
import dev.panamax.ops.Reduction;
import dev.panamax.ops.ShapeOps;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An n-dimensional array on a device, with optional gradient tracking.
 *
 * <p>A tensor is a view (shape, strides, offset) of a reference-counted {@link Storage}; view
 * ops share the storage without copying. Memory is freed explicitly: {@link #close()}, or the
 * enclosing {@link Scope}. Using a closed tensor throws {@link IllegalStateException}; a tensor
 * the garbage collector finds unclosed is freed and reported as a leak.
 *
 * <p>Method names and semantics follow PyTorch. The op methods are one-line delegations to
 * {@code dev.panamax.ops}, where each op and its backward rule are defined.
 */
public final class Tensor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tensor.class);
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong LEAKED = new AtomicLong();

    // not final: moveTo(Device) swaps them for memory on another device
    private Resource resource;
    private Cleaner.Cleanable cleanable;
    private Operand operand;
    private final Shape shape;
    private Backend backend;

    private Scope owner;
    /** Graph nodes that will read this tensor in backward; close() waits for them (see close()). */
    private int graphHolds;
    private boolean closePending;
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private String name;
    /** See {@link #version()}. */
    private long version;

    /**
     * The part a Cleaner may see: it must not reference the tensor. It keeps the dtype and shape for the leak warning
     * and builds that text only then: a string per tensor would cost every op its formatting.
     */
    private static final class Resource implements Runnable {
        private final Storage storage;
        private final DType dtype;
        private final Shape shape;
        private volatile boolean closedExplicitly;
        private boolean released;

        Resource(Storage storage, DType dtype, Shape shape) {
            this.storage = storage;
            this.dtype = dtype;
            this.shape = shape;
        }

        @Override
        public synchronized void run() {
            if (released) {
                return;
            }
            released = true;
            storage.release();
            LIVE.decrementAndGet();
            if (!closedExplicitly) {
                long n = LEAKED.incrementAndGet();
                if (n == 1 || n % 10_000 == 0) {
                    LOG.warn("{} tensor(s) were garbage-collected without close(), most recently {}; use try-with-resources"
                            + " or a Scope so memory is freed when you are done with it", n, dtype.pyName() + shape);
                }
            }
        }
    }

    private Tensor(Storage storage, DType dtype, Shape shape, long[] strides, long offset) {
        this.shape = shape;
        this.operand = new Operand(storage, dtype, shape.toArray(), strides, offset);
        this.backend = Backends.get(storage.device());
        this.resource = new Resource(storage, dtype, shape);
        this.cleanable = CLEANER.register(this, resource);
        LIVE.incrementAndGet();
        Scope s = Scope.current();
        if (s != null) {
            owner = s;
            s.register(this);
        }
    }

    // ---------------------------------------------------------------- construction (internal)

    /**
     * A tensor over existing storage, taking over one reference the caller holds. For ops and
     * backends; most users never need it.
     */
    public static Tensor wrap(Storage storage, DType dtype, Shape shape, long[] strides, long offset) {
        return new Tensor(storage, dtype, shape, strides, offset);
    }

    /** A new tensor whose contents are arbitrary (every element must be written before it is read). */
    public static Tensor empty(Shape shape, DType dtype, Device device) {
        Storage storage = Backends.get(device).allocate(dtype, shape.numel());
        return new Tensor(storage, dtype, shape, shape.contiguousStrides(), 0);
    }

    /** Another view of this tensor's storage with the given layout (no copy, no autograd). */
    public Tensor viewOf(Shape newShape, long[] newStrides, long newOffset) {
        Storage s = storage();
        s.retain();
        return new Tensor(s, dtype(), newShape, newStrides, newOffset);
    }

    /**
     * A second tensor object for the same elements, closed independently of this one; in the
     * graph it is an identity op, so gradients flow through it.
     */
    public Tensor alias() {
        return ShapeOps.alias(this);
    }

    // ---------------------------------------------------------------- creation

    public static Tensor empty(DType dtype, long... shape) {
        return empty(Shape.of(shape), dtype, Device.CPU);
    }

    public static Tensor zeros(long... shape) {
        return full(0, DType.FLOAT32, shape);
    }

    public static Tensor zeros(DType dtype, long... shape) {
        return full(0, dtype, shape);
    }

    public static Tensor ones(long... shape) {
        return full(1, DType.FLOAT32, shape);
    }

    public static Tensor ones(DType dtype, long... shape) {
        return full(1, dtype, shape);
    }

    public static Tensor full(double value, long... shape) {
        return full(value, DType.FLOAT32, shape);
    }

    public static Tensor full(double value, DType dtype, long... shape) {
        return full(Shape.of(shape), value, dtype, Device.CPU);
    }

    public static Tensor full(Shape shape, double value, DType dtype, Device device) {
        Tensor t = empty(shape, dtype, device);
        t.backend.fill(t.operand, value);
        return t;
    }

    public static Tensor zerosLike(Tensor t) {
        return full(t.shape, 0, t.dtype(), t.device());
    }

    public static Tensor onesLike(Tensor t) {
        return full(t.shape, 1, t.dtype(), t.device());
    }

    /** A 0-dimensional float32 tensor. */
    public static Tensor scalar(double value) {
        return full(Shape.scalar(), value, DType.FLOAT32, Device.CPU);
    }

    /** A 0-dimensional tensor of the given type. */
    public static Tensor scalar(double value, DType dtype) {
        return full(Shape.scalar(), value, dtype, Device.CPU);
    }

    /** 0, 1, ..., end - 1 as INT64, like {@code torch.arange(end)}. */
    public static Tensor arange(long end) {
        return arange(0, end, 1, DType.INT64);
    }

    /** start, start + step, ... up to (excluding) end. */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || Double.isNaN(step) || Double.isNaN(start) || Double.isNaN(end)) {
            throw new IllegalArgumentException("arange: step must be non-zero and bounds finite, got start=" + start + " end=" + end + " step=" + step);
        }
        if ((end - start) / step < 0) {
            throw new IllegalArgumentException("arange: step " + step + " points away from end (start=" + start + ", end=" + end + ")");
        }
        long n = (long) Math.ceil((end - start) / step);
        Tensor t = empty(Shape.of(n), dtype, Device.CPU);
        t.backend.arange(t.operand, start, step);
        return t;
    }

    /** {@code steps} evenly spaced values from start to end inclusive (float32). */
    public static Tensor linspace(double start, double end, long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("linspace: steps must be non-negative, got " + steps);
        }
        Tensor t = empty(Shape.of(steps), DType.FLOAT32, Device.CPU);
        t.backend.arange(t.operand, start, steps > 1 ? (end - start) / (steps - 1) : 0);
        return t;
    }

    /** The n×n identity (float32). */
    public static Tensor eye(long n) {
        return eye(n, n);
    }

    /** The n×m matrix with ones on the diagonal (float32). */
    public static Tensor eye(long n, long m) {
        Tensor t = zeros(n, m);
        long d = Math.min(n, m);
        if (d > 0) {
            try (Tensor diag = t.viewOf(Shape.of(d), new long[] {m + 1}, 0)) {
                t.backend.fill(diag.operand, 1);
            }
        }
        return t;
    }

    /** Uniform on [0, 1) from the global generator. */
    public static Tensor rand(long... shape) {
        return random(Generator.global(), RandomKind.UNIFORM, 0, 1, DType.FLOAT32, shape);
    }

    public static Tensor rand(Generator gen, long... shape) {
        return random(gen, RandomKind.UNIFORM, 0, 1, DType.FLOAT32, shape);
    }

    /** Standard normal from the global generator. */
    public static Tensor randn(long... shape) {
        return random(Generator.global(), RandomKind.NORMAL, 0, 1, DType.FLOAT32, shape);
    }

    public static Tensor randn(Generator gen, long... shape) {
        return random(gen, RandomKind.NORMAL, 0, 1, DType.FLOAT32, shape);
    }

    /** Integers uniform on [low, high) as INT64. */
    public static Tensor randint(long low, long high, long... shape) {
        return randint(Generator.global(), low, high, shape);
    }

    public static Tensor randint(Generator gen, long low, long high, long... shape) {
        if (high <= low) {
            throw new IllegalArgumentException("randint: high (" + high + ") must be greater than low (" + low + ")");
        }
        return random(gen, RandomKind.INTEGER, low, high, DType.INT64, shape);
    }

    /** A tensor from a distribution; see {@link RandomKind} for p0, p1. */
    public static Tensor random(Generator gen, RandomKind kind, double p0, double p1, DType dtype, long... shape) {
        Tensor t = empty(Shape.of(shape), dtype, Device.CPU);
        t.backend.random(t.operand, kind, gen.seed(), gen.reserve(t.numel()), p0, p1);
        return t;
    }

    /** Fills this tensor in place from a distribution (used by dropout masks and initialisers). */
    public Tensor random_(Generator gen, RandomKind kind, double p0, double p1) {
        checkInPlace("random_");
        backend.random(operand(), kind, gen.seed(), gen.reserve(numel()), p0, p1);
        return this;
    }

    /** A float32 tensor of the given shape holding {@code data} (row-major). */
    public static Tensor of(float[] data, long... shape) {
        return fromHost(MemorySegment.ofArray(data), data.length, DType.FLOAT32, shape);
    }

    /** A float64 tensor. */
    public static Tensor of(double[] data, long... shape) {
        return fromHost(MemorySegment.ofArray(data), data.length, DType.FLOAT64, shape);
    }

    /** An int32 tensor. */
    public static Tensor of(int[] data, long... shape) {
        return fromHost(MemorySegment.ofArray(data), data.length, DType.INT32, shape);
    }

    /** An int64 tensor. */
    public static Tensor of(long[] data, long... shape) {
        return fromHost(MemorySegment.ofArray(data), data.length, DType.INT64, shape);
    }

    /** A BOOL tensor. */
    public static Tensor of(boolean[] data, long... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (data[i] ? 1 : 0);
        }
        return fromHost(MemorySegment.ofArray(b), b.length, DType.BOOL, shape);
    }

    /** A 1-D float32 tensor. */
    public static Tensor of(float... data) {
        return of(data, data.length);
    }

    private static Tensor fromHost(MemorySegment host, long length, DType dtype, long[] shape) {
        Shape s = Shape.of(shape);
        if (s.numel() != length) {
            throw new IllegalArgumentException("of: " + length + " values cannot fill shape " + s + " (" + s.numel() + " elements)");
        }
        Tensor t = empty(s, dtype, Device.CPU);
        t.backend.write(host, t.operand);
        return t;
    }

    // ---------------------------------------------------------------- metadata

    public Shape shape() {
        return shape;
    }

    /** Size of one dim (negative counts from the end). */
    public long size(int dim) {
        return shape.size(dim);
    }

    public int rank() {
        return shape.rank();
    }

    /** Same as {@link #rank()}, PyTorch's name. */
    public int dim() {
        return shape.rank();
    }

    public long numel() {
        return shape.numel();
    }

    public DType dtype() {
        return operand.dtype();
    }

    public Device device() {
        return backend.device();
    }

    /** Strides in elements. */
    public long[] strides() {
        return operand.strides().clone();
    }

    /** Offset of the first element in the storage, in elements. */
    public long storageOffset() {
        return operand.offset();
    }

    public boolean isContiguous() {
        return operand.isContiguous();
    }

    /** True when no other tensor object shares this one's storage. */
    public boolean isExclusive() {
        return storage().isExclusive();
    }

    /** An optional name used in messages (parameters get theirs from their module). */
    public Tensor name(String name) {
        this.name = name;
        return this;
    }

    public String name() {
        return name;
    }

    /** A short description for messages: name, dtype, shape and where it came from. */
    public String describe() {
        String origin = gradFn != null ? " from " + gradFn.name() : "";
        return (name != null ? "'" + name + "' " : "") + dtype().pyName() + shape + origin;
    }

    // ---------------------------------------------------------------- kernels' view (internal)

    /** The kernel operand of this tensor; throws if it was closed. Counts towards {@link #version()}. */
    public Operand operand() {
        checkAlive();
        version++;
        return operand;
    }

    /**
     * Counts what may have changed this tensor's elements: in-place methods, {@link #moveTo}, and
     * every hand-out of its kernel operand (a kernel may write through it). Reads count too, so an
     * unchanged version, while no other view shares the memory ({@link #isExclusive()}), proves the
     * elements unchanged, and a cache keyed on it at worst refreshes too often.
     */
    public long version() {
        return version;
    }

    /** The backend of this tensor's device. */
    public Backend backend() {
        return backend;
    }

    private Storage storage() {
        checkAlive();
        return operand.storage();
    }

    private void checkAlive() {
        if (resource.released) {
            throw new IllegalStateException("tensor " + describe() + " was used after close()");
        }
    }

    // ---------------------------------------------------------------- lifetime

    /**
     * Frees this tensor's reference to its memory, and its gradient. Idempotent.
     *
     * <p>While a recorded op that consumed this tensor may still run its backward, the memory
     * is kept until that op's graph is freed (by backward, or by closing the op's result), so
     * code may close intermediates as soon as it is done with them. Closing the result of a
     * recorded op frees that op's graph node too, as dropping the last reference to a tensor
     * does in PyTorch.
     */
    @Override
    public void close() {
        Node node;
        synchronized (this) {
            if (graphHolds > 0) {
                closePending = true;
                resource.closedExplicitly = true;
                return;
            }
            node = free();
        }
        if (node != null) {
            node.release();
        }
    }

    /** Frees the memory now, whatever still refers to it (a closing scope does this). */
    void closeNow() {
        Node node;
        synchronized (this) {
            node = free();
        }
        if (node != null) {
            node.release();
        }
    }

    /** Releases the storage and gradient; returns the node that computed this tensor, for the caller to free. */
    private Node free() {
        closePending = false;
        resource.closedExplicitly = true;
        cleanable.clean();
        owner = null;
        if (grad != null) {
            grad.close();
            grad = null;
        }
        return gradFn;
    }

    /** Called by a graph node whose backward will read this tensor. */
    public synchronized void holdForGraph() {
        graphHolds++;
    }

    /**
     * Called when such a node is freed. When that completes a close() that was waiting, frees
     * the memory and returns this tensor's own node, which the caller must free next.
     */
    public synchronized Node dropGraphHold() {
        if (--graphHolds > 0 || !closePending) {
            return null;
        }
        return free();
    }

    public boolean isClosed() {
        return resource.released;
    }

    Scope owner() {
        return owner;
    }

    void moveToScope(Scope scope) {
        owner = scope;
        if (scope != null) {
            scope.register(this);
        }
    }

    /** Takes this tensor out of any scope: the caller (or an owning object) closes it. */
    public Tensor unscoped() {
        owner = null;
        return this;
    }

    /**
     * Moves this tensor's elements to {@code device} in place, as {@code Module.to(device)} needs:
     * the same object (held in layers' final fields and by optimizers) now lives there, as a
     * contiguous copy; its old memory is freed. Name, requiresGrad and scope are kept, and an
     * existing gradient is moved too (a copy on the device replaces it). Nothing happens when the
     * tensor is on {@code device} already. For parameters and buffers; {@link #to(Device)} is the
     * copy that everything else wants.
     *
     * @throws IllegalStateException when this tensor is closed, is not a leaf, is read by a recorded
     *     graph that has not run backward yet, or shares its memory with other views (they would be
     *     left on the old device)
     */
    public synchronized Tensor moveTo(Device device) {
        checkAlive();
        if (device.equals(device())) {
            return this;
        }
        String refused = gradFn != null ? "it was computed by " + gradFn.name() + "; only leaves (parameters, buffers) move in place"
                : graphHolds > 0 ? "a recorded graph still reads it; run backward or close the graph's result first"
                : !isExclusive() ? "its memory is shared with other views, which would stay behind; close them first"
                : null;
        if (refused != null) {
            throw new IllegalStateException("moveTo(" + device + "): cannot move " + describe() + " from " + device() + " in place: "
                    + refused + " (to(device) makes a copy)");
        }
        Backend target = Backends.get(device);
        Operand moved = new Operand(target.allocate(dtype(), numel()), dtype(), shape.toArray(), shape.contiguousStrides(), 0);
        Tensor movedGrad;
        try {
            DeviceTransfer.copy(backend, operand, target, moved);
            movedGrad = grad == null ? null : DeviceTransfer.copy(grad, device).unscoped();
        } catch (RuntimeException e) {
            moved.storage().release();
            throw e;
        }
        // one Cleaner registration per tensor: the new memory's is made before the old one is freed
        Resource old = resource;
        Cleaner.Cleanable oldCleanable = cleanable;
        resource = new Resource(moved.storage(), old.dtype, old.shape);
        cleanable = CLEANER.register(this, resource);
        LIVE.incrementAndGet();
        operand = moved;
        backend = target;
        version++;
        old.closedExplicitly = true;
        oldCleanable.clean();
        if (grad != null) {
            grad.close();
            grad = movedGrad;
        }
        return this;
    }

    static long liveCount() {
        return LIVE.get();
    }

    /**
     * Runs the garbage collector until the cleaner has freed every unreachable tensor: rounds of
     * GC, each waiting for a sentinel the cleaner frees, until the live and leaked counts stop
     * moving (bounded to a few seconds).
     */
    static void collectUnreachable() {
        long previous = -1;
        for (int round = 0; round < 40; round++) {
            java.util.concurrent.CountDownLatch cleaned = new java.util.concurrent.CountDownLatch(1);
            CLEANER.register(new Object(), cleaned::countDown);
            System.gc();
            try {
                cleaned.await(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = LIVE.get() * 31 + LEAKED.get();
            if (now == previous && cleaned.getCount() == 0) {
                return;
            }
            previous = now;
        }
    }

    static long leakCount() {
        return LEAKED.get();
    }

    // ---------------------------------------------------------------- host access

    /** Copies the elements (any dtype) to a float array in row-major order. */
    public float[] toFloatArray() {
        return readAs(DType.FLOAT32, host -> host.toArray(ValueLayout.JAVA_FLOAT));
    }

    public double[] toDoubleArray() {
        return readAs(DType.FLOAT64, host -> host.toArray(ValueLayout.JAVA_DOUBLE));
    }

    public long[] toLongArray() {
        return readAs(DType.INT64, host -> host.toArray(ValueLayout.JAVA_LONG));
    }

    public int[] toIntArray() {
        return readAs(DType.INT32, host -> host.toArray(ValueLayout.JAVA_INT));
    }

    public boolean[] toBooleanArray() {
        byte[] b = readAs(DType.BOOL, host -> host.toArray(ValueLayout.JAVA_BYTE));
        boolean[] r = new boolean[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[i] != 0;
        }
        return r;
    }

    /** Reads the elements, converted to {@code dtype}, into host memory and extracts them from there. */
    private <T> T readAs(DType dtype, java.util.function.Function<MemorySegment, T> extract) {
        checkAlive();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(Math.max(1, numel() * dtype.byteSize()), 8).asSlice(0, numel() * dtype.byteSize());
            if (dtype == dtype()) {
                backend.read(operand, host);
            } else {
                try (Tensor converted = ShapeOps.convert(this, dtype)) {
                    backend.read(converted.operand(), host);
                }
            }
            return extract.apply(host);
        }
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item: only one-element tensors can be converted to a number, this one has shape " + shape);
        }
        return toDoubleArray()[0];
    }

    /** The element at {@code index} (one index per dim). */
    public double get(long... index) {
        if (index.length != rank()) {
            throw new IllegalArgumentException("get: " + index.length + " indices for a tensor of rank " + rank());
        }
        long off = operand.offset();
        for (int d = 0; d < index.length; d++) {
            long i = index[d] < 0 ? index[d] + shape.size(d) : index[d];
            if (i < 0 || i >= shape.size(d)) {
                throw new IndexOutOfBoundsException("get: index " + index[d] + " is out of range for dim " + d + " of size " + shape.size(d));
            }
            off += i * operand.strides()[d];
        }
        try (Tensor one = viewOf(Shape.scalar(), new long[0], off)) {
            return one.item();
        }
    }

    @Override
    public String toString() {
        if (isClosed()) {
            return "tensor(<closed " + describe() + ">)";
        }
        return TensorFormat.format(this);
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as needing a gradient ({@code requires_grad_()}). Returns this. */
    public Tensor requiresGrad(boolean requires) {
        if (gradFn != null && !requires) {
            throw new IllegalStateException("requiresGrad(false) on " + describe() + ": only leaves can change it; use detach()");
        }
        if (requires && !dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("only floating-point tensors can require gradients, " + describe() + " is " + dtype().pyName());
        }
        this.requiresGrad = requires;
        return this;
    }

    /** The accumulated gradient, or null before any backward. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the gradient (the old one is closed); the tensor owns its gradient. */
    public void setGrad(Tensor g) {
        if (g != null && !g.shape.equals(shape)) {
            throw new IllegalArgumentException("setGrad: gradient shape " + g.shape + " does not match " + describe());
        }
        if (grad != null && grad != g) {
            grad.close();
        }
        grad = g == null ? null : g.unscoped();
    }

    /** Frees the gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        setGrad(null);
    }

    /** The node that computed this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /** True for tensors not computed by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Used by ops when recording: this tensor was computed by {@code node}. */
    public void attachGraph(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    /** Backward from a one-element tensor. */
    public void backward() {
        Autograd.backward(this, null, false, false);
    }

    /** Backward with an upstream gradient of this tensor's shape. */
    public void backward(Tensor gradient) {
        Autograd.backward(this, gradient, false, false);
    }

    public void backward(Tensor gradient, boolean retainGraph) {
        Autograd.backward(this, gradient, retainGraph, false);
    }

    /** A view of the same data that is not part of any graph. */
    public Tensor detach() {
        return viewOf(shape, operand.strides(), operand.offset());
    }

    // ---------------------------------------------------------------- in-place (no graph)

    private void checkInPlace(String op) {
        checkAlive();
        version++;
        if (requiresGrad && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": in-place update of " + describe()
                    + ", which requires grad, while grad mode is on; wrap it in GradMode.noGrad() (as optimizers do)");
        }
    }

    /**
     * Copies {@code src} (broadcast to this shape, converted to this dtype) into this tensor. A src
     * that is another view of this tensor's memory (x.copy_(x.t()), a shifted slice) is read from a
     * copy: the copy would otherwise read elements it has already overwritten (as in-place binary
     * ops do, {@link Pointwise#inPlace}). A src on another device is copied over first (a CPU
     * checkpoint loaded into a GPU model).
     */
    public Tensor copy_(Tensor src) {
        checkInPlace("copy_");
        if (!src.device().equals(device())) {
            try (Tensor here = DeviceTransfer.copy(src, device())) {
                return copy_(here);
            }
        }
        try (Tensor b = src.expand(shape.toArray())) {
            Operand from = b.operand();
            if (from.storage() != operand.storage()
                    || from.offset() == operand.offset() && java.util.Arrays.equals(from.strides(), operand.strides())) {
                backend.copy(from, operand);
                return this;
            }
        }
        try (Tensor copy = src.contiguousCopy(); Tensor b = copy.expand(shape.toArray())) {
            backend.copy(b.operand(), operand);
        }
        return this;
    }

    public Tensor fill_(double value) {
        checkInPlace("fill_");
        backend.fill(operand, value);
        return this;
    }

    public Tensor zero_() {
        return fill_(0);
    }

    public Tensor add_(Tensor other) {
        checkInPlace("add_");
        return Pointwise.inPlace(BinaryOp.ADD, this, other);
    }

    public Tensor sub_(Tensor other) {
        checkInPlace("sub_");
        return Pointwise.inPlace(BinaryOp.SUB, this, other);
    }

    public Tensor mul_(Tensor other) {
        checkInPlace("mul_");
        return Pointwise.inPlace(BinaryOp.MUL, this, other);
    }

    public Tensor div_(Tensor other) {
        checkInPlace("div_");
        return Pointwise.inPlace(BinaryOp.DIV, this, other);
    }

    public Tensor mul_(double value) {
        checkInPlace("mul_");
        try (Tensor s = Pointwise.scalarLike(value, this)) {
            return Pointwise.inPlace(BinaryOp.MUL, this, s);
        }
    }

    public Tensor add_(double value) {
        checkInPlace("add_");
        try (Tensor s = Pointwise.scalarLike(value, this)) {
            return Pointwise.inPlace(BinaryOp.ADD, this, s);
        }
    }

    // ---------------------------------------------------------------- pointwise

    public Tensor add(Tensor o) { return Pointwise.add(this, o); }
    public Tensor add(double v) { return Pointwise.add(this, v); }
    public Tensor sub(Tensor o) { return Pointwise.sub(this, o); }
    public Tensor sub(double v) { return Pointwise.sub(this, v); }
    public Tensor mul(Tensor o) { return Pointwise.mul(this, o); }
    public Tensor mul(double v) { return Pointwise.mul(this, v); }
    public Tensor div(Tensor o) { return Pointwise.div(this, o); }
    public Tensor div(double v) { return Pointwise.div(this, v); }
    public Tensor pow(Tensor o) { return Pointwise.pow(this, o); }
    public Tensor pow(double exponent) { return Pointwise.pow(this, exponent); }
    public Tensor neg() { return Pointwise.neg(this); }
    public Tensor exp() { return Pointwise.exp(this); }
    public Tensor log() { return Pointwise.log(this); }
    public Tensor log1p() { return Pointwise.log1p(this); }
    public Tensor sqrt() { return Pointwise.sqrt(this); }
    public Tensor rsqrt() { return Pointwise.rsqrt(this); }
    public Tensor abs() { return Pointwise.abs(this); }
    public Tensor sign() { return Pointwise.sign(this); }
    public Tensor square() { return Pointwise.mul(this, this); }
    public Tensor clamp(double min, double max) { return Pointwise.clamp(this, min, max); }
    public Tensor clampMin(double min) { return Pointwise.clamp(this, min, Double.POSITIVE_INFINITY); }
    public Tensor clampMax(double max) { return Pointwise.clamp(this, Double.NEGATIVE_INFINITY, max); }
    public Tensor minimum(Tensor o) { return Pointwise.minimum(this, o); }
    public Tensor maximum(Tensor o) { return Pointwise.maximum(this, o); }
    public Tensor eq(Tensor o) { return Pointwise.compare(BinaryOp.EQ, this, o); }
    public Tensor eq(double v) { return Pointwise.compare(BinaryOp.EQ, this, v); }
    public Tensor ne(Tensor o) { return Pointwise.compare(BinaryOp.NE, this, o); }
    public Tensor ne(double v) { return Pointwise.compare(BinaryOp.NE, this, v); }
    public Tensor lt(Tensor o) { return Pointwise.compare(BinaryOp.LT, this, o); }
    public Tensor lt(double v) { return Pointwise.compare(BinaryOp.LT, this, v); }
    public Tensor le(Tensor o) { return Pointwise.compare(BinaryOp.LE, this, o); }
    public Tensor le(double v) { return Pointwise.compare(BinaryOp.LE, this, v); }
    public Tensor gt(Tensor o) { return Pointwise.compare(BinaryOp.GT, this, o); }
    public Tensor gt(double v) { return Pointwise.compare(BinaryOp.GT, this, v); }
    public Tensor ge(Tensor o) { return Pointwise.compare(BinaryOp.GE, this, o); }
    public Tensor ge(double v) { return Pointwise.compare(BinaryOp.GE, this, v); }
    public Tensor logicalNot() { return Pointwise.logicalNot(this); }
    public Tensor logicalAnd(Tensor o) { return Pointwise.compare(BinaryOp.LOGICAL_AND, this, o); }
    public Tensor logicalOr(Tensor o) { return Pointwise.compare(BinaryOp.LOGICAL_OR, this, o); }
    /** This where {@code cond} is true, else {@code other} ({@code torch.where(cond, this, other)}). */
    public Tensor where(Tensor cond, Tensor other) { return Pointwise.where(cond, this, other); }
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return Pointwise.where(cond, a, b); }
    public Tensor maskedFill(Tensor mask, double value) { return Pointwise.maskedFill(this, mask, value); }

    // ---------------------------------------------------------------- activations

    public Tensor sigmoid() { return Activation.sigmoid(this); }
    public Tensor tanh() { return Activation.tanh(this); }
    public Tensor relu() { return Activation.relu(this); }
    public Tensor leakyRelu(double negativeSlope) { return Activation.leakyRelu(this, negativeSlope); }
    public Tensor elu(double alpha) { return Activation.elu(this, alpha); }
    public Tensor selu() { return Activation.selu(this); }
    public Tensor gelu() { return Activation.gelu(this, false); }
    /** GELU; {@code tanhApproximation} selects PyTorch's {@code approximate="tanh"}. */
    public Tensor gelu(boolean tanhApproximation) { return Activation.gelu(this, tanhApproximation); }
    public Tensor softplus(double beta, double threshold) { return Activation.softplus(this, beta, threshold); }
    public Tensor silu() { return Activation.silu(this); }
    public Tensor hardtanh(double min, double max) { return Activation.hardtanh(this, min, max); }
    /** Heaviside step ({@code torch.heaviside(x, value)}); its gradient is zero. */
    public Tensor step(double valueAtZero) { return Activation.step(this, valueAtZero); }
    public Tensor softmax(int dim) { return Activation.softmax(this, dim); }
    public Tensor logSoftmax(int dim) { return Activation.logSoftmax(this, dim); }

    // ---------------------------------------------------------------- reductions

    /** Sum of all elements. */
    public Tensor sum() { return Reduction.sum(this, null, false); }
    public Tensor sum(int... dims) { return Reduction.sum(this, dims, false); }
    public Tensor sum(int[] dims, boolean keepDim) { return Reduction.sum(this, dims, keepDim); }
    public Tensor mean() { return Reduction.mean(this, null, false); }
    public Tensor mean(int... dims) { return Reduction.mean(this, dims, false); }
    public Tensor mean(int[] dims, boolean keepDim) { return Reduction.mean(this, dims, keepDim); }
    public Tensor prod() { return Reduction.prod(this, null, false); }
    public Tensor prod(int dim, boolean keepDim) { return Reduction.prod(this, new int[] {dim}, keepDim); }
    /** Maximum of all elements. */
    public Tensor max() { return Reduction.max(this); }
    public Tensor min() { return Reduction.min(this); }
    /** Maximum along a dim with its indices. */
    public Reduction.ValuesIndices max(int dim, boolean keepDim) { return Reduction.max(this, dim, keepDim); }
    public Reduction.ValuesIndices min(int dim, boolean keepDim) { return Reduction.min(this, dim, keepDim); }
    /** Index of the maximum of the flattened tensor. */
    public Tensor argmax() { return Reduction.argmax(this); }
    public Tensor argmax(int dim, boolean keepDim) { return Reduction.argmax(this, dim, keepDim); }
    public Tensor argmin(int dim, boolean keepDim) { return Reduction.argmin(this, dim, keepDim); }
    /** Variance with Bessel's correction (correction = 1), over all elements. */
    public Tensor var() { return Reduction.var(this, null, 1, false); }
    public Tensor var(int[] dims, double correction, boolean keepDim) { return Reduction.var(this, dims, correction, keepDim); }
    public Tensor std() { return Reduction.std(this, null, 1, false); }
    public Tensor std(int[] dims, double correction, boolean keepDim) { return Reduction.std(this, dims, correction, keepDim); }
    public Tensor logsumexp(int[] dims, boolean keepDim) { return Reduction.logsumexp(this, dims, keepDim); }

    // ---------------------------------------------------------------- linear algebra

    public Tensor matmul(Tensor o) { return LinearAlgebra.matmul(this, o); }

    // ---------------------------------------------------------------- shape and views

    /** A view with another shape (one size may be -1); throws if the strides do not allow a view. */
    public Tensor view(long... newShape) { return ShapeOps.view(this, newShape); }
    /** A view when possible, else a copy. */
    public Tensor reshape(long... newShape) { return ShapeOps.reshape(this, newShape); }
    public Tensor permute(int... dims) { return ShapeOps.permute(this, dims); }
    public Tensor transpose(int dim0, int dim1) { return ShapeOps.transpose(this, dim0, dim1); }
    /** Transpose of a matrix (rank 2), or this for rank 0 and 1. */
    public Tensor t() { return ShapeOps.t(this); }
    public Tensor narrow(int dim, long start, long length) { return ShapeOps.narrow(this, dim, start, length); }
    /** Elements start, start + step, ... below end along dim (Python's {@code x[start:end:step]}). */
    public Tensor slice(int dim, long start, long end, long step) { return ShapeOps.slice(this, dim, start, end, step); }
    /** The sub-tensor at {@code index} along dim, with that dim removed. */
    public Tensor select(int dim, long index) { return ShapeOps.select(this, dim, index); }
    public Tensor expand(long... sizes) { return ShapeOps.expand(this, sizes); }
    public Tensor expandAs(Tensor other) { return ShapeOps.expand(this, other.shape.toArray()); }
    public Tensor squeeze() { return ShapeOps.squeeze(this); }
    public Tensor squeeze(int dim) { return ShapeOps.squeeze(this, dim); }
    public Tensor unsqueeze(int dim) { return ShapeOps.unsqueeze(this, dim); }
    public Tensor flatten() { return ShapeOps.flatten(this, 0, -1); }
    public Tensor flatten(int startDim, int endDim) { return ShapeOps.flatten(this, startDim, endDim); }
    /** This tensor if contiguous (as a new tensor object sharing storage), else a contiguous copy. */
    public Tensor contiguous() { return ShapeOps.contiguous(this); }
    /** Always a new contiguous copy. */
    public Tensor contiguousCopy() { return ShapeOps.copy(this); }
    /** Converts the element type (differentiable between floating types). */
    public Tensor to(DType dtype) { return ShapeOps.to(this, dtype); }
    /** A copy on {@code device} (this tensor itself, aliased, when it is there already); gradients flow back. */
    public Tensor to(Device device) { return DeviceTransfer.to(this, device); }
    public List<Tensor> split(long splitSize, int dim) { return ShapeOps.split(this, splitSize, dim); }
    public List<Tensor> chunk(int chunks, int dim) { return ShapeOps.chunk(this, chunks, dim); }
    public static Tensor cat(List<Tensor> tensors, int dim) { return ShapeOps.cat(tensors, dim); }
    public static Tensor stack(List<Tensor> tensors, int dim) { return ShapeOps.stack(tensors, dim); }

    // ---------------------------------------------------------------- indexing

    public Tensor indexSelect(int dim, Tensor index) { return IndexOps.indexSelect(this, dim, index); }
    public Tensor gather(int dim, Tensor index) { return IndexOps.gather(this, dim, index); }
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return IndexOps.scatterAdd(this, dim, index, src); }
    /** One-hot encoding of an integer tensor: shape + [numClasses], INT64. */
    public Tensor oneHot(int numClasses) { return IndexOps.oneHot(this, numClasses); }
}
