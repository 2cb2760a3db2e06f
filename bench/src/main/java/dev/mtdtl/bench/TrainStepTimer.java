package dev.mtdtl.bench;

import dev.mtdtl.tensor.LoopStats;
import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;
import java.util.Locale;

/**
 * Plain timer of {@link TrainStep} for the side-by-side script (bench/torch_side_by_side.py), which
 * runs PyTorch's equivalent step in the same run. Prints one line: {@code mtdtl batch=B threads=T
 * median_ms=... gflops=... median_cpu_ms=... gflops_per_cpu_s=... measured_core_peak=... pct_of_core_peak=...
 * peak_rss_mb=... alloc_mb_per_step=... best_pct_of_peak=... best_pct_of_peak_executed=...}: the wall-clock
 * figures (gflops: the model count, {@link TrainStep#STEP_FLOPS_PER_SAMPLE}, over the median), and the
 * load-independent ones: FLOPs per CPU-second of the compute threads ({@link StepClock}) against one core's
 * measured FMA peak ({@link Peak#measuredPerCore}); with perfect 2-thread scaling the two percentages agree;
 * {@code alloc_mb_per_step} (median) is what the compute threads allocated, ~0.4 MB at batch 32 when every kernel
 * runs as compiled vector code, megabytes more when one runs the Vector API's boxed fallback ({@link StepClock});
 * last, the fastest step's share of the two-core peak (2 x the measured core peak), by the model count and by the
 * FLOPs the step executes ({@link TrainStep#EXECUTED_FLOPS_PER_SAMPLE}: no conv1 data gradient), what issue 15's
 * "60 % of the FMA peak for the whole step" is read against. A second line ({@link LoopStats}, means per step):
 * the parallel loops a step runs, the wall time inside and outside them (outside, one thread works while the
 * others wait), the caller's wait at their ends, and the workers' start delay: mean, median (to a histogram bucket)
 * and the worker time lost to late starts ({@link LoopStats#LATE_US} or more). With {@code -Dmtdtl.loopDetail=true},
 * then one line per parallel loop of the step, in order: the median serial time before it, its median time and the
 * caller's median and mean wait over the timed steps (the kernels' times inside a real step; {@code mtdtl profile}'s
 * {@code loops} column says which op runs which loops). On stderr, a warning when the median allocation exceeds
 * {@link #BOXED_MB}: the figures then include boxed kernels.
 * Usage: {@code TrainStepTimer BATCH THREADS WARMUP ITERS}.
 */
public final class TrainStepTimer {

    private TrainStepTimer() {}

    /** Loops a step may run that {@code -Dmtdtl.loopDetail} records (the base CNN runs 61 at batch 32). */
    private static final int DETAIL_LOOPS_PER_STEP = 256;

    /**
     * One line per loop index k of the step: the medians over steps of the serial time before loop k (from the
     * previous loop's end, or for loop 0 from the previous step's last loop), of loop k's time and of the caller's
     * wait at its end, and that wait's mean. Only when every step ran the same number of loops (else loop k is not
     * one op).
     */
    private static void printLoopDetail(long[] d, long[] loopsAt) {
        int steps = loopsAt.length - 1;
        long per = loopsAt[1] - loopsAt[0];
        for (int i = 0; i < steps; i++) {
            if (loopsAt[i + 1] - loopsAt[i] != per || loopsAt[i + 1] * LoopStats.DETAIL > d.length) {
                System.out.println("mtdtl loop detail: the steps ran different numbers of loops (or more than "
                        + DETAIL_LOOPS_PER_STEP + "); none printed");
                return;
            }
        }
        for (int k = 0; k < per; k++) {
            double[] gap = new double[steps];
            double[] t = new double[steps];
            double[] w = new double[steps];
            double wSum = 0;
            for (int i = 0; i < steps; i++) {
                int at = (int) (loopsAt[i] + k) * LoopStats.DETAIL;
                gap[i] = d[at] / 1e3;
                t[i] = d[at + 1] / 1e3;
                w[i] = d[at + 2] / 1e3;
                wSum += w[i];
            }
            Arrays.sort(gap);
            Arrays.sort(t);
            Arrays.sort(w);
            System.out.printf(Locale.ROOT, "mtdtl loop=%d serial_before_median_us=%.0f median_us=%.0f wait_median_us=%.0f"
                    + " wait_mean_us=%.0f%n", k, gap[steps / 2], t[steps / 2], w[steps / 2], wSum / steps);
        }
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int iters = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Parallel.setThreads(threads);
        // The peak first, before any kernel runs: measured after a 2-thread step (2026-12-05) the probe's own
        // C2 code ran at 8.6 GFLOP per CPU-second, the Vector API's boxed speed, on an idle machine, every time
        // (the step's kernels, compiled earlier, were not affected); measured first it reads 215-230.
        double peak = Peak.measuredPerCore();
        TrainStep step = new TrainStep(batch, 1234);
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double[] ms = new double[iters];
        double[] cpu = new double[iters];
        double[] alloc = new double[iters];
        StepClock clock = new StepClock();
        double wallSum = 0;
        boolean detail = Boolean.getBoolean("mtdtl.loopDetail");
        long[] loopsAt = new long[iters + 1];   // loops counted before step i
        LoopStats.start(detail ? iters * DETAIL_LOOPS_PER_STEP : 0);
        for (int i = 0; i < iters; i++) {
            loopsAt[i] = LoopStats.loopCount();
            clock.start();
            step.run();
            clock.stop();
            ms[i] = clock.wallMs;
            wallSum += clock.wallMs;
            cpu[i] = clock.cpuMs;
            alloc[i] = clock.allocMb;
        }
        loopsAt[iters] = LoopStats.loopCount();
        LoopStats.Snapshot loops = LoopStats.stop();
        Arrays.sort(ms);
        Arrays.sort(cpu);
        Arrays.sort(alloc);
        double med = ms[iters / 2];
        double flop = TrainStep.STEP_FLOPS_PER_SAMPLE * batch;
        double gflops = flop / (med * 1e6);
        double perCpu = flop / (cpu[iters / 2] * 1e6);
        System.out.printf(Locale.ROOT, "mtdtl batch=%d threads=%d median_ms=%.1f min_ms=%.1f gflops=%.1f median_cpu_ms=%.1f"
                        + " gflops_per_cpu_s=%.1f measured_core_peak=%.1f pct_of_core_peak=%.1f peak_rss_mb=%.0f"
                        + " alloc_mb_per_step=%.2f best_pct_of_peak=%.1f best_pct_of_peak_executed=%.1f java=%s%n",
                batch, threads, med, ms[0], gflops, cpu[iters / 2], perCpu, peak, 100 * perCpu / peak, peakRssMb(),
                alloc[iters / 2], 100 * flop / (ms[0] * 1e6) / (threads * peak),
                100 * TrainStep.EXECUTED_FLOPS_PER_SAMPLE * batch / (ms[0] * 1e6) / (threads * peak), Runtime.version());
        // Means per step, so that inside + outside = the mean wall time (the median and min above are of steps).
        System.out.printf(Locale.ROOT, "mtdtl loops_per_step=%d mean_ms=%.1f in_loops_ms=%.1f outside_loops_ms=%.1f"
                        + " caller_wait_ms=%.2f worker_start_us=%.1f worker_start_median_le_us=%.0f"
                        + " late_start_ms_per_step=%.2f%n", loops.loops() / iters, wallSum / iters,
                loops.loopMs() / iters, (wallSum - loops.loopMs()) / iters, loops.callerWaitMs() / iters,
                loops.workerStartUs(), loops.workerStartMedianUs(), loops.lateStartMs() / iters);
        if (detail) {
            printLoopDetail(LoopStats.detail(), loopsAt);
        }
        if (alloc[iters / 2] > BOXED_MB) {
            System.err.printf(Locale.ROOT, "mtdtl warning: the compute threads allocated %.2f MB a step (about 0.4 at"
                    + " batch 32, 1.4 at 128, when C2 compiled every kernel well): some kernel ran the Vector API's boxed"
                    + " fallback, after a warm-up too short for C2 or from a compile that came out boxed (bench/RESULTS.md,"
                    + " session 31); these times are not the engine's. Rerun with more warm-up steps, or in a fresh JVM.%n",
                    alloc[iters / 2]);
        }
    }

    /** Median MB a step above which the timer warns that its figures include boxed kernels. */
    static final double BOXED_MB = 4;

    /** VmHWM (peak resident set) of this JVM in MB from /proc/self/status; -1 where there is none (not Linux). */
    static double peakRssMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
