package dev.mtdtl.embed;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Packs the standardised slices of consecutive tracks into network batches of a fixed size (a track's slices may
 * span two batches) and makes each track's vector [mean || population std] ({@link Embedder#meanStd}) once its last
 * row is in. What {@code mtdtl extract} (eval's Extractor) and {@code mtdtl embed} on a folder run.
 *
 * <p>Why: one network call per track runs that track's slices alone, 1 to 4 for short clips and 12 for a 30 s one:
 * a batch too small to keep two threads busy (the quickstart's datasets extract in 0.69-0.87x the time packed,
 * bench/RESULTS.md, session 40). The vectors are the same bits as per track: in evaluation mode a slice's features do
 * not depend on which slices share its batch (nn's MultiSourceNetTest.evalRepresentationOfACropDoesNotDependOnItsBatch),
 * and each track's mean and std run over its rows in slice order.
 *
 * <p>Memory: at most one batch of slices (batch x 2 x 216 x M floats, 7 MB at 32 x 128 mels), grown only as far as
 * packing needs it, and of feature rows, plus the rows of the tracks still open (at most batch + 1 of them). A whole
 * batch handed to {@link #add} while nothing waits runs from the caller's array, not copied: a long file streamed
 * 32 slices at a time needs no second 7 MB buffer (the embedder's smallest heap, bench/RESULTS.md). Not thread-safe;
 * one per caller.
 */
public final class SliceBatcher {

    /** Feature rows (n, d) of n slices, {@code slices} exactly n x per floats long (a batch or a partial last one). */
    @FunctionalInterface
    public interface Rows {
        void run(float[] slices, int n, float[] rows);
    }

    /** A finished track: its number (as given to {@link #begin}) and vector (2 d). */
    @FunctionalInterface
    public interface Done {
        void accept(int track, float[] vector);
    }

    private final int per;                 // floats per slice
    private final int d;                   // feature row width
    private final int batchSize;
    private final Rows network;
    private final Done done;
    private float[] batch = new float[0];  // (up to batchSize, per): grown as packing needs
    private final float[] rows;            // (batchSize, d)
    private final Open[] owner;
    private final int[] ownerSlice;
    private final ArrayDeque<Open> open = new ArrayDeque<>();
    private Open current;
    private int filled;

    /** A track whose rows are not all in: its feature rows (count, d), {@code done} of them filled. */
    private static final class Open {
        final int track;
        final int count;
        final float[] feats;
        int added;
        int done;

        Open(int track, int count, int d) {
            this.track = track;
            this.count = count;
            this.feats = new float[count * d];
        }
    }

    public SliceBatcher(int per, int d, int batchSize, Rows network, Done done) {
        if (per < 1 || d < 1 || batchSize < 1) {
            throw new IllegalArgumentException("need positive slice, row and batch sizes, got " + per + ", " + d + ", "
                    + batchSize);
        }
        this.per = per;
        this.d = d;
        this.batchSize = batchSize;
        this.network = network;
        this.done = done;
        this.rows = new float[batchSize * d];
        this.owner = new Open[batchSize];
        this.ownerSlice = new int[batchSize];
    }

    /** Start track {@code track}, of {@code count} >= 1 slices; the previous one must have had all of its slices. */
    public void begin(int track, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("track " + track + ": a track has at least one slice, got " + count);
        }
        if (current != null && current.added != current.count) {
            throw new IllegalStateException("track " + current.track + " got " + current.added + " of its "
                    + current.count + " slices before track " + track + " began");
        }
        current = new Open(track, count, d);
        open.add(current);
    }

    /** The current track's next n standardised slices, n x per floats of src from off. */
    public void add(float[] src, int off, int n) {
        if (current == null || current.added + n > current.count) {
            throw new IllegalStateException(current == null ? "add before begin" : "track " + current.track + " has "
                    + current.count + " slices, got " + (current.added + n));
        }
        if (filled == 0 && n == batchSize && off == 0 && src.length == batchSize * per) {   // a whole batch: run it as is
            for (int i = 0; i < n; i++) {
                owner[i] = current;
                ownerSlice[i] = current.added++;
            }
            filled = n;
            flush(src);
            return;
        }
        if (batch.length < Math.min(batchSize, filled + n) * per) {
            batch = Arrays.copyOf(batch, Math.min(batchSize, Math.max(filled + n, 2 * batch.length / per)) * per);
        }
        for (int i = 0; i < n; i++) {
            System.arraycopy(src, off + i * per, batch, filled * per, per);
            owner[filled] = current;
            ownerSlice[filled] = current.added++;
            if (++filled == batchSize) {
                flush(batch);
            }
        }
    }

    /** Run what is left and finish every track (all must have had all of their slices). */
    public void finish() {
        if (current != null && current.added != current.count) {
            throw new IllegalStateException("track " + current.track + " got " + current.added + " of its "
                    + current.count + " slices");
        }
        flush(batch.length == filled * per ? batch : Arrays.copyOf(batch, filled * per));
    }

    /**
     * Run the filled slices, {@code slices} exactly filled x per floats, hand each row to its track, and finish the
     * tracks whose rows are all in, in order.
     */
    private void flush(float[] slices) {
        if (filled == 0) {
            return;
        }
        network.run(slices, filled, rows);
        for (int j = 0; j < filled; j++) {
            Open o = owner[j];
            System.arraycopy(rows, j * d, o.feats, ownerSlice[j] * d, d);
            o.done++;
            owner[j] = null;
        }
        filled = 0;
        while (!open.isEmpty() && open.peek().done == open.peek().count) {
            Open o = open.poll();
            done.accept(o.track, Embedder.meanStd(o.feats, o.count, d));
        }
    }
}
