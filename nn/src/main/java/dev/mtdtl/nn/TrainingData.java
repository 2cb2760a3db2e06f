package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;

/**
 * What the trainer reads: per split, tracks with stereo dB-mel spectrograms and, per factor source, a
 * target distribution z (K = 50 values) for the tracks that have that source's label.
 *
 * <p>A memory-mapped mel store implements this directly: {@link #crop} copies a random
 * {@code frames()}-frame window (216 in the paper, 2.5 s) of a track's (C = 2, time, mel = 128) matrix
 * and standardises it per mel band (decision 4; 0 dB padding of short clips, decision 5, is the
 * store's business); {@link #target} reads row {@code track} of the source's (tracks x K) z matrix,
 * and {@link #labelled} lists the rows whose presence mask is set.
 *
 * <p>Threading: the trainer calls these methods from one background (prefetch) thread while it trains
 * on the caller's thread; implementations must therefore be safe for that (read-only data is). All
 * randomness comes from the {@code rng} argument, so batches are reproducible from the seed.
 */
public interface TrainingData {

    /** The training split (Algorithm 1 samples from it) and the validation split (monitoring only). */
    enum Split { TRAIN, VALID }

    /** Channels C of a crop (2: stereo). */
    int channels();

    /** Frames T of a crop (216). */
    int frames();

    /** Mel bands F of a crop (128). */
    int mels();

    /** Targets per factor source, K (50). */
    int nOut();

    /** Number of tracks in the split (N_train for the epoch length; self pairs draw from all of them). */
    int numTracks(Split split);

    /**
     * The tracks of the split (indices in [0, numTracks)) that have a label for factor source s, in
     * ascending order. Not called for {@link Source#SELF}, which is defined on every track.
     * The caller does not modify the array.
     */
    int[] labelled(Split split, Source s);

    /**
     * Write a standardised random crop of {@code track}, layout (C, T, F), into
     * {@code dst[off .. off + C*T*F)}; the crop start is drawn from {@code rng} (uniform over all
     * valid starts, decision 5).
     */
    void crop(Split split, int track, Rng rng, float[] dst, int off);

    /** Write z of {@code track} for factor source s (K values, a distribution) into {@code dst[off .. off+K)}. */
    void target(Split split, Source s, int track, float[] dst, int off);
}
