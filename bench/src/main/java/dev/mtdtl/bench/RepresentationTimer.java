package dev.mtdtl.bench;

import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Feature extraction of a multi-source model, the way the study's evaluation ({@code Extractor}) and the embedder
 * run it: every source's representation of the same batch of 2.5 s crops, in evaluation mode. Times, alternating in
 * one JVM, (A) one {@link MultiSourceNet#representation} call per source, which runs the shared trunk once per
 * source, against (B) {@link MultiSourceNet#representations}, which runs it once; prints both medians, the median
 * of the per-pair ratios B / A, and whether the two gave the same bits for every source.
 *
 * <p>Work per batch: the base network's inference is about 3.7 GFLOP per 32 crops (conv1-conv62); the trunk is
 * conv1 (MS-CR@2), conv1-conv3 (@4) or conv1-conv5 (@6). With m sources, A runs m trunks and m branches, B one
 * trunk and m branches.
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -XX:PerMethodTrapLimit=100000 -cp benchmarks.jar
 * dev.mtdtl.bench.RepresentationTimer STRATEGY SOURCES [BATCH 32] [THREADS 2] [WARMUP 5] [PAIRS 20]}, e.g.
 * {@code mscr4 tag,bpm,year}.
 */
public final class RepresentationTimer {

    private RepresentationTimer() {}

    public static void main(String[] args) {
        Strategy strategy = Strategy.of(args[0]);
        List<Source> sources = Source.parseList(args[1]);
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        int pairs = args.length > 5 ? Integer.parseInt(args[5]) : 20;
        Parallel.setThreads(threads);
        MultiSourceNet net = MultiSourceNet.paper(strategy, sources, 1234);
        net.setTraining(false);
        Rng rng = new Rng(99);
        float[] xs = new float[batch * 2 * 216 * 128];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) rng.nextGaussian();
        }
        Tensor x = Tensor.of(xs, batch, 2, 216, 128);
        int d = net.spec().featureDim();
        float[] a = new float[sources.size() * batch * d];
        float[] b = new float[a.length];
        boolean same = true;
        double[] ta = new double[pairs];
        double[] tb = new double[pairs];
        double[] ratio = new double[pairs];
        for (int i = -warmup; i < pairs; i++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < sources.size(); k++) {
                System.arraycopy(net.representation(sources.get(k), x).data(), 0, a, k * batch * d, batch * d);
            }
            long t1 = System.nanoTime();
            int[] k = {0};
            net.representations(sources, x, (s, r) -> System.arraycopy(r.data(), 0, b, k[0]++ * batch * d, batch * d));
            long t2 = System.nanoTime();
            same &= Arrays.equals(a, b);
            if (i >= 0) {
                ta[i] = (t1 - t0) / 1e6;
                tb[i] = (t2 - t1) / 1e6;
                ratio[i] = tb[i] / ta[i];
            }
        }
        System.out.printf(Locale.ROOT, "representations strategy=%s sources=%s batch=%d threads=%d per_source_ms=%.2f "
                        + "shared_trunk_ms=%.2f ratio_median=%.3f pairs=%d identical=%b%n", strategy.id(), args[1],
                batch, threads, median(ta), median(tb), median(ratio), pairs, same);
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
