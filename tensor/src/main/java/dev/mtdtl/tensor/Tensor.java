package dev.mtdtl.tensor;

import java.util.Arrays;

/**
 * A float32 tensor: a shape and a contiguous row-major buffer (NCHW for images), on a {@link Device}.
 *
 * <p>Deliberately small. There are no strides: every tensor is contiguous, so a kernel sees a plain
 * {@code float[]} (CPU) or one device allocation and a few dimensions. {@link #view} reinterprets the
 * same buffer under another shape with the same element count (a reshape costs nothing). Ops never
 * allocate behind the caller's back: the caller owns outputs, and layers preallocate activations per
 * batch shape, on the device of their input.
 *
 * <p>A CPU tensor exposes its array ({@link #data()}); a device tensor does not (its memory is only
 * readable by its device): move data with {@link #copyFrom}, {@link #toCpu()} and {@link #to(Device)}.
 */
public final class Tensor {

    private final float[] data;       // CPU only
    private final DeviceMemory mem;   // other devices only
    private final Device device;
    private final int numel;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        this(data, shape, data.length);
    }

    private Tensor(float[] data, int[] shape, int numel) {
        this.data = data;
        this.mem = null;
        this.device = Device.cpu();
        this.numel = numel;
        this.shape = shape;
    }

    private Tensor(Device device, DeviceMemory mem, int[] shape, int numel) {
        this.data = null;
        this.mem = mem;
        this.device = device;
        this.numel = numel;
        this.shape = shape;
    }

    /** A zero tensor of the given shape on the CPU. */
    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shape.numel(shape)], shape.clone());
    }

    /** Wrap {@code data} (not copied) under {@code shape}; the lengths must agree. */
    public static Tensor of(float[] data, int... shape) {
        long n = Shape.numelLong(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Shape.str(shape) + " holds " + n
                    + " elements but the buffer has " + data.length);
        }
        return new Tensor(data, shape.clone());
    }

    /**
     * Wrap the first numel(shape) elements of {@code data} (not copied): a slot of an arena, whose array may
     * be longer than the tensor. Kernels read and write elements [0, numel()) only; {@link #data()} then
     * returns the whole array.
     */
    public static Tensor ofPrefix(float[] data, int... shape) {
        long n = Shape.numelLong(shape);
        if (n > data.length) {
            throw new IllegalArgumentException("shape " + Shape.str(shape) + " holds " + n
                    + " elements but the buffer has only " + data.length);
        }
        return new Tensor(data, shape.clone(), (int) n);
    }

    /**
     * The first numel(shape) elements of this tensor's buffer under {@code shape}, on the same device, sharing
     * the memory (no copy): how an arena hands out one buffer to layers of different shapes in turn.
     */
    public Tensor head(int... shape) {
        long n = Shape.numelLong(shape);
        if (n > numel) {
            throw new IllegalArgumentException("cannot take " + Shape.str(shape) + " (" + n + " elements) from "
                    + Shape.str(this.shape) + " (" + numel + " elements)");
        }
        return data != null ? new Tensor(data, shape.clone(), (int) n)
                : new Tensor(device, mem.slice(0, n), shape.clone(), (int) n);
    }

    /** For device implementations: wrap device memory (at least numel(shape) elements) under {@code shape}. */
    public static Tensor onDevice(Device device, DeviceMemory mem, int... shape) {
        int n = Shape.numel(shape);
        if (device.isCpu() || mem.elements() < n) {
            throw new IllegalArgumentException("device tensor " + Shape.str(shape) + " on " + device.name() + " over "
                    + mem.elements() + " elements");
        }
        return new Tensor(device, mem, shape.clone(), n);
    }

    /** The same buffer under another shape with the same number of elements. */
    public Tensor view(int... newShape) {
        long n = Shape.numelLong(newShape);
        if (n != numel) {
            throw new IllegalArgumentException("cannot view " + Shape.str(shape) + " (" + numel
                    + " elements) as " + Shape.str(newShape) + " (" + n + " elements)");
        }
        return data != null ? new Tensor(data, newShape.clone(), numel) : new Tensor(device, mem, newShape.clone(), numel);
    }

    /** A deep copy on the same device. */
    public Tensor copy() {
        if (data != null) {
            return new Tensor(Arrays.copyOf(data, numel), shape.clone());
        }
        Tensor t = device.zeros(shape);
        t.copyFrom(this);
        return t;
    }

    /** This tensor if it is on the CPU, else a CPU copy (waits for the device). */
    public Tensor toCpu() {
        return to(Device.cpu());
    }

    /** This tensor if it is on {@code d}, else a copy on {@code d}. */
    public Tensor to(Device d) {
        if (d == device) {
            return this;
        }
        Tensor t = d.zeros(shape);
        t.copyFrom(this);
        return t;
    }

    /** The device this tensor lives on. */
    public Device device() {
        return device;
    }

    /**
     * The backing CPU array (shared, not copied); throws for a tensor on another device. Its elements
     * [0, numel()) are this tensor's; an arena slot ({@link #head}) may have a longer array.
     */
    public float[] data() {
        if (data == null) {
            throw new IllegalStateException("tensor " + Shape.str(shape) + " lives on " + device.name()
                    + ", not on the CPU: use toCpu()");
        }
        return data;
    }

    /** The device memory of a non-CPU tensor; null on the CPU. */
    public DeviceMemory memory() {
        return mem;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of axis {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int numel() {
        return numel;
    }

    /** True if the shape equals {@code s}. */
    public boolean hasShape(int... s) {
        return Arrays.equals(shape, s);
    }

    /** Throw an exception naming {@code what} and both shapes unless the shape equals {@code expected}. */
    public Tensor requireShape(String what, int... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + Shape.str(expected) + ", got "
                    + Shape.str(shape));
        }
        return this;
    }

    public void fill(float v) {
        if (data != null) {
            Arrays.fill(data, 0, numel, v);
        } else {
            device.fill(this, v);
        }
    }

    /** Copy the contents of {@code src} (same element count, any device) into this tensor. */
    public void copyFrom(Tensor src) {
        if (src.numel != numel) {
            throw new IllegalArgumentException("copy from " + Shape.str(src.shape) + " into "
                    + Shape.str(shape) + ": element counts differ");
        }
        if (data != null && src.data != null) {
            System.arraycopy(src.data, 0, data, 0, numel);
        } else {
            (data == null ? device : src.device).copy(this, src);   // the non-CPU side moves the data
        }
    }

    @Override
    public String toString() {
        return "Tensor" + Shape.str(shape) + (data == null ? " on " + device.name() : "");
    }
}
