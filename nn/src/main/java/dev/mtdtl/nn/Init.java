package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;

/**
 * Weight initialisers (digest decision 10): Glorot/Xavier-uniform for conv and hidden FC weights,
 * bound sqrt(6 / (fan_in + fan_out)) with the kernel area counted in both fans; PyTorch's default
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for biases and for the output layers' weights.
 */
public final class Init {

    private Init() {}

    public static void uniform(Tensor t, double bound, Rng rng) {
        float[] a = t.data();
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.uniform(-bound, bound);
        }
    }

    public static void glorotUniform(Tensor t, int fanIn, int fanOut, Rng rng) {
        uniform(t, Math.sqrt(6.0 / (fanIn + fanOut)), rng);
    }

    /** PyTorch's default for nn.Linear / nn.Conv2d weights and biases: U(+-1/sqrt(fan_in)). */
    public static void torchDefault(Tensor t, int fanIn, Rng rng) {
        uniform(t, 1.0 / Math.sqrt(fanIn), rng);
    }
}
