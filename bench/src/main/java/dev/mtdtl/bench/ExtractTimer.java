package dev.mtdtl.bench;

import dev.mtdtl.data.store.MelStore;
import dev.mtdtl.eval.Extractor;
import dev.mtdtl.eval.TargetDataset;
import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;
import java.util.Locale;

/**
 * {@code mtdtl extract}'s network path on a real target dataset, alternating in one JVM: (A) one
 * {@link Extractor#trackVector} call per track, each running that track's slices as a batch of their own (what
 * {@code extract} did until session 40), against (B) {@link Extractor#extract}, which packs the slices of
 * consecutive tracks into batches of 32. Prints both medians (wall ms for the whole dataset), the median per-round
 * ratio B / A, the tracks and slices, and whether every track's vector was bit-identical.
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 -cp benchmarks.jar
 * dev.mtdtl.bench.ExtractTimer RUN_DIR DATASET_DIR [THREADS 2] [ROUNDS 5]}, e.g. a quickstart's
 * {@code runs/mscr2-tag+bpm} and {@code prepared/targets/genre}.
 */
public final class ExtractTimer {

    private ExtractTimer() {}

    public static void main(String[] args) throws Exception {
        java.nio.file.Path run = java.nio.file.Path.of(args[0]);
        java.nio.file.Path dataset = java.nio.file.Path.of(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        Parallel.setThreads(threads);
        Extractor ex = Extractor.fromRun(run);
        MelStore store = TargetDataset.open(dataset).store(true);
        int n = store.size();
        int d = ex.dims();
        long slices = 0;
        for (int t = 0; t < n; t++) {
            slices += store.sliceCount(t, Extractor.SLICE);
        }
        double[] ta = new double[rounds];
        double[] tb = new double[rounds];
        double[] ratio = new double[rounds];
        boolean same = true;
        for (int r = -1; r < rounds; r++) {   // round -1 warms up
            long t0 = System.nanoTime();
            float[] a = new float[n * d];
            for (int t = 0; t < n; t++) {
                int s = store.sliceCount(t, Extractor.SLICE);
                float[] x = new float[s * 2 * Extractor.SLICE * store.mels()];
                store.slices(t, Extractor.SLICE, x, 0);
                System.arraycopy(ex.trackVector(x, s), 0, a, t * d, d);
            }
            long t1 = System.nanoTime();
            float[] b = ex.extract(store, null);
            long t2 = System.nanoTime();
            same &= Arrays.equals(a, b);
            if (r >= 0) {
                ta[r] = (t1 - t0) / 1e6;
                tb[r] = (t2 - t1) / 1e6;
                ratio[r] = tb[r] / ta[r];
            }
        }
        System.out.printf(Locale.ROOT, "extract run=%s dataset=%s tracks=%d slices=%d threads=%d per_track_ms=%.1f "
                        + "packed_ms=%.1f ratio_median=%.3f rounds=%d identical=%b%n", run.getFileName(),
                dataset.getFileName(), n, slices, threads, median(ta), median(tb), median(ratio), rounds, same);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
