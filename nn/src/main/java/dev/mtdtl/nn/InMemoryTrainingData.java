package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * {@link TrainingData} held in arrays: for tests, small experiments and as the executable statement of
 * the interface's contract. Each split holds per-track mel matrices (C, T_i, F) that are already
 * standardised (T_i >= the crop length) and, per factor source, a (tracks x K) z matrix with a
 * presence mask.
 */
public final class InMemoryTrainingData implements TrainingData {

    /** One split: mel[i] is (C, T_i, F) flattened; z.get(s) is (tracks x K) flattened, mask.get(s)[i] its presence. */
    public record SplitData(float[][] mel, int[] lengths, Map<Source, float[]> z, Map<Source, boolean[]> mask) {}

    private final int c;
    private final int t;
    private final int f;
    private final int k;
    private final Map<Split, SplitData> splits = new EnumMap<>(Split.class);
    private final Map<Split, Map<Source, int[]>> labelled = new EnumMap<>(Split.class);

    /**
     * @param c, t, f  crop shape (channels, frames, mels)
     * @param k        targets per factor source
     */
    public InMemoryTrainingData(int c, int t, int f, int k, SplitData train, SplitData valid) {
        this.c = c;
        this.t = t;
        this.f = f;
        this.k = k;
        splits.put(Split.TRAIN, train);
        splits.put(Split.VALID, valid);
        for (Split sp : Split.values()) {
            SplitData d = splits.get(sp);
            for (int i = 0; i < d.mel().length; i++) {
                if (d.lengths()[i] < t || d.mel()[i].length != c * d.lengths()[i] * f) {
                    throw new IllegalArgumentException(sp + " track " + i + ": need a (" + c + ", >=" + t + ", " + f
                            + ") matrix, got " + d.mel()[i].length + " values for " + d.lengths()[i] + " frames");
                }
            }
            Map<Source, int[]> idx = new EnumMap<>(Source.class);
            for (Map.Entry<Source, boolean[]> e : d.mask().entrySet()) {
                List<Integer> l = new ArrayList<>();
                for (int i = 0; i < e.getValue().length; i++) {
                    if (e.getValue()[i]) {
                        l.add(i);
                    }
                }
                idx.put(e.getKey(), l.stream().mapToInt(Integer::intValue).toArray());
            }
            labelled.put(sp, idx);
        }
    }

    @Override
    public int channels() {
        return c;
    }

    @Override
    public int frames() {
        return t;
    }

    @Override
    public int mels() {
        return f;
    }

    @Override
    public int nOut() {
        return k;
    }

    @Override
    public int numTracks(Split split) {
        return splits.get(split).mel().length;
    }

    @Override
    public int[] labelled(Split split, Source s) {
        int[] r = labelled.get(split).get(s);
        if (r == null) {
            throw new IllegalArgumentException("no " + s.id() + " labels in the " + split + " split");
        }
        return r;
    }

    @Override
    public void crop(Split split, int track, Rng rng, float[] dst, int off) {
        SplitData d = splits.get(split);
        int len = d.lengths()[track];
        int start = rng.nextInt(len - t + 1);   // every valid start, the last included (decision 5)
        float[] m = d.mel()[track];
        for (int ch = 0; ch < c; ch++) {
            System.arraycopy(m, (ch * len + start) * f, dst, off + ch * t * f, t * f);
        }
    }

    @Override
    public void target(Split split, Source s, int track, float[] dst, int off) {
        System.arraycopy(splits.get(split).z().get(s), track * k, dst, off, k);
    }
}
