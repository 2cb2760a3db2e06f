package dev.mtdtl.tensor.test;

import dev.mtdtl.tensor.io.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Seeded test data and access to the golden fixtures bundled with the project. */
public final class Fixtures {

    private Fixtures() {}

    /**
     * The bundled golden fixtures (a copy of ../shared/fixtures, see its README): found by walking up
     * from the working directory to the repository root, where they live under {@code fixtures/}.
     */
    public static Path dir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path f = p.resolve("fixtures").resolve("manifest.json");
            if (Files.isRegularFile(f)) {
                return f.getParent();
            }
            p = p.getParent();
        }
        throw new IllegalStateException("bundled fixtures/manifest.json not found above " + Path.of("").toAbsolutePath());
    }

    /** Read {@code fixtures/<rel>}. */
    public static Npy.Array npy(String rel) {
        try {
            return Npy.read(dir().resolve(rel));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static float[] f32(String rel) {
        return npy(rel).toFloat();
    }

    public static double[] f64(String rel) {
        return npy(rel).values();
    }

    /** {@code n} uniform floats in [lo, hi) from a fixed seed. */
    public static float[] uniform(long seed, int n, float lo, float hi) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        }
        return a;
    }

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
