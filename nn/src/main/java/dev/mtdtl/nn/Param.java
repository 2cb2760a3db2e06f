package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;

/**
 * A named tensor of a model: a trainable parameter (value + gradient) or a buffer such as BatchNorm's
 * running mean (value only, {@link #grad()} is null). Names are PyTorch state_dict names
 * ({@code conv1.weight}, {@code bn1.running_var}), so a checkpoint loads in PyTorch as it is.
 */
public final class Param {

    private final String name;
    private Tensor value;
    private Tensor grad;   // same shape as value; null for buffers

    private Param(String name, Tensor value, Tensor grad) {
        this.name = name;
        this.value = value;
        this.grad = grad;
    }

    /** A trainable parameter of the given shape, zero-initialised, with a zero gradient. */
    public static Param trainable(String name, int... shape) {
        return new Param(name, Tensor.zeros(shape), Tensor.zeros(shape));
    }

    /** A non-trainable buffer (no gradient). */
    public static Param buffer(String name, int... shape) {
        return new Param(name, Tensor.zeros(shape), null);
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    /** The gradient, accumulated by backward passes; null for buffers. */
    public Tensor grad() {
        return grad;
    }

    public boolean trainable() {
        return grad != null;
    }

    public void zeroGrad() {
        if (grad != null) {
            grad.fill(0f);
        }
    }

    /**
     * Move value and gradient to {@code d} (a no-op if they are there). Layers hold the Param, not its
     * tensors, so a model moves by moving its Params; twins share Params and move with them.
     */
    public void moveTo(dev.mtdtl.tensor.Device d) {
        value = value.to(d);
        if (grad != null) {
            grad = grad.to(d);
        }
    }

    /** Copy {@code src} (any device) into the value, checking the shape (the message names the parameter). */
    public void load(Tensor src) {
        if (!src.hasShape(value.shape())) {
            throw new IllegalArgumentException("parameter " + name + ": expected shape "
                    + dev.mtdtl.tensor.Shape.str(value.shape()) + ", got " + dev.mtdtl.tensor.Shape.str(src.shape()));
        }
        value.copyFrom(src);
    }

    @Override
    public String toString() {
        return name + dev.mtdtl.tensor.Shape.str(value.shape());
    }
}
