package dev.mtdtl.bench.parity;

import dev.mtdtl.nn.InMemoryTrainingData;
import dev.mtdtl.nn.Source;
import dev.mtdtl.tensor.Rng;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The small prepared corpus of the training-trajectory parity harness: standardised-looking stereo
 * "mel" matrices of a few tracks (C = 2, T_i frames of F = 32 bands, T_i >= the crop length so crops
 * start anywhere) and, for two factor sources, a z distribution per track with a presence mask.
 *
 * <p>Why synthetic and in memory: the parity check is about the training step, not about audio; the
 * batches it replays are written as tensors, so what matters is that the data is learnable (the loss
 * moves, gradients are not noise) and that it exercises what Algorithm 1 does with data: tracks without
 * a label (every third track lacks the second source's), crops at random offsets, self pairs of the same
 * and of different tracks. Track i has class i % K; its matrix is N(0, 0.5^2) noise plus 1.5 on a
 * class-specific band range; z of the first source peaks at the class, the second's at class + 1.
 */
public final class ParityCorpus {

    /** Crop shape (channels, frames, mel bands): 64 x 32 is the smallest the base CNN's five pools take. */
    public static final int C = 2;
    public static final int T = 64;
    public static final int F = 32;

    private ParityCorpus() {}

    /**
     * @param factors the two (or more) factor sources that get labels
     * @param k       targets per factor source
     * @param nTrain  training tracks; validation gets half as many (not read by the harness)
     */
    public static InMemoryTrainingData of(List<Source> factors, int k, int nTrain, long seed) {
        return new InMemoryTrainingData(C, T, F, k, split(factors, k, nTrain, Rng.hash(seed, 1)),
                split(factors, k, Math.max(4, nTrain / 2), Rng.hash(seed, 2)));
    }

    private static InMemoryTrainingData.SplitData split(List<Source> factors, int k, int n, long seed) {
        Rng r = new Rng(seed);
        float[][] mel = new float[n][];
        int[] len = new int[n];
        Map<Source, float[]> z = new EnumMap<>(Source.class);
        Map<Source, boolean[]> mask = new EnumMap<>(Source.class);
        for (Source s : factors) {
            z.put(s, new float[n * k]);
            mask.put(s, new boolean[n]);
        }
        int band = Math.max(1, F / k);
        for (int i = 0; i < n; i++) {
            int cls = i % k;
            len[i] = T + 4 + r.nextInt(24);
            mel[i] = new float[C * len[i] * F];
            for (int j = 0; j < mel[i].length; j++) {
                int b = j % F;
                mel[i][j] = (float) (0.5 * r.nextGaussian()) + (b / band == cls ? 1.5f : 0f);
            }
            for (int si = 0; si < factors.size(); si++) {
                Source s = factors.get(si);
                int peak = (cls + si) % k;
                float rest = 0.2f / k;
                for (int j = 0; j < k; j++) {
                    z.get(s)[i * k + j] = rest + (j == peak ? 0.8f : 0f);
                }
                mask.get(s)[i] = si == 0 || i % 3 != 2;
            }
        }
        return new InMemoryTrainingData.SplitData(mel, len, z, mask);
    }
}
