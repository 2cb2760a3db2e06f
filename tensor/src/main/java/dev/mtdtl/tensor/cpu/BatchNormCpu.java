package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalisation (Ioffe and Szegedy, 2015), training and inference mode, forward and backward.
 *
 * <p>Letters: N batch, C channels, S = H*W positions per channel (S = 1 for BatchNorm1d on (N, C)).
 * A tensor is viewed as (N, C, S): element (i, ch, j) sits at {@code (i*C + ch)*S + j}, so the
 * n = N*S values of channel ch are N contiguous runs ("planes") of S floats.
 *
 * <p>Semantics are those of {@code torch.nn.BatchNorm2d/1d(affine=True, track_running_stats=True)}
 * (fixtures {@code batchnorm2d}, {@code batchnorm1d}): training mode normalises with the batch mean
 * and the BIASED batch variance, and moves the running variance towards the UNBIASED one
 * (times n/(n-1)); eval mode uses the running statistics and changes nothing.
 *
 * <p>Numerics: the statistics are summed in double ({@link LaneSum}) as shifted sums (a rough mean from
 * a fixed subsample first, then the sums of deviations from it and of their squares in one pass over x,
 * a second only when the rough mean was off by more than half a standard deviation), which keeps full
 * float accuracy when |mean| is much larger than the standard deviation (tested at 1000x).
 * Element-wise passes run in float with the Vector API.
 *
 * <p>Threads: every per-channel quantity is computed by one chunk from start to end, chunks hold
 * whole channels (or whole planes in eval forward), and chunk boundaries depend only on the shape,
 * so results are bit-identical for any thread count.
 *
 * <p>Omitted: affine=False (pass gamma = 1, beta = 0), momentum=None (cumulative average),
 * channels-last layouts, fused ReLU.
 */
public final class BatchNormCpu {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Elements per parallel chunk we aim for: below this, handing a chunk to a thread costs more than it saves. */
    private static final int CHUNK_ELEMS = 1 << 14;
    /**
     * A plane's fixed cost in values, for the chunking: the head's batch norm (32 x 256 x 1) ran as one chunk on the
     * calling thread at ~10 ns a value, all plane overhead; counted this way it splits into 9 chunks. 2 threads,
     * alternating in one JVM, median us (bench/RESULTS.md, session 33): forward 65 -> 44, backward 61 -> 43; at
     * 32 x 256 x 12 no change (48 made it worse). Channels are independent, so the bits do not change.
     */
    static final int PLANE_COST = 16;

    private BatchNormCpu() {}

    /**
     * Training-mode forward. Per channel: mean and biased var over the n = N*S values;
     * {@code y = gamma*(x - mean)*invstd + beta}, {@code invstd = 1/sqrt(var + eps)}.
     *
     * @param y           (N, C, S) written
     * @param saveMean    (C) written: batch mean, for {@link #backwardTrain}
     * @param saveInvstd  (C) written: 1/sqrt(biased var + eps), for {@link #backwardTrain}
     * @param x           (N, C, S) read
     * @param gamma       (C) read
     * @param beta        (C) read
     * @param runningMean (C) updated in place: {@code (1-momentum)*rm + momentum*mean}
     * @param runningVar  (C) updated in place: {@code (1-momentum)*rv + momentum*var*n/(n-1)}
     */
    public static void forwardTrain(float[] y, float[] saveMean, float[] saveInvstd, float[] x, float[] gamma, float[] beta,
                                    float[] runningMean, float[] runningVar, int n, int c, int s, float momentum, float eps) {
        int len = Args.ncs(n, c, s);
        String sh = Args.shape(n, c, s);
        Args.len("y", y, len, "N*C*S " + sh);
        Args.len("x", x, len, "N*C*S " + sh);
        Args.lens(c, "C (" + c + ")", "saveMean saveInvstd gamma beta runningMean runningVar",
                saveMean, saveInvstd, gamma, beta, runningMean, runningVar);
        checkEps(eps);
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        final long cnt = (long) n * s;    // values per channel
        if (cnt < 2) {
            // torch: "Expected more than 1 value per channel when training"; the unbiased var divides by n-1.
            throw new IllegalArgumentException("training batch norm needs N*S > 1 values per channel, got (N, C, S) = " + sh);
        }
        // planes shorter than a vector: whole blocks of channels in vector lanes, the same bits (BatchNormShort)
        int first = BatchNormShort.applies(s) ? BatchNormShort.channels(c) : 0;
        if (first > 0) {
            BatchNormShort.forwardTrain(y, saveMean, saveInvstd, x, gamma, beta, runningMean, runningVar, n, c, s,
                    momentum, eps);
        }
        forwardChannels(first, c, y, saveMean, saveInvstd, x, gamma, beta, runningMean, runningVar, n, c, s, momentum,
                eps);
    }

    /** {@link #forwardTrain} channel by channel, for channels [from, to) (arguments checked). */
    static void forwardChannels(int from, int to, float[] y, float[] saveMean, float[] saveInvstd, float[] x,
                                float[] gamma, float[] beta, float[] runningMean, float[] runningVar, int n, int c,
                                int s, float momentum, float eps) {
        Parallel.forChunks(to - from, channelGrain(n, s), (chunk, a0, a1) -> {
            LaneSum acc = new LaneSum();
            LaneSum accSq = new LaneSum();
            for (int ch = from + a0; ch < from + a1; ch++) {
                Stats st = trainStats(acc, accSq, x, n, c, s, ch, gamma, saveMean, saveInvstd, runningMean, runningVar,
                        momentum, eps);
                for (int i = 0; i < n; i++) {
                    int off = (i * c + ch) * s;
                    normalise(y, off, x, off, s, st.meanF(), st.meanLo(), st.scale(), beta[ch]);
                }
            }
        });
    }

    /** One channel's normalisation: y = fma((x - meanF) - meanLo, scale, beta). */
    record Stats(float meanF, float meanLo, float scale) {}

    /**
     * Batch statistics of channel {@code ch} over its N*S values: writes saveMean[ch] and saveInvstd[ch],
     * moves the running statistics, and returns the channel's normalisation (shared with the fused
     * batch norm + ReLU + pool, {@link BatchNormPoolCpu}, so both compute the same bits).
     */
    static Stats trainStats(LaneSum acc, LaneSum accSq, float[] x, int n, int c, int s, int ch, float[] gamma,
                            float[] saveMean, float[] saveInvstd, float[] runningMean, float[] runningVar,
                            float momentum, float eps) {
        final long cnt = (long) n * s;    // values per channel
        // Shifted sums (Chan, Golub and LeVeque, 1983): with d = x - shift, mean = shift + sum(d)/cnt and
        // var = sum(d^2)/cnt - (sum(d)/cnt)^2. When shift is within a fraction of a standard deviation of the
        // mean, the d are small and their float partial sums keep full accuracy even when |mean| >> std, where
        // a one-pass E[x^2] - E[x]^2 would lose the low digits. The shift is the mean of a fixed subsample
        // (SAMPLE evenly spaced values of every plane, all of them when S <= SAMPLE): a few hundred loads,
        // not the full pass over x that a plain two-pass algorithm spends on its first mean (a third of the
        // reads of the fused forward, 28 MB at conv1's output, batch 32).
        int m = Math.min(s, SAMPLE);
        // value k of a plane's subsample is at floor(k*S/m) = k*a + floor(k*b/m), S = a*m + b: kept as q with the
        // remainder r, no division per value (a long division per value was a third of the statistics' time on
        // the small planes of blocks 4, 5, 61 and 62: 98,304 of them a call at 32 x 256 x 12)
        int a = s / m, b = s % m;
        double sub = 0;
        for (int i = 0; i < n; i++) {
            int base = (i * c + ch) * s;
            for (int k = 0, q = 0, r = 0; k < m; k++) {
                sub += x[base + q];
                q += a;
                r += b;
                if (r >= m) {
                    r -= m;
                    q++;
                }
            }
        }
        float shift = (float) (sub / ((long) n * m));
        deviations(acc, accSq, x, n, c, s, ch, shift);
        double dm = acc.total() / cnt;
        double var = variance(accSq.total(), dm, cnt);
        if (offCentre(dm, var)) {
            // The subsample missed the mean by more than half a standard deviation (a subsample at odds with the
            // rest of its planes): the pass again from the mean found, which makes dm ~ 0 as in the classical
            // two-pass algorithm. A guard: a biased subsample is itself part of the variance, so the miss is at
            // most sqrt(S/16) standard deviations (~30 at S = 16,000), which the float partials of 16 vectors
            // absorb (BatchNormCpuTest, measured with and without this pass).
            shift = (float) (shift + dm);
            deviations(acc, accSq, x, n, c, s, ch, shift);
            dm = acc.total() / cnt;
            var = variance(accSq.total(), dm, cnt);
        }
        return finish(shift, dm, var, cnt, ch, gamma, saveMean, saveInvstd, runningMean, runningVar, momentum, eps);
    }

    /** The biased variance from the sum of squared deviations from the shift and their mean dm. */
    static double variance(double sumSq, double dm, long cnt) {
        return Math.max(0.0, sumSq / cnt - dm * dm);
    }

    /** Whether the shift missed the mean by more than half a standard deviation: {@link #trainStats}'s second pass. */
    static boolean offCentre(double dm, double var) {
        return dm * dm > 0.25 * var;
    }

    /**
     * The end of {@link #trainStats} (shared with {@link BatchNormShort}, so both give the same bits): from the shift
     * and the deviations' mean dm and variance, writes saveMean[ch] and saveInvstd[ch], moves the running statistics
     * and returns the channel's normalisation.
     */
    static Stats finish(float shift, double dm, double var, long cnt, int ch, float[] gamma, float[] saveMean,
                        float[] saveInvstd, float[] runningMean, float[] runningVar, float momentum, float eps) {
        final double mom = momentum;
        double mean = shift + dm;
        double invstd = 1.0 / Math.sqrt(var + eps);
        float meanF = (float) mean;
        saveMean[ch] = meanF;
        saveInvstd[ch] = (float) invstd;
        runningMean[ch] = (float) ((1.0 - mom) * runningMean[ch] + mom * mean);
        runningVar[ch] = (float) ((1.0 - mom) * runningVar[ch] + mom * var * cnt / (cnt - 1));
        // mean = meanF + meanLo to ~2^-48 relative: (x - meanF) - meanLo keeps y accurate even when
        // |mean| >> std, where the float mean alone would cost |mean|/std * 2^-24 relative.
        return new Stats(meanF, (float) (mean - meanF), (float) (gamma[ch] * invstd));
    }

    /** Values of each plane in the subsample that sets the statistics' shift ({@link #trainStats}). */
    static final int SAMPLE = 16;

    /** One pass over channel ch's N*S values: acc = sum(d), accSq = sum(d^2), d = x - shift ({@link LaneSum}). */
    private static void deviations(LaneSum acc, LaneSum accSq, float[] x, int n, int c, int s, int ch, float shift) {
        acc.reset();
        accSq.reset();
        for (int i = 0; i < n; i++) {
            LaneSum.addDeviations(acc, accSq, x, (i * c + ch) * s, s, shift);
        }
    }

    /** dx = (g - a)*k - (x - m)*kb for one channel (see {@link #backwardTrain}'s derivation). */
    record GradCoef(float k, float a, float kb) {}

    /**
     * From one channel's sums, sum(g) and sum(g (x - mu)): accumulates dbeta[ch] and dgamma[ch] and returns dx's
     * coefficients (shared with the fused batch norm + ReLU + pool, so both compute the same bits).
     */
    static GradCoef gradCoef(LaneSum sumG, LaneSum sumGD, double r, float[] gamma, float[] dgamma, float[] dbeta, int ch,
                             long cnt) {
        return gradCoef(sumG.total(), sumGD.total(), r, gamma, dgamma, dbeta, ch, cnt);
    }

    /** As above from the two sums' totals (shared with {@link BatchNormShort}). */
    static GradCoef gradCoef(double sg, double sgd, double r, float[] gamma, float[] dgamma, float[] dbeta, int ch,
                             long cnt) {
        dbeta[ch] += (float) sg;
        dgamma[ch] += (float) (r * sgd);
        double k = gamma[ch] * r;
        return new GradCoef((float) k, (float) (sg / cnt), (float) (k * r * r * sgd / cnt));
    }

    /** Eval-mode scale of channel ch, gamma / sqrt(running var + eps) (shared with {@link BatchNormPoolCpu}). */
    static float evalScale(float[] gamma, float[] runningVar, int ch, float eps) {
        return (float) (gamma[ch] / Math.sqrt((double) runningVar[ch] + eps));
    }

    /**
     * Training-mode backward, given g = dL/dy.
     *
     * <p>Derivation (one channel, n values, xhat_i = (x_i - mu)*r with r = invstd = (var + eps)^(-1/2)):
     * dmu/dx_i = 1/n, dvar/dx_i = 2 (x_i - mu)/n, so dr/dx_i = -r^3 (x_i - mu)/n and
     * dxhat_j/dx_i = r (delta_ij - 1/n - xhat_i xhat_j / n). With dL/dxhat_j = gamma g_j:
     * <pre>
     *   dx_i = gamma r ( g_i - mean_j(g_j) - xhat_i mean_j(g_j xhat_j) )
     *        = k (g_i - a) - k b (x_i - mu),   k = gamma r,  a = sum(g)/n,  b = r^2 sum(g (x - mu))/n
     *   dgamma = sum(g xhat) = r sum(g (x - mu)),   dbeta = sum(g)
     * </pre>
     * The two channel sums are taken in double in one pass; a second pass writes dx.
     *
     * @param dx         (N, C, S) written
     * @param dgamma     (C) accumulated
     * @param dbeta      (C) accumulated
     * @param dy         (N, C, S) read
     * @param x          (N, C, S) read: the forward input
     * @param saveMean   (C) read: from {@link #forwardTrain}
     * @param saveInvstd (C) read: from {@link #forwardTrain}
     * @param gamma      (C) read
     */
    public static void backwardTrain(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] x, float[] saveMean,
                                     float[] saveInvstd, float[] gamma, int n, int c, int s) {
        int len = Args.ncs(n, c, s);
        String sh = Args.shape(n, c, s);
        Args.len("dx", dx, len, "N*C*S " + sh);
        Args.len("dy", dy, len, "N*C*S " + sh);
        Args.len("x", x, len, "N*C*S " + sh);
        Args.lens(c, "C (" + c + ")", "dgamma dbeta saveMean saveInvstd gamma", dgamma, dbeta, saveMean, saveInvstd, gamma);
        int first = BatchNormShort.applies(s) ? BatchNormShort.channels(c) : 0;   // as in forwardTrain
        if (first > 0) {
            BatchNormShort.backwardTrain(dx, dgamma, dbeta, dy, x, saveMean, saveInvstd, gamma, n, c, s);
        }
        backwardChannels(first, c, dx, dgamma, dbeta, dy, x, saveMean, saveInvstd, gamma, n, c, s);
    }

    /** {@link #backwardTrain} channel by channel, for channels [from, to) (arguments checked). */
    static void backwardChannels(int from, int to, float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] x,
                                 float[] saveMean, float[] saveInvstd, float[] gamma, int n, int c, int s) {
        final long cnt = (long) n * s;
        Parallel.forChunks(to - from, channelGrain(n, s), (chunk, a0, a1) -> {
            LaneSum sumG = new LaneSum();
            LaneSum sumGD = new LaneSum();
            for (int ch = from + a0; ch < from + a1; ch++) {
                float mu = saveMean[ch];
                double r = saveInvstd[ch];
                sumG.reset();
                sumGD.reset();
                for (int i = 0; i < n; i++) {
                    int off = (i * c + ch) * s;
                    LaneSum.addGradSums(sumG, sumGD, dy, off, x, off, s, mu);
                }
                GradCoef k = gradCoef(sumG, sumGD, r, gamma, dgamma, dbeta, ch, cnt);
                for (int i = 0; i < n; i++) {
                    int off = (i * c + ch) * s;
                    dxTrain(dx, dy, off, x, off, s, mu, k.k(), k.a(), k.kb());
                }
            }
        });
    }

    /**
     * Eval-mode forward: {@code y = gamma*(x - rm)/sqrt(rv + eps) + beta}; running stats are only read.
     *
     * @param y (N, C, S) written; x (N, C, S) read; gamma, beta, runningMean, runningVar (C) read
     */
    public static void forwardEval(float[] y, float[] x, float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                   int n, int c, int s, float eps) {
        int len = Args.ncs(n, c, s);
        String sh = Args.shape(n, c, s);
        Args.len("y", y, len, "N*C*S " + sh);
        Args.len("x", x, len, "N*C*S " + sh);
        Args.lens(c, "C (" + c + ")", "gamma beta runningMean runningVar", gamma, beta, runningMean, runningVar);
        checkEps(eps);
        // One scale per channel, computed once (a per-plane sqrt and divide would dominate when S is 12).
        final float[] scale = new float[c];   // (C)
        for (int ch = 0; ch < c; ch++) {
            scale[ch] = evalScale(gamma, runningVar, ch, eps);
        }
        // Planes are independent here, so chunk over the N*C planes (more parallelism than C alone).
        Parallel.forChunks(n * c, Math.max(1, CHUNK_ELEMS / s), (chunk, p0, p1) -> {
            int ch = p0 % c;
            for (int p = p0; p < p1; p++) {
                normalise(y, p * s, x, p * s, s, runningMean[ch], 0f, scale[ch], beta[ch]);
                ch = ch + 1 == c ? 0 : ch + 1;
            }
        });
    }

    /**
     * Eval-mode backward: {@code dx = g*gamma*r}, {@code dgamma += sum(g*(x - rm)*r)}, {@code dbeta += sum(g)},
     * with {@code r = 1/sqrt(rv + eps)} (the running statistics are constants here).
     *
     * @param dx (N, C, S) written; dgamma, dbeta (C) accumulated; dy, x (N, C, S) read;
     *           gamma, runningMean, runningVar (C) read
     */
    public static void backwardEval(float[] dx, float[] dgamma, float[] dbeta, float[] dy, float[] x, float[] gamma,
                                    float[] runningMean, float[] runningVar, int n, int c, int s, float eps) {
        int len = Args.ncs(n, c, s);
        String sh = Args.shape(n, c, s);
        Args.len("dx", dx, len, "N*C*S " + sh);
        Args.len("dy", dy, len, "N*C*S " + sh);
        Args.len("x", x, len, "N*C*S " + sh);
        Args.lens(c, "C (" + c + ")", "dgamma dbeta gamma runningMean runningVar", dgamma, dbeta, gamma, runningMean, runningVar);
        checkEps(eps);
        Parallel.forChunks(c, channelGrain(n, s), (chunk, c0, c1) -> {
            LaneSum sumG = new LaneSum();
            LaneSum sumGD = new LaneSum();
            for (int ch = c0; ch < c1; ch++) {
                double r = 1.0 / Math.sqrt((double) runningVar[ch] + eps);
                float scale = (float) (gamma[ch] * r);
                float mu = runningMean[ch];
                sumG.reset();
                sumGD.reset();
                for (int i = 0; i < n; i++) {
                    int off = (i * c + ch) * s;
                    LaneSum.addGradSums(sumG, sumGD, dy, off, x, off, s, mu);
                    scale(dx, off, dy, off, s, scale);   // the plane is still in cache
                }
                dbeta[ch] += (float) sumG.total();
                dgamma[ch] += (float) (r * sumGD.total());
            }
        });
    }

    // ---- element-wise kernels on one plane [off, off+len) ----

    /** y = ((x - m) - mLo)*scale + b: the mean is m + mLo (mLo = 0 when the mean is a float). */
    static void normalise(float[] y, int yoff, float[] x, int off, int len, float m, float mLo, float scale, float b) {
        int upper = F.loopBound(len);
        int i = 0;
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, off + i).sub(m).sub(mLo).fma(scale, b).intoArray(y, yoff + i);
        }
        for (; i < len; i++) {
            y[yoff + i] = Math.fma((x[off + i] - m) - mLo, scale, b);
        }
    }

    /** dx = (g - a)*k - (x - m)*kb. */
    static void dxTrain(float[] dx, float[] g, int goff, float[] x, int off, int len, float m, float k, float a,
                        float kb) {
        int upper = F.loopBound(len);
        int i = 0;
        FloatVector kv = FloatVector.broadcast(F, k);
        for (; i < upper; i += F.length()) {
            FloatVector t = FloatVector.fromArray(F, x, off + i).sub(m).mul(-kb);
            FloatVector.fromArray(F, g, goff + i).sub(a).fma(kv, t).intoArray(dx, off + i);
        }
        for (; i < len; i++) {
            float t = (x[off + i] - m) * -kb;
            dx[off + i] = Math.fma(g[goff + i] - a, k, t);
        }
    }

    /** dx = g*scale. */
    static void scale(float[] dx, int off, float[] g, int goff, int len, float scale) {
        int upper = F.loopBound(len);
        int i = 0;
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, g, goff + i).mul(scale).intoArray(dx, off + i);
        }
        for (; i < len; i++) {
            dx[off + i] = g[goff + i] * scale;
        }
    }

    // ---- contracts ----

    /**
     * Channels per chunk so that a chunk holds about CHUNK_ELEMS values, a plane counting {@link #PLANE_COST} values
     * more than it holds; depends on the shape only.
     */
    static int channelGrain(int n, int s) {
        long perChannel = (long) n * (s + PLANE_COST);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, CHUNK_ELEMS / perChannel));
    }

    static void checkEps(float eps) {
        if (!(eps >= 0f) || Float.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        }
    }
}
