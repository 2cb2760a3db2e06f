package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.Gemm;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One SGEMM shape, called many times after a long warm-up, timed by the wall clock and by the CPU time of the
 * compute threads ({@link StepClock}): for the small GEMMs of the base CNN's im2col layers, whose cost at 2
 * threads is mostly the pool's wake-ups (bench/RESULTS.md, session 27), JMH's per-call overhead and fork-level
 * noise hide the differences. Same operands in every call, C overwritten (beta 0).
 *
 * <p>Usage: {@code GemmCpuTimer M N K THREADS [CALLS [TRANS]]}, TRANS one of {@code -}, {@code A}, {@code B},
 * {@code AB} (which operands are stored transposed; default {@code -}), CALLS default 2,000 (after 300 warm-up
 * calls). Prints median and min wall ms, median CPU ms and GFLOP/s at the min wall time.
 */
public final class GemmCpuTimer {

    private GemmCpuTimer() {}

    public static void main(String[] args) {
        int m = Integer.parseInt(args[0]);
        int n = Integer.parseInt(args[1]);
        int k = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int calls = args.length > 4 ? Integer.parseInt(args[4]) : 2000;
        String trans = args.length > 5 ? args[5] : "-";
        boolean ta = trans.contains("A");
        boolean tb = trans.contains("B");
        Parallel.setThreads(threads);
        SplittableRandom r = new SplittableRandom(1);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextDouble();
        }
        float[] ws = new float[(int) Gemm.workspaceFloats(m, n, k)];
        int lda = ta ? m : k;
        int ldb = tb ? k : n;
        Runnable op = () -> Gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n, ws, 0);
        for (int i = 0; i < 300; i++) {
            op.run();
        }
        double[] wall = new double[calls];
        double[] cpu = new double[calls];
        StepClock clock = new StepClock();
        for (int i = 0; i < calls; i++) {
            clock.start();
            op.run();
            clock.stop();
            wall[i] = clock.wallMs;
            cpu[i] = clock.cpuMs;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        double flop = 2.0 * m * n * k;
        System.out.printf(Locale.ROOT, "gemm %dx%dx%d trans=%s threads=%d median_wall_ms=%.3f min_wall_ms=%.3f "
                + "median_cpu_ms=%.3f gflops_at_min=%.0f%n", m, n, k, trans, threads, wall[calls / 2], wall[0],
                cpu[calls / 2], flop / wall[0] / 1e6);
    }
}
