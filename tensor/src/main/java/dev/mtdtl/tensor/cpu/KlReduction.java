package dev.mtdtl.tensor.cpu;

/**
 * How the KL loss of a batch (N rows of K classes) is reduced to one number.
 *
 * <p>{@link #MEAN}: divide the summed KL by N*K, i.e. the mean over batch AND classes. This is what the
 * authors' code does ({@code F.kl_div(log_softmax(logits), z)} with torch's default reduction 'mean',
 * an element-wise mean) and our training default, as it keeps the code's relative task weighting
 * (reference/reference-digest.md, decision 8). {@link #BATCHMEAN}: divide by N only, the true mean KL per example
 * ({@code torch.nn.functional.kl_div(..., reduction='batchmean')}); the fixtures use it. The two differ
 * by the constant factor K, which with Adam changes little besides the effective epsilon.
 */
public enum KlReduction {
    /** Sum / (N*K). */
    MEAN,
    /** Sum / N. */
    BATCHMEAN;

    /** The divisor for a batch of n rows and k classes. */
    public double denominator(int n, int k) {
        return this == MEAN ? (double) n * k : n;
    }
}
