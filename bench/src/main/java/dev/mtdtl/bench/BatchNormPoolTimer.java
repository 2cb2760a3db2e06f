package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.BatchNormCpu;
import dev.mtdtl.tensor.cpu.BatchNormPoolCpu;
import dev.mtdtl.tensor.cpu.MaxPoolCpu;
import dev.mtdtl.tensor.cpu.ReluCpu;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The fused batch norm + ReLU + 2x2 max pool ({@link BatchNormPoolCpu}) against the three ops run apart
 * (BatchNormCpu, ReluCpu, MaxPoolCpu), on the inputs of the base CNN's blocks 1..5, timed by the CPU time of the
 * compute threads ({@link StepClock}): on a shared machine the CPU time of a call stays near its idle cost where
 * wall time does not. To compare two builds, run this class from each build's jar in turn, alternating.
 *
 * <p>Usage: {@code BatchNormPoolTimer BATCH THREADS REPS}. Prints per block: min and median CPU ms over REPS calls
 * (after 20 warm-up calls, so that C2 has compiled the vector kernels: before that they run the Vector API's slow
 * boxed fallback) of the fused forward (training mode), backward (training mode) and forward (eval mode), and of
 * the unfused training forward (BN, ReLU in place, pool) and backward (pool, ReLU, BN); then the totals.
 */
public final class BatchNormPoolTimer {

    private static final int[][] BLOCKS = {{16, 108, 128}, {32, 54, 64}, {64, 27, 32}, {64, 13, 16}, {128, 6, 8}};

    private BatchNormPoolTimer() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        Parallel.setThreads(threads);
        double[] total = new double[5];
        String[] names = {"fused_fwd_train", "fused_bwd_train", "fused_fwd_eval", "unfused_fwd_train",
            "unfused_bwd_train"};
        for (int[] blk : BLOCKS) {
            int c = blk[0];
            int h = blk[1];
            int w = blk[2];
            int len = n * c * h * w;
            int out = n * c * (h / 2) * (w / 2);
            SplittableRandom r = new SplittableRandom(42);
            float[] x = new float[len];
            for (int i = 0; i < len; i++) {
                x[i] = (float) r.nextGaussian();
            }
            float[] dy = new float[out];
            for (int i = 0; i < out; i++) {
                dy[i] = (float) r.nextGaussian();
            }
            float[] dx = new float[len];
            float[] y = new float[out];
            float[] bnY = new float[len];
            int[] packed = new int[BatchNormPoolCpu.argmaxLength(n, c, h, w)];
            int[] argmax = new int[out];
            float[] gamma = new float[c];
            Arrays.fill(gamma, 1f);
            float[] beta = new float[c];
            float[] rm = new float[c];
            float[] rv = new float[c];
            Arrays.fill(rv, 1f);
            float[] mean = new float[c];
            float[] inv = new float[c];
            float[] dg = new float[c];
            float[] db = new float[c];
            float[] dMasked = new float[out];
            Runnable[] ops = {
                () -> BatchNormPoolCpu.forwardTrain(y, packed, mean, inv, x, gamma, beta, rm, rv, n, c, h, w, 0.1f,
                        1e-5f),
                () -> BatchNormPoolCpu.backwardTrain(dx, dg, db, dy, packed, y, x, mean, inv, gamma, n, c, h, w),
                () -> BatchNormPoolCpu.forwardEval(y, packed, x, gamma, beta, rm, rv, n, c, h, w, 1e-5f),
                () -> {
                    BatchNormCpu.forwardTrain(bnY, mean, inv, x, gamma, beta, rm, rv, n, c, h * w, 0.1f, 1e-5f);
                    ReluCpu.forward(bnY, bnY, len);
                    MaxPoolCpu.forward(y, argmax, bnY, n, c, h, w);
                },
                () -> {
                    ReluCpu.backward(dMasked, dy, y, out);
                    MaxPoolCpu.backward(bnY, dMasked, argmax, n, c, h, w);
                    BatchNormCpu.backwardTrain(dx, dg, db, bnY, x, mean, inv, gamma, n, c, h * w);
                },
            };
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "bnpool block=%dx%dx%dx%d threads=%d",
                    n, c, h, w, threads));
            for (int k = 0; k < ops.length; k++) {
                double[] cpu = time(ops[k], reps);
                total[k] += cpu[0];
                line.append(String.format(Locale.ROOT, " %s_min_cpu_ms=%.3f median=%.3f", names[k], cpu[0],
                        cpu[reps / 2]));
            }
            System.out.println(line);
        }
        StringBuilder t = new StringBuilder("bnpool total (min CPU ms):");
        for (int k = 0; k < total.length; k++) {
            t.append(String.format(Locale.ROOT, " %s=%.2f", names[k], total[k]));
        }
        System.out.println(t);
    }

    /** Sorted CPU ms of {@code reps} calls after 20 unrecorded ones. */
    private static double[] time(Runnable op, int reps) {
        for (int i = 0; i < 20; i++) {
            op.run();
        }
        double[] cpu = new double[reps];
        StepClock c = new StepClock();
        for (int i = 0; i < reps; i++) {
            c.start();
            op.run();
            c.stop();
            cpu[i] = c.cpuMs;
        }
        Arrays.sort(cpu);
        return cpu;
    }
}
