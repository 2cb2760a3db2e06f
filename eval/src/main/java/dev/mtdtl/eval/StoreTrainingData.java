package dev.mtdtl.eval;

import dev.mtdtl.data.store.LearningData;
import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.TrainingData;
import dev.mtdtl.tensor.Rng;

import java.util.EnumMap;
import java.util.Map;

/**
 * The trainer's view ({@link TrainingData}) of a folder written by {@code mtdtl prepare}: crops come
 * from the memory-mapped mel stores (standardised with the training statistics, 0 dB padding of
 * short clips, uniform start), targets from the per-source z matrices and presence masks.
 * Read-only after construction, so the trainer's prefetch thread may call it freely. Built by
 * {@link PreparedTraining}, the one place that wires a prepared folder to the trainer.
 */
public final class StoreTrainingData implements TrainingData {

    /** Crop length of the paper: 216 frames = 2.5 s at hop 256 and 22,050 Hz. */
    public static final int FRAMES = 216;

    private final LearningData data;
    private final Map<Source, int[][]> labelled = new EnumMap<>(Source.class);   // {train, valid}

    public StoreTrainingData(LearningData data) {
        this.data = data;
        for (String s : data.sources()) {
            Source src = Source.of(s);
            labelled.put(src, new int[][]{data.eligibleTracks(s, false), data.eligibleTracks(s, true)});
        }
    }

    /** Check that every factor source of a run has targets here; the message lists what exists. */
    public void requireSources(Iterable<Source> sources) {
        for (Source s : sources) {
            if (s != Source.SELF && !labelled.containsKey(s)) {
                throw new IllegalArgumentException("source '" + s.id() + "' has no targets in this prepared folder "
                        + "(have self, " + String.join(", ", data.sources()) + ")");
            }
        }
    }

    @Override
    public int channels() {
        return MelStore.CHANNELS;
    }

    @Override
    public int frames() {
        return FRAMES;
    }

    @Override
    public int mels() {
        return data.train().mels();
    }

    @Override
    public int nOut() {
        return data.topics();
    }

    @Override
    public int numTracks(Split split) {
        return store(split).size();
    }

    @Override
    public int[] labelled(Split split, Source s) {
        int[][] l = labelled.get(s);
        if (l == null) {
            throw new IllegalArgumentException("no targets for source '" + s.id() + "'");
        }
        return l[split == Split.TRAIN ? 0 : 1];
    }

    @Override
    public void crop(Split split, int track, Rng rng, float[] dst, int off) {
        store(split).randomCrop(track, rng, FRAMES, dst, off);
    }

    @Override
    public void target(Split split, Source s, int track, float[] dst, int off) {
        data.target(s.id(), split == Split.VALID, track, dst, off);
    }

    private MelStore store(Split split) {
        return split == Split.TRAIN ? data.train() : data.valid();
    }
}
