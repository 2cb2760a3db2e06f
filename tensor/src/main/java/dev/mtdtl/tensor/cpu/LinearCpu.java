package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;

/**
 * Fully connected layer on the CPU (PyTorch {@code nn.Linear} layout): x (N, IN), w (OUT, IN),
 * b (OUT), y (N, OUT) = x W^T + b. Backward: dx = dy W (written), dW += dy^T x, db += sum_n dy
 * (accumulated). All three products go through {@link Gemm}; the bias sums run one output per
 * chunk in batch order, so results do not depend on the thread count. The short forms allocate the
 * GEMM scratch per call; the forms taking {@code ws} ({@link #workspaceFloats} floats, or null) do not.
 * Omitted: fused activations.
 */
public final class LinearCpu {

    private LinearCpu() {}

    /** Scratch floats that forward and backward need for these sizes (the largest of their GEMMs). */
    public static long workspaceFloats(int n, int in, int out) {
        return Math.max(Gemm.workspaceFloats(n, out, in),
                Math.max(Gemm.workspaceFloats(n, in, out), Gemm.workspaceFloats(out, in, n)));
    }

    /** y (N,OUT) = x (N,IN) w^T + b (OUT, nullable). y: written. */
    public static void forward(float[] y, float[] x, float[] w, float[] b, int n, int in, int out) {
        forward(y, x, w, b, n, in, out, null);
    }

    /** As {@link #forward(float[], float[], float[], float[], int, int, int)} with scratch ws (null: allocate). */
    public static void forward(float[] y, float[] x, float[] w, float[] b, int n, int in, int out, float[] ws) {
        check(n, in, out);
        requireLen("y", y, (long) n * out, n, in, out);
        requireLen("x", x, (long) n * in, n, in, out);
        requireLen("w", w, (long) out * in, n, in, out);
        if (b != null) {
            requireLen("b", b, out, n, in, out);
            for (int i = 0; i < n; i++) {
                System.arraycopy(b, 0, y, i * out, out);
            }
        }
        Gemm.sgemm(false, true, n, out, in, 1f, x, 0, in, w, 0, in, b == null ? 0f : 1f, y, 0, out, ws, 0);
    }

    /**
     * dx (N,IN) = dy w (written; nullable: skipped), dw (OUT,IN) += dy^T x, db (OUT, nullable) += column
     * sums of dy (N,OUT).
     */
    public static void backward(float[] dx, float[] dw, float[] db, float[] dy, float[] x, float[] w,
                                int n, int in, int out) {
        backward(dx, dw, db, dy, x, w, n, in, out, null);
    }

    /** As {@link #backward(float[], float[], float[], float[], float[], float[], int, int, int)} with scratch. */
    public static void backward(float[] dx, float[] dw, float[] db, float[] dy, float[] x, float[] w,
                                int n, int in, int out, float[] ws) {
        check(n, in, out);
        requireLen("dy", dy, (long) n * out, n, in, out);
        requireLen("x", x, (long) n * in, n, in, out);
        requireLen("w", w, (long) out * in, n, in, out);
        requireLen("dw", dw, (long) out * in, n, in, out);
        if (dx != null) {
            requireLen("dx", dx, (long) n * in, n, in, out);
            Gemm.sgemm(false, false, n, in, out, 1f, dy, 0, out, w, 0, in, 0f, dx, 0, in, ws, 0);
        }
        Gemm.sgemm(true, false, out, in, n, 1f, dy, 0, out, x, 0, in, 1f, dw, 0, in, ws, 0);
        if (db != null) {
            requireLen("db", db, out, n, in, out);
            Parallel.forChunks(out, 64, (ch, o0, o1) -> {
                for (int o = o0; o < o1; o++) {
                    float s = 0f;
                    for (int i = 0; i < n; i++) {
                        s += dy[i * out + o];
                    }
                    db[o] += s;
                }
            });
        }
    }

    private static void check(int n, int in, int out) {
        if (n <= 0 || in <= 0 || out <= 0) {
            throw new IllegalArgumentException("linear dimensions must be positive: x (" + n + ", " + in + ") w ("
                    + out + ", " + in + ")");
        }
    }

    private static void requireLen(String what, float[] a, long need, int n, int in, int out) {
        String shapes = "x (" + n + ", " + in + ") w (" + out + ", " + in + ") y (" + n + ", " + out + ")";
        if (a == null) {
            throw new IllegalArgumentException("linear " + what + " is null; " + shapes);
        }
        if (a.length != need) {
            throw new IllegalArgumentException("linear " + what + " has " + a.length + " elements, expected " + need
                    + " for " + shapes);
        }
    }
}
