package dev.mtdtl.dsp;

import dev.mtdtl.tensor.Parallel;

/**
 * Decibel conversion as librosa's {@code power_to_db} / {@code amplitude_to_db} with ref = 1:
 * {@code factor * log10(max(x, amin))} with factor 10 for power and 20 for amplitude, then the
 * optional top_db clip {@code max(db, max(db) - topDb)} where the maximum is over the whole range
 * given (the paper's code passes the whole stereo file, so both channels share one ceiling).
 *
 * <p>The log is evaluated in double and rounded once to float (error 0.5 ulp of the dB value).
 * Omitted: ref other than 1 (a constant shift), callable refs.
 */
public final class Db {

    private Db() {}

    /** x[off, off+len) := factor * log10(max(x, amin)), in place. factor 10 (power) or 20 (amplitude). */
    public static void toDb(float[] x, int off, int len, double factor, double amin) {
        Parallel.forChunks(len, 1 << 14, (c, from, to) -> {
            for (int i = off + from; i < off + to; i++) {
                x[i] = (float) (factor * Math.log10(Math.max(x[i], amin)));
            }
        });
    }

    /** x := max(x, max(x) - topDb) over [off, off+len); no-op for an infinite topDb. */
    public static void clipTopDb(float[] x, int off, int len, double topDb) {
        if (Double.isInfinite(topDb) || len == 0) {
            return;
        }
        float mx = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + len; i++) {
            mx = Math.max(mx, x[i]);
        }
        // librosa: np.maximum(log_spec, log_spec.max() - top_db), evaluated in the array's dtype.
        float floor = (float) (mx - topDb);
        for (int i = off; i < off + len; i++) {
            if (x[i] < floor) {
                x[i] = floor;
            }
        }
    }
}
