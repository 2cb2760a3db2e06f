package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.Conv2dCpu;
import dev.mtdtl.tensor.cpu.ConvGeom;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The base CNN's conv layers, every direction, timed by the CPU time of the compute threads
 * ({@link StepClock}) as well as by the wall clock: on a shared machine with a load average far above the
 * core count, JMH's wall-clock figures mostly measure the wait for a core, while the CPU time of one call
 * stays close to its idle-machine cost (still inflated by cache and SMT sharing: compare A/B in one run).
 *
 * <p>Usage: {@code ConvCpuTimer BATCH THREADS REPS [LAYERS]} (LAYERS comma-separated, default all of
 * conv1..conv62). Prints per (layer, direction): min and median CPU ms over REPS calls after the warm-up
 * ({@link #warm}: until the op stops getting faster), GFLOP per CPU-second at the min (2 N OC HO WO C KH KW FLOP per call), the median and min wall
 * ms; first, per layer, the kernels each direction takes ({@link Conv2dCpu#paths}).
 */
public final class ConvCpuTimer {

    private ConvCpuTimer() {}

    public static void main(String[] args) {
        int batch = Integer.parseInt(args[0]);
        int threads = Integer.parseInt(args[1]);
        int reps = Integer.parseInt(args[2]);
        String[] layers = (args.length > 3 ? args[3] : "conv1,conv2,conv3,conv4,conv5,conv61,conv62").split(",");
        Parallel.setThreads(threads);
        double totalMin = 0, totalMed = 0, totalFlop = 0, totalWall = 0;
        for (String layer : layers) {
            ConvGeom g = Conv2dBench.layer(layer, batch);
            SplittableRandom r = new SplittableRandom(42);
            float[] x = fill(r, g.xSize()), w = fill(r, g.wSize()), b = fill(r, g.oc()), dy = fill(r, g.ySize());
            float[] y = new float[g.ySize()], dx = new float[g.xSize()], dw = new float[g.wSize()], db = new float[g.oc()];
            float[] ws = new float[(int) Conv2dCpu.workspaceFloats(g)];
            System.out.printf(Locale.ROOT, "conv layer=%s paths: %s%n", layer, Conv2dCpu.paths(g));
            double flop = 2.0 * g.n() * g.oc() * g.ho() * g.wo() * g.c() * g.kh() * g.kw();
            for (String dir : new String[]{"forward", "backwardData", "backwardFilter"}) {
                Runnable op = switch (dir) {
                    case "forward" -> () -> Conv2dCpu.forward(y, x, w, b, g, ws);
                    case "backwardData" -> () -> Conv2dCpu.backwardData(dx, dy, w, g, ws);
                    default -> () -> Conv2dCpu.backwardFilter(dw, db, dy, x, g, ws);
                };
                double[] cpu = new double[reps];
                double[] wall = new double[reps];
                StepClock c = new StepClock();
                int warmed = warm(op, c);
                for (int i = 0; i < reps; i++) {
                    c.start();
                    op.run();
                    c.stop();
                    cpu[i] = c.cpuMs;
                    wall[i] = c.wallMs;
                }
                Arrays.sort(cpu);
                Arrays.sort(wall);
                System.out.printf(Locale.ROOT, "conv layer=%s dir=%s batch=%d threads=%d min_cpu_ms=%.2f median_cpu_ms=%.2f"
                                + " gflops_per_cpu_s=%.1f median_wall_ms=%.2f min_wall_ms=%.2f warmup_calls=%d%n", layer, dir,
                        batch, threads, cpu[0], cpu[reps / 2], flop / (cpu[0] * 1e6), wall[reps / 2], wall[0], warmed);
                if (!(layer.equals("conv1") && dir.equals("backwardData"))) {   // a training step skips conv1's
                    totalMin += cpu[0];
                    totalMed += cpu[reps / 2];
                    totalWall += wall[reps / 2];
                    totalFlop += flop;
                }
            }
        }
        System.out.printf(Locale.ROOT, "conv total (step's conv work) min_cpu_ms=%.1f median_cpu_ms=%.1f gflops_per_cpu_s=%.1f"
                + " median_wall_ms=%.1f%n", totalMin, totalMed, totalFlop / (totalMin * 1e6), totalWall);
    }

    /**
     * Unrecorded calls until the op stops getting faster: at least {@link #WARM_MIN} calls and 1 s (a steady
     * slow state, the boxed code before C2 compiles a kernel, can last tens of calls), then until
     * {@link #WARM_PATIENCE} calls in a row were not 3% faster (CPU time) than the best before them and the JIT
     * compiled nothing while they ran, at most {@link #WARM_MAX} calls or 30 s. A fixed 3 calls were too few for
     * the small layers timed alone: C2 had not compiled their kernels yet, and conv62's forward read 2.3 ms for a
     * warm 0.45 (bench/RESULTS.md, session 24). Returns the calls made.
     */
    static int warm(Runnable op, StepClock c) {
        double best = Double.MAX_VALUE;
        int since = 0;
        int n = 0;
        long start = System.nanoTime();
        long jit = jitMs();
        while (n < WARM_MAX && System.nanoTime() - start < 30_000_000_000L) {
            c.start();
            op.run();
            c.stop();
            n++;
            long jitNow = jitMs();
            // a call during which the JIT compiled anything does not count as "not faster": the op's kernels
            // may be among what it compiled (conv5's forward stopped after 17 calls in C1 code: 1.1-1.2 ms for a
            // 0.8 ms op, bench/RESULTS.md, session 32)
            since = c.cpuMs < best * (1 - 0.03) || jitNow != jit ? 0 : since + 1;
            jit = jitNow;
            best = Math.min(best, c.cpuMs);
            if (n >= WARM_MIN && since >= WARM_PATIENCE && System.nanoTime() - start >= 1_000_000_000L) {
                break;
            }
        }
        return n;
    }

    /** The JIT compilers' total time so far (ms), or 0 where the JVM does not report it. */
    private static long jitMs() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    static final int WARM_MIN = 5;
    static final int WARM_PATIENCE = 8;
    static final int WARM_MAX = 300;

    private static float[] fill(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }
}
