package dev.mtdtl.eval.profile;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's measured peaks, the two roofs of the roofline: a compute probe (GFLOP/s) and a stream-copy
 * probe (GB/s), each the best of a few short repetitions.
 *
 * <p>CPU: the compute probe runs, on every thread of the engine's pool, a loop of fused multiply-adds on 12
 * independent vector accumulators (more than the 8 that the FMA latency of 4 cycles on 2 ports needs), so it measures
 * the cores' FMA throughput at the Vector API's preferred width; the copy probe copies a 64 MiB float array
 * (larger than any last-level cache here) in per-thread chunks and counts read + write bytes (STREAM's
 * "copy" convention, no write-allocate). A GPU has no FMA probe among the device's ops, so there the compute
 * roof is a large square GEMM through the device's linear op (cuBLAS reaches within a few per cent of the FMA
 * roof at that size) and the bandwidth roof a device-to-device copy of 256 MiB.
 *
 * @param gflops    compute roof
 * @param gbPerS    bandwidth roof
 * @param compute   how the compute roof was measured
 * @param bandwidth how the bandwidth roof was measured
 */
public record Peaks(double gflops, double gbPerS, String compute, String bandwidth) {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Measure the CPU's roofs with the engine's current thread count. */
    public static Peaks cpu() {
        return new Peaks(cpuFma(4_000_000 / S.length() * 8), cpuCopy(16 << 20),
                "FMA probe: " + Parallel.threads() + " threads x " + FMA_CHAINS + " chains of " + S.length() + "-lane FMAs",
                "stream copy of 64 MiB on " + Parallel.threads() + " threads (read + write bytes)");
    }

    /**
     * Measure a non-CPU device's roofs: a (g x g) by (g x g) GEMM and a device-to-device copy of {@code copyFloats}
     * floats (the profile command uses g = 4096 and 64 Mi floats; tests use small sizes).
     */
    public static Peaks device(Device d, int g, int copyFloats) {
        Tensor x = d.zeros(g, g);
        Tensor w = d.zeros(g, g);
        Tensor y = d.zeros(g, g);
        x.fill(1e-3f);
        w.fill(1e-3f);
        long wsFloats = d.ops().linearWorkspaceFloats(g, g, g);
        Tensor ws = wsFloats > 0 ? d.zeros((int) wsFloats) : null;
        double bestGemm = Double.MAX_VALUE;
        for (int r = 0; r < 4; r++) {
            d.synchronize();
            long t0 = System.nanoTime();
            d.ops().linearForward(y, x, w, null, g, g, g, ws);
            d.synchronize();
            bestGemm = Math.min(bestGemm, System.nanoTime() - t0);
        }
        Tensor a = d.zeros(copyFloats);
        Tensor b = d.zeros(copyFloats);
        double bestCopy = Double.MAX_VALUE;
        for (int r = 0; r < 4; r++) {
            d.synchronize();
            long t0 = System.nanoTime();
            b.copyFrom(a);
            d.synchronize();
            bestCopy = Math.min(bestCopy, System.nanoTime() - t0);
        }
        return new Peaks(2.0 * g * g * g / bestGemm, 8.0 * copyFloats / bestCopy,
                "GEMM probe: " + g + "^3 through the device's linear op",
                "device-to-device copy of " + (copyFloats * 4L >> 20) + " MiB (read + write bytes)");
    }

    /** Independent accumulators of {@link #fmaChains}. */
    public static final int FMA_CHAINS = 12;

    /**
     * The FMA probes' operands, 0.999 and 1e-4: not final, so that C2 does not fold them (see {@link #fmaChains});
     * private, so that nothing sets them; read through {@link #probeA} and {@link #probeB}.
     */
    @SuppressWarnings("FieldMayBeFinal")
    private static float probeA = 0.999f;
    @SuppressWarnings("FieldMayBeFinal")
    private static float probeB = 1e-4f;

    /** The probes' multiplicand, 0.999, read from a field C2 does not fold. */
    public static float probeA() {
        return probeA;
    }

    /** The probes' other factor, 1e-4, read from a field C2 does not fold. */
    public static float probeB() {
        return probeB;
    }

    /** Best GFLOP/s over 5 runs of {@code iters} iterations of 12 FMA chains per thread. */
    static double cpuFma(int iters) {
        int threads = Parallel.threads();
        double[] sink = new double[threads];
        double best = 0;
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            Parallel.forEach(threads, (c, lo, hi) -> sink[c] += fmaChains(iters, c));
            long ns = System.nanoTime() - t0;
            best = Math.max(best, 2.0 * FMA_CHAINS * S.length() * (double) iters * threads / ns);
        }
        if (Double.isNaN(sink[0])) {   // keeps the loop's result alive; never true for these inputs
            throw new IllegalStateException("FMA probe produced NaN");
        }
        return best;
    }

    /**
     * The compute probe's kernel: {@code iters} steps of {@link #FMA_CHAINS} independent FMA chains of the preferred
     * vector shape, 2 x FMA_CHAINS x lanes FLOP a step; returns a value that depends on all of them (keep it alive).
     * Also bench's {@code Peak} (per-thread CPU time).
     */
    public static float fmaChains(int iters, int seed) {
        // a and b from fields C2 cannot fold: broadcasts of constants, JDK 25's C2 rematerialised both from its
        // constant table before every FMA (two loads an FMA), and the probe read about half of the FMA rate that the
        // kernels reach (bench/RESULTS.md, session 38); values loaded once stay in registers on JDK 17 and 25
        FloatVector a = FloatVector.broadcast(S, probeA);
        FloatVector b = FloatVector.broadcast(S, probeB);
        FloatVector c0 = FloatVector.broadcast(S, seed);
        FloatVector c1 = c0.add(1f);
        FloatVector c2 = c0.add(2f);
        FloatVector c3 = c0.add(3f);
        FloatVector c4 = c0.add(4f);
        FloatVector c5 = c0.add(5f);
        FloatVector c6 = c0.add(6f);
        FloatVector c7 = c0.add(7f);
        FloatVector c8 = c0.add(8f);
        FloatVector c9 = c0.add(9f);
        FloatVector c10 = c0.add(10f);
        FloatVector c11 = c0.add(11f);
        // c = 0.999 * 1e-4 + c, the kernels' form (the chain runs through the addend): c = c * a + b ran 95 against
        // 113 GFLOP/s a core under -XX:UseAVX=2 (the same at 512 bits; bench/RESULTS.md, session 37). c grows by
        // about 1e-4 a step: no overflow, no denormals.
        for (int i = 0; i < iters; i++) {
            c0 = a.fma(b, c0);
            c1 = a.fma(b, c1);
            c2 = a.fma(b, c2);
            c3 = a.fma(b, c3);
            c4 = a.fma(b, c4);
            c5 = a.fma(b, c5);
            c6 = a.fma(b, c6);
            c7 = a.fma(b, c7);
            c8 = a.fma(b, c8);
            c9 = a.fma(b, c9);
            c10 = a.fma(b, c10);
            c11 = a.fma(b, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** Best GB/s (read + write) over 5 parallel copies of {@code n} floats. */
    static double cpuCopy(int n) {
        float[] src = new float[n];
        float[] dst = new float[n];
        java.util.Arrays.fill(src, 1f);
        int grain = Math.max(1 << 16, n / Parallel.threads());
        double best = 0;
        for (int r = 0; r < 5; r++) {
            long t0 = System.nanoTime();
            Parallel.forChunks(n, grain, (c, lo, hi) -> System.arraycopy(src, lo, dst, lo, hi - lo));
            long ns = System.nanoTime() - t0;
            best = Math.max(best, 8.0 * n / ns);
        }
        if (dst[n - 1] != 1f) {
            throw new IllegalStateException("copy probe did not copy");
        }
        return best;
    }
}
