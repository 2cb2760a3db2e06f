package dev.mtdtl.bench;

import dev.mtdtl.nn.Adam;
import dev.mtdtl.nn.BatchSampler;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Param;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.nn.TrainConfig;
import dev.mtdtl.nn.Trainer;
import dev.mtdtl.nn.TrainingData;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.cpu.AdamCpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;

/**
 * Are there subnormal floats in realistic Adam moments, and do they slow the Adam kernel? (Subnormal
 * operands cost a microcode assist of ~100 cycles on many x86 cores.) Trains SS-R on tag for STEPS
 * iterations on the profiler's random data, then per parameter: how many values of the gradient and of
 * the moments m, v are subnormal, and the single-thread CPU time of one Adam update on copies of the real
 * p, g, m, v against the same update on copies with every subnormal flushed to zero.
 * Then a synthetic worst case: every g, m, v subnormal. Usage: {@code AdamMoments BATCH STEPS REPS}.
 */
public final class AdamMoments {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private AdamMoments() {}

    public static void main(String[] args) {
        int batch = Integer.parseInt(args[0]);
        int steps = Integer.parseInt(args[1]);
        int reps = Integer.parseInt(args[2]);
        Parallel.setThreads(1);
        List<Source> sources = List.of(Source.of("tag"));
        TrainingData data = StrategyStepTimer.randomData(batch + 8, sources, 1234);
        MultiSourceNet net = MultiSourceNet.paper(Strategy.SSR, sources, 1234);
        Trainer trainer = new Trainer(net, data, TrainConfig.paper(1234).withBatch(batch));
        BatchSampler sampler = new BatchSampler(data, TrainingData.Split.TRAIN, sources, batch, 99, false);
        float loss = 0;
        for (int i = 0; i < steps; i++) {
            loss = trainer.step(sampler.batch(i, sources.get(0)));
        }
        Adam adam = trainer.adam(sources.get(0));
        System.out.printf(Locale.ROOT, "after %d steps at batch %d: loss %.6f, Adam t = %d%n", steps, batch, loss, adam.steps());
        long subG = 0, subM = 0, subV = 0, total = 0;
        double realNs = 0, flushedNs = 0;
        List<Param> ps = adam.params();
        for (int i = 0; i < ps.size(); i++) {
            float[] p = ps.get(i).value().data(), g = ps.get(i).grad().data();
            float[] m = adam.expAvg(i).data(), v = adam.expAvgSq(i).data();
            int sg = subnormals(g), sm = subnormals(m), sv = subnormals(v);
            subG += sg;
            subM += sm;
            subV += sv;
            total += p.length;
            double real = time(p, g, m, v, adam.steps() + 1, reps, false);
            double flushed = time(p, g, m, v, adam.steps() + 1, reps, true);
            realNs += real;
            flushedNs += flushed;
            if (p.length >= 4096 || sg + sm + sv > 0) {
                System.out.printf(Locale.ROOT, "%-32s n=%7d subnormal g=%d m=%d v=%d  adam %.3f ms (flushed copy %.3f ms)%n",
                        ps.get(i).name(), p.length, sg, sm, sv, real / 1e6, flushed / 1e6);
            }
        }
        System.out.printf(Locale.ROOT, "all %d parameters: subnormal g=%d m=%d v=%d; one Adam update %.3f ms, flushed copies %.3f ms%n",
                total, subG, subM, subV, realNs / 1e6, flushedNs / 1e6);
        int n = 1 << 20;
        float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            p[i] = (float) (r.nextDouble(-1, 1) * 1e-30);          // wd * p is subnormal too
            g[i] = (float) (r.nextDouble(-1, 1) * 1e-39);
            m[i] = (float) (r.nextDouble(-1, 1) * 1e-39);
            v[i] = (float) (r.nextDouble() * 1e-40);
        }
        double sub = time(p, g, m, v, 100, reps, false);
        double flat = time(p, g, m, v, 100, reps, true);
        System.out.printf(Locale.ROOT, "synthetic, %d values, all g, m, v subnormal: %.3f ms; the same flushed to zero: %.3f ms"
                + " (ratio %.2f)%n", n, sub / 1e6, flat / 1e6, sub / flat);
    }

    /** Min single-thread CPU ns of one AdamCpu.step on copies (optionally with subnormals flushed to zero). */
    private static double time(float[] p0, float[] g0, float[] m0, float[] v0, int t, int reps, boolean flush) {
        long best = Long.MAX_VALUE;
        for (int k = 0; k < reps; k++) {
            float[] p = p0.clone(), g = g0.clone(), m = m0.clone(), v = v0.clone();
            if (flush) {
                flush(p);
                flush(g);
                flush(m);
                flush(v);
            }
            long c0 = THREADS.getCurrentThreadCpuTime();
            AdamCpu.step(p, g, m, v, 0, p.length, t, 2.5e-4f, 0.9f, 0.999f, 1e-8f, 1e-6f);
            best = Math.min(best, THREADS.getCurrentThreadCpuTime() - c0);
        }
        return best;
    }

    private static int subnormals(float[] a) {
        int c = 0;
        for (float f : a) {
            if (f != 0f && Math.abs(f) < Float.MIN_NORMAL) {
                c++;
            }
        }
        return c;
    }

    private static void flush(float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i]) < Float.MIN_NORMAL) {
                a[i] = 0f;
            }
        }
    }
}
