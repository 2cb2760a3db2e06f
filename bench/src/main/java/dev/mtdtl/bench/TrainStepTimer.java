package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;

import java.util.Arrays;
import java.util.Locale;

/**
 * Plain timer of {@link TrainStep} for the side-by-side script (bench/torch_side_by_side.py), which
 * runs PyTorch's equivalent step in the same run. Prints one line: {@code mtdtl batch=B threads=T
 * median_ms=... gflops=...}. Usage: {@code TrainStepTimer BATCH THREADS WARMUP ITERS}.
 */
public final class TrainStepTimer {

    private TrainStepTimer() {}

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int iters = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Parallel.setThreads(threads);
        TrainStep step = new TrainStep(batch, 1234);
        for (int i = 0; i < warmup; i++) {
            step.run();
        }
        double[] ms = new double[iters];
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double med = ms[iters / 2];
        double gflops = TrainStep.STEP_FLOPS_PER_SAMPLE * batch / (med * 1e6);
        System.out.printf(Locale.ROOT, "mtdtl batch=%d threads=%d median_ms=%.1f min_ms=%.1f gflops=%.1f peak_rss_mb=%.0f%n",
                batch, threads, med, ms[0], gflops, peakRssMb());
    }

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
