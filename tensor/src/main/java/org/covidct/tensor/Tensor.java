package org.covidct.tensor;

/**
 * A dense float32 tensor: a {@link Shape}, a row-major contiguous {@link Storage}, and the
 * {@link Device} that storage lives on. Tensors are created by {@link Ops} and the factories here,
 * and must be closed (directly, or by the {@link TensorScope} they were created in) to give their
 * memory back deterministically. Using a closed tensor is an error, never a wrong result.
 */
public final class Tensor implements AutoCloseable {
    private final Shape shape;
    private Storage storage;

    Tensor(Shape shape, Storage storage) {
        if (storage.size() != shape.numel()) {
            throw new IllegalArgumentException("storage of " + storage.size() + " elements for shape " + shape);
        }
        this.shape = shape;
        this.storage = storage;
        TensorScope.register(this);
    }

    /** A tensor of zeros on {@code device}. */
    public static Tensor zeros(Device device, int... dims) {
        Shape shape = Shape.of(dims);
        return new Tensor(shape, device.backend().allocate(shape.numel()));
    }

    /** A tensor filled with {@code value} on {@code device}. */
    public static Tensor full(Device device, float value, int... dims) {
        Tensor t = zeros(device, dims);
        if (value != 0f) {
            device.backend().fill(t, value);
        }
        return t;
    }

    /** A CPU tensor holding a copy of {@code data}, read in row-major order. */
    public static Tensor of(float[] data, int... dims) {
        return of(Device.CPU, data, dims);
    }

    /** A tensor on {@code device} holding a copy of {@code data}, read in row-major order. */
    public static Tensor of(Device device, float[] data, int... dims) {
        Shape shape = Shape.of(dims);
        if (data.length != shape.numel()) {
            throw new IllegalArgumentException(
                    "Tensor.of: " + data.length + " values do not fill shape " + shape);
        }
        return new Tensor(shape, device.backend().upload(data));
    }

    /** A rank-0 CPU tensor. */
    public static Tensor scalar(float value) {
        return of(new float[] {value});
    }

    public Shape shape() {
        return shape;
    }

    public int[] dims() {
        return shape.dims();
    }

    /** Size of one dimension; negative axes count from the end. */
    public int dim(int axis) {
        return shape.dim(axis);
    }

    public int rank() {
        return shape.rank();
    }

    public long numel() {
        return shape.numel();
    }

    public Device device() {
        return live("device").device();
    }

    public Backend backend() {
        return device().backend();
    }

    /** The storage, for backends. Throws if the tensor was closed. */
    public Storage storage() {
        return live("storage");
    }

    /**
     * How many times {@link Ops} has written this tensor's memory in place (views share the count):
     * a value computed from the tensor is stale once it has moved.
     */
    public long version() {
        return live("version").version();
    }

    /**
     * Makes this tensor's memory read-only, its views' included, for good: Ops' in-place writes
     * refuse it, and a backend may keep forms derived from it, such as convolution weights packed
     * for its kernels, for as long as the memory lives. Returns this tensor.
     */
    public Tensor freeze() {
        live("freeze").freeze();
        return this;
    }

    public boolean isFrozen() {
        return live("isFrozen").isFrozen();
    }

    public boolean isClosed() {
        return storage == null;
    }

    /** Throws an {@link IllegalStateException} naming {@code op} if this tensor was closed. */
    public void requireOpen(String op) {
        live(op);
    }

    private Storage live(String op) {
        Storage s = storage;
        if (s == null) {
            throw new IllegalStateException(op + ": tensor of shape " + shape + " was already closed");
        }
        return s;
    }

    /** A copy of the elements in row-major order. */
    public float[] toArray() {
        float[] out = new float[Math.toIntExact(numel())];
        backend().download(this, out);
        return out;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item: tensor of shape " + shape + " has " + numel() + " elements");
        }
        return toArray()[0];
    }

    /**
     * A view with new dimensions over the same storage (both must be closed). One dimension may be
     * -1, inferred from the others.
     */
    public Tensor reshape(int... dims) {
        int[] d = dims.clone();
        int infer = -1;
        long known = 1;
        boolean valid = true;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1 && infer < 0) {
                infer = i;
            } else if (d[i] < 0) {
                valid = false;
            } else {
                known *= d[i];
            }
        }
        if (valid && infer >= 0) {
            valid = known > 0 && numel() % known == 0;
            d[infer] = valid ? Math.toIntExact(numel() / known) : 0;
        }
        if (!valid || known * (infer >= 0 ? d[infer] : 1) != numel()) {
            throw new IllegalArgumentException("reshape: cannot view shape " + shape + " as "
                    + java.util.Arrays.toString(dims));
        }
        Storage s = live("reshape");
        s.retain();
        return new Tensor(Shape.of(d), s);
    }

    /** A copy of this tensor on {@code target}. */
    public Tensor to(Device target) {
        if (target.equals(device())) {
            return Ops.copy(this);
        }
        return of(target, toArray(), shape.dims());
    }

    /** Frees this tensor's reference to its storage. Closing twice is harmless. */
    @Override
    public void close() {
        Storage s = storage;
        if (s != null) {
            storage = null;
            s.release();
        }
    }

    @Override
    public String toString() {
        return "Tensor" + shape + (storage == null ? " (closed)" : " on " + storage.device());
    }
}
