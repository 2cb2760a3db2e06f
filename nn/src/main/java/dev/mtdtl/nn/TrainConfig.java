package dev.mtdtl.nn;

import dev.mtdtl.tensor.cpu.KlReduction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of a multi-source training run (Algorithm 1). {@link #paper(long)} gives the paper's values
 * (digest section 5): batch 128, Adam lr 2.5e-4, betas (0.9, 0.999), eps 1e-8, coupled L2 1e-6, KL
 * mean over B*K, self pairs by coin flip, validation every 100 iterations.
 *
 * @param checkpointEvery iterations between checkpoints; 0 = once per epoch
 * @param logEvery        iterations between progress lines (0 = none)
 * @param prefetch        batches assembled ahead on the background thread
 * @param keepCheckpoints how many of the newest checkpoints stay on disk (at least 1)
 */
public record TrainConfig(int batch, float lr, float beta1, float beta2, float eps, float weightDecay,
                          KlReduction reduction, boolean balancedSelf, long seed, int validEvery, int checkpointEvery,
                          int logEvery, int prefetch, int keepCheckpoints) {

    public TrainConfig {
        if (batch < 2) {
            throw new IllegalArgumentException("batch must be at least 2 (batch norm), got " + batch);
        }
        if (!(lr > 0) || !Float.isFinite(lr)) {   // as float: 1e308 and 1e-320 given as doubles arrive as Infinity, 0
            throw new IllegalArgumentException("the learning rate must be a finite number > 0 in float32, got " + lr);
        }
        if (validEvery < 0 || checkpointEvery < 0 || logEvery < 0 || prefetch < 1 || keepCheckpoints < 1) {
            throw new IllegalArgumentException("bad training intervals: valid " + validEvery + ", checkpoint "
                    + checkpointEvery + ", log " + logEvery + ", prefetch " + prefetch + ", keep " + keepCheckpoints);
        }
    }

    public static TrainConfig paper(long seed) {
        return new TrainConfig(128, 2.5e-4f, 0.9f, 0.999f, 1e-8f, 1e-6f, KlReduction.MEAN, false, seed, 100, 0, 10, 5,
                2);
    }

    public TrainConfig withBatch(int b) {
        return new TrainConfig(b, lr, beta1, beta2, eps, weightDecay, reduction, balancedSelf, seed, validEvery,
                checkpointEvery, logEvery, prefetch, keepCheckpoints);
    }

    public TrainConfig withLr(float v) {
        return new TrainConfig(batch, v, beta1, beta2, eps, weightDecay, reduction, balancedSelf, seed, validEvery,
                checkpointEvery, logEvery, prefetch, keepCheckpoints);
    }

    public TrainConfig withIntervals(int valid, int checkpoint, int log) {
        return new TrainConfig(batch, lr, beta1, beta2, eps, weightDecay, reduction, balancedSelf, seed, valid,
                checkpoint, log, prefetch, keepCheckpoints);
    }

    public TrainConfig withBalancedSelf(boolean on) {
        return new TrainConfig(batch, lr, beta1, beta2, eps, weightDecay, reduction, on, seed, validEvery,
                checkpointEvery, logEvery, prefetch, keepCheckpoints);
    }

    /** For the checkpoint sidecar. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch", batch);
        m.put("lr", (double) lr);
        m.put("beta1", (double) beta1);
        m.put("beta2", (double) beta2);
        m.put("eps", (double) eps);
        m.put("weight_decay", (double) weightDecay);
        m.put("kl_reduction", reduction.name());
        m.put("balanced_self", balancedSelf);
        m.put("seed", seed);
        m.put("valid_every", validEvery);
        m.put("checkpoint_every", checkpointEvery);
        m.put("log_every", logEvery);
        m.put("prefetch", prefetch);
        m.put("keep_checkpoints", keepCheckpoints);
        return m;
    }
}
