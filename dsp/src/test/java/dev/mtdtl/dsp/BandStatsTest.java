package dev.mtdtl.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streaming per-band statistics against a two-pass double computation over everything at once. */
class BandStatsTest {

    @TempDir
    Path dir;

    @Test
    void streamingMergeEqualsTwoPassAndSurvivesSaveLoad() throws IOException {
        int bands = 8;
        SplittableRandom r = new SplittableRandom(7);
        int[] rows = {1, 517, 3, 2584 * 2, 40};
        float[][] files = new float[rows.length][];
        int total = 0;
        for (int f = 0; f < rows.length; f++) {
            files[f] = new float[rows[f] * bands];
            for (int i = 0; i < files[f].length; i++) {
                files[f][i] = (float) (-40 + 1e4 * (i % bands == 0 ? 1 : 0) + 10 * r.nextGaussian());
            }
            total += rows[f];
        }
        double[] mean = new double[bands];
        double[] var = new double[bands];
        for (float[] x : files) {
            for (int i = 0; i < x.length; i++) {
                mean[i % bands] += x[i];
            }
        }
        for (int b = 0; b < bands; b++) {
            mean[b] /= total;
        }
        for (float[] x : files) {
            for (int i = 0; i < x.length; i++) {
                double d = x[i] - mean[i % bands];
                var[i % bands] += d * d;
            }
        }
        BandStats a = new BandStats(bands);   // files 0..2, saved and reloaded
        BandStats b = new BandStats(bands);   // files 3..4, merged in
        for (int f = 0; f < 3; f++) {
            a.add(files[f], 0, rows[f]);
        }
        a.save(dir.resolve("stats.npy"));
        BandStats loaded = BandStats.load(dir.resolve("stats.npy"));
        for (int f = 3; f < rows.length; f++) {
            b.add(files[f], 0, rows[f]);
        }
        loaded.merge(b);
        assertEquals(total, loaded.count());
        for (int k = 0; k < bands; k++) {
            assertEquals(mean[k], loaded.mean()[k], 1e-9 * Math.abs(mean[k]));
            assertEquals(Math.sqrt(var[k] / total), loaded.std()[k], 1e-9 * Math.sqrt(var[k] / total));
        }
        BandStats two = new BandStats(2);
        two.add(new float[] {-1, 0, 1, 4}, 0, 2);   // band 0: {-1, 1}, band 1: {0, 4}
        float[] y = {0, 2, 1, 6};
        two.standardize(y, 0, 2);
        assertEquals(0.0, two.mean()[0], 0.0);
        assertEquals(2.0, two.std()[1], 0.0);
        assertEquals(0f, y[0], 0f);
        assertEquals(0f, y[1], 0f);
        assertEquals(1f, y[2], 0f);
        assertEquals(2f, y[3], 0f);
    }
}
