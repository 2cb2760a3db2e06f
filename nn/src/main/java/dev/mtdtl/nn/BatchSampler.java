package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Algorithm 1's sampling (digest section 5), as a pure function of (seed, iteration): the source is
 * drawn uniformly from the run's sources, then B distinct tracks that have that source's label
 * (uniform without replacement within the batch, independently across batches, so an epoch is not a
 * permutation), then a random crop of each. For self, each anchor's pair is a second independent crop
 * of the same track (target [0, 1], "same") or a crop of a uniformly drawn different track of the
 * split ([1, 0], "different"), by an independent fair coin per sample (decision 12), or exactly B/2
 * "same" in a random order with {@code balancedSelf}.
 *
 * <p>Why counter-based: every random stream of iteration i (task draw, track choice, crops, coins) is
 * seeded by hash(hash(seed, stream), i). So batches can be built ahead on another thread, in any
 * order, and a resumed run needs only the iteration number to continue every stream exactly.
 */
public final class BatchSampler {

    /**
     * One batch: {@code x} (B, C, T, F) crops; for self also {@code x2} (B, C, T, F), the pairs' second
     * crops (null otherwise); {@code z} (B, K) targets, or (B, 2) one-hot {different, same} for self.
     */
    public record Batch(long iteration, Source source, Tensor x, Tensor x2, Tensor z, int[] tracks) {}

    private static final long TASK = 1;
    private static final long TRACKS = 2;
    private static final long CROPS = 3;
    private static final long COINS = 4;
    private static final long PAIRS = 5;

    private final TrainingData data;
    private final TrainingData.Split split;
    private final List<Source> sources;
    private final int batch;
    private final long seed;
    private final boolean balancedSelf;
    private final Map<Source, int[]> pool = new EnumMap<>(Source.class);

    public BatchSampler(TrainingData data, TrainingData.Split split, List<Source> sources, int batch, long seed,
                        boolean balancedSelf) {
        this.data = data;
        this.split = split;
        this.sources = List.copyOf(sources);
        this.batch = batch;
        this.seed = seed;
        this.balancedSelf = balancedSelf;
        for (Source s : sources) {
            int[] p = s.isSelf() ? range(data.numTracks(split)) : data.labelled(split, s);
            if (p.length < batch || (s.isSelf() && p.length < 2)) {
                throw new IllegalArgumentException("source " + s.id() + " has " + p.length + " labelled tracks in the "
                        + split + " split, fewer than the batch size " + batch
                        + " (a batch holds distinct tracks)");
            }
            pool.put(s, p);
        }
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private Rng stream(long kind, long index) {
        return new Rng(Rng.hash(Rng.hash(seed, kind), index));
    }

    /** The source of iteration i: uniform over the run's sources (PT np.random.choice(tasks)). */
    public Source sourceOf(long iteration) {
        return sources.get(stream(TASK, iteration).nextInt(sources.size()));
    }

    /** The batch of training iteration i (source drawn by {@link #sourceOf}). */
    public Batch batch(long iteration) {
        return batch(iteration, sourceOf(iteration));
    }

    /**
     * The batch of training iteration i, written into {@code reuse}'s tensors where their shapes fit (a batch the
     * caller is done with; null allocates): a prefetch ring recycles its few batches instead of allocating
     * (and collecting) 28 MB per crop tensor per iteration at batch 128. The contents are those of
     * {@link #batch(long)}.
     */
    public Batch batch(long iteration, Batch reuse) {
        return batch(iteration, sourceOf(iteration), reuse);
    }

    /** Batch number {@code index} of source s (validation draws a batch per source this way). */
    public Batch batch(long index, Source s) {
        return batch(index, s, null);
    }

    /** A tensor of the shape, zeroed: {@code old} if it has that shape, else a new one. */
    private static Tensor reuse(Tensor old, int... shape) {
        if (old == null || !old.hasShape(shape)) {
            return Tensor.zeros(shape);
        }
        old.fill(0f);
        return old;
    }

    private Batch batch(long index, Source s, Batch old) {
        int[] p = pool.get(s);
        if (p == null) {
            throw new IllegalArgumentException("source " + s.id() + " is not sampled here (have " + sources + ")");
        }
        // B distinct tracks: a partial Fisher-Yates shuffle of a copy of the pool.
        Rng tr = stream(TRACKS, index * 16 + s.ordinal());
        int[] a = p.clone();
        int[] tracks = new int[batch];
        for (int i = 0; i < batch; i++) {
            int j = i + tr.nextInt(a.length - i);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
            tracks[i] = a[i];
        }
        int c = data.channels();
        int t = data.frames();
        int f = data.mels();
        int sz = c * t * f;
        Tensor x = reuse(old == null ? null : old.x(), batch, c, t, f);
        Rng crops = stream(CROPS, index * 16 + s.ordinal());
        for (int i = 0; i < batch; i++) {
            data.crop(split, tracks[i], crops, x.data(), i * sz);
        }
        if (!s.isSelf()) {
            int k = data.nOut();
            Tensor z = reuse(old == null ? null : old.z(), batch, k);
            for (int i = 0; i < batch; i++) {
                data.target(split, s, tracks[i], z.data(), i * k);
            }
            return new Batch(index, s, x, null, z, tracks);
        }
        boolean[] same = coins(stream(COINS, index));
        Rng other = stream(PAIRS, index);
        int n = data.numTracks(split);
        Tensor x2 = reuse(old == null ? null : old.x2(), batch, c, t, f);
        Tensor z = reuse(old == null ? null : old.z(), batch, 2);
        for (int i = 0; i < batch; i++) {
            int u = tracks[i];
            if (!same[i]) {
                u = other.nextInt(n - 1);    // uniform over the other n - 1 tracks
                if (u >= tracks[i]) {
                    u++;
                }
            }
            data.crop(split, u, crops, x2.data(), i * sz);
            z.data()[2 * i + (same[i] ? 1 : 0)] = 1f;
        }
        return new Batch(index, s, x, x2, z, tracks);
    }

    private boolean[] coins(Rng r) {
        boolean[] same = new boolean[batch];
        if (!balancedSelf) {
            for (int i = 0; i < batch; i++) {
                same[i] = r.nextDouble() < 0.5;
            }
            return same;
        }
        for (int i = 0; i < batch / 2; i++) {
            same[i] = true;
        }
        for (int i = batch - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            boolean tmp = same[i];
            same[i] = same[j];
            same[j] = tmp;
        }
        return same;
    }
}
