package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fused pooling's two fast paths, {@link BatchNormPoolRows#forwardChunkBits} (16 lanes) and
 * {@link BatchNormPoolRows#forwardChunkMasks} (narrower vectors), give the same pooled values and codes bit for bit,
 * whichever one this machine's {@link BatchNormPoolRows#BITWISE} picks (BatchNormPoolCpuTest checks the picked one
 * against batch norm, ReLU and pool run apart): chunks of plain values, exact ties, -0 beside +0, all-negative
 * windows, NaNs and infinities (which both hand to the exact path), and a negative scale.
 */
class ForwardChunkPathsTest {

    @Test
    void bothFastPathsGiveTheSameBits() {
        int l = BatchNormPoolRows.L, w = 2 * l + 6;            // two input rows of L windows each, and some slack
        Rng rng = new Rng(36);
        float[] x = new float[4 * w];
        float[] yBits = new float[l];
        float[] yMasks = new float[l];
        float[][] specials = {{0f}, {-0f}, {1f}, {-1f}, {Float.NaN}, {Float.POSITIVE_INFINITY},
            {Float.NEGATIVE_INFINITY}};
        for (int trial = 0; trial < 4000; trial++) {
            int kind = trial % 5;
            for (int i = 0; i < x.length; i++) {
                double r = rng.nextDouble();
                x[i] = switch (kind) {
                    case 0 -> (float) rng.nextGaussian();                                    // plain
                    case 1 -> (float) Math.floor(4 * r - 2);                                  // ties among few values
                    case 2 -> r < 0.5 ? (r < 0.25 ? -0f : 0f) : (float) Math.floor(3 * r);  // signed zeros
                    case 3 -> (float) (-1 - r);                                               // all negative
                    default -> r < 0.1 ? specials[(int) (70 * r)][0] : (float) rng.nextGaussian();  // NaN, inf
                };
            }
            float m = kind == 2 ? 0f : (float) (0.1 * rng.nextGaussian());
            float scale = trial % 7 == 0 ? -0.75f : 1.25f;
            float b = kind == 2 ? -0f : (float) (0.2 * rng.nextGaussian());
            int k0 = trial % 3, k1 = k0 + l;                   // the second half of the windows: L columns later
            java.util.Arrays.fill(yBits, 7f);
            java.util.Arrays.fill(yMasks, 7f);
            int cBits = BatchNormPoolRows.forwardChunkBits(yBits, 0, x, k0, k1, w, m, 0f, scale, b);
            int cMasks = BatchNormPoolRows.forwardChunkMasks(yMasks, 0, x, k0, k1, w, m, 0f, scale, b);
            assertEquals(cMasks, cBits, "codes, trial " + trial);
            for (int j = 0; j < l; j++) {
                assertEquals(Float.floatToRawIntBits(yMasks[j]), Float.floatToRawIntBits(yBits[j]),
                        "window " + j + ", trial " + trial + ": " + yMasks[j] + " vs " + yBits[j]);
            }
        }
    }
}
