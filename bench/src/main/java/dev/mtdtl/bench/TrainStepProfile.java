package dev.mtdtl.bench;

import dev.mtdtl.nn.LayerTimer;
import dev.mtdtl.tensor.Parallel;

/**
 * Where a training step spends its time: runs {@link TrainStep} with a {@link LayerTimer} attached and
 * prints time per layer and direction. Usage: {@code TrainStepProfile BATCH THREADS ITERS}.
 */
public final class TrainStepProfile {

    private TrainStepProfile() {}

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int iters = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Parallel.setThreads(threads);
        TrainStep step = new TrainStep(batch, 1234);
        step.run();
        step.run();
        LayerTimer t = new LayerTimer();
        step.net().setTimer(t);
        long t0 = System.nanoTime();
        for (int i = 0; i < iters; i++) {
            step.run();
        }
        System.out.printf("batch %d, %d threads, %.1f ms per step (mean of %d)%n", batch, threads,
                (System.nanoTime() - t0) / 1e6 / iters, iters);
        System.out.print(t.table());
    }
}
