package dev.mtdtl.nn;

import dev.mtdtl.tensor.Ops;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

import java.util.List;

/**
 * Batch normalisation over (N, C, H, W) (BatchNorm2d) or (N, C) (BatchNorm1d), PyTorch semantics:
 * training mode normalises with the batch mean and the biased batch variance and updates the running
 * statistics with momentum 0.1 and the unbiased variance; evaluation mode uses the running statistics.
 * eps = 1e-5. Parameters: weight = gamma, bias = beta; buffers running_mean, running_var.
 *
 * <p>Backward (training), per channel with n = N*H*W values and xhat = (x - mean) * invstd:
 * dgamma += sum(dy * xhat), dbeta += sum(dy), dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)).
 * PyTorch also keeps an int64 num_batches_tracked buffer; it is written to checkpoints by the
 * state-dict code, not stored here (it only matters for momentum=None, which we do not offer).
 */
public final class BatchNorm implements Layer {

    public static final float EPS = 1e-5f;
    public static final float MOMENTUM = 0.1f;

    private final String name;
    private final int c;
    private final Param gamma;        // (C)
    private final Param beta;         // (C)
    private final Param runningMean;  // (C)
    private final Param runningVar;   // (C)
    private final float eps;
    private final float momentum;
    private boolean training = true;
    private final long[] batchesTracked;   // (1), shared with twins: PyTorch counts both Siamese calls

    private Tensor x;                 // saved input
    private int n;
    private int s;
    private Tensor saveMean;          // (C), on the input's device
    private Tensor saveInvstd;        // (C)
    private Scratch sc = new Scratch();   // y, dx: shareable and placed, see Scratch

    public BatchNorm(String name, int c) {
        this(name, c, EPS, MOMENTUM);
    }

    public BatchNorm(String name, int c, float eps, float momentum) {
        Shape.requirePositive(name + " channels", c);
        this.name = name;
        this.c = c;
        this.eps = eps;
        this.momentum = momentum;
        this.gamma = Param.trainable(name + ".weight", c);
        this.beta = Param.trainable(name + ".bias", c);
        this.runningMean = Param.buffer(name + ".running_mean", c);
        this.runningVar = Param.buffer(name + ".running_var", c);
        gamma.value().fill(1f);
        runningVar.value().fill(1f);
        batchesTracked = new long[1];
    }

    private BatchNorm(BatchNorm o) {
        this.name = o.name;
        this.c = o.c;
        this.eps = o.eps;
        this.momentum = o.momentum;
        this.gamma = o.gamma;
        this.beta = o.beta;
        this.runningMean = o.runningMean;
        this.runningVar = o.runningVar;
        this.batchesTracked = o.batchesTracked;
        this.training = o.training;
    }

    /**
     * A second instance over the same gamma, beta, running statistics and batch counter, with its own
     * batch statistics and caches. Two training-mode forwards (one per instance) normalise each with
     * its own batch statistics and update the running statistics twice, as two calls of one PyTorch
     * module do.
     */
    public BatchNorm twin() {
        return new BatchNorm(this);
    }

    public String name() {
        return name;
    }

    /** Number of training-mode forward passes (PyTorch's num_batches_tracked). */
    public long batchesTracked() {
        return batchesTracked[0];
    }

    public void setBatchesTracked(long v) {
        batchesTracked[0] = v;
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
    }

    @Override
    public Tensor forward(Tensor x) {
        if ((x.rank() != 2 && x.rank() != 4) || x.dim(1) != c) {
            throw new IllegalArgumentException(name + ": expected input (N, " + c + ") or (N, " + c
                    + ", H, W), got " + Shape.str(x.shape()));
        }
        this.x = x;
        n = x.dim(0);
        s = x.rank() == 4 ? x.dim(2) * x.dim(3) : 1;
        Device d = x.device();
        Buffers.sameDevice(gamma, d);
        Ops ops = d.ops();
        Tensor y = sc.output(d, x.shape());
        saveMean = Buffers.ensure(saveMean, d, c);
        saveInvstd = Buffers.ensure(saveInvstd, d, c);
        if (training) {
            if (n * s < 2) {
                throw new IllegalArgumentException(name + ": training-mode batch norm needs more than one value "
                        + "per channel, got input " + Shape.str(x.shape()));
            }
            ops.batchNormForwardTrain(y, saveMean, saveInvstd, x, gamma.value(), beta.value(), runningMean.value(),
                    runningVar.value(), n, c, s, momentum, eps);
            batchesTracked[0]++;
        } else {
            ops.batchNormForwardEval(y, x, gamma.value(), beta.value(), runningMean.value(), runningVar.value(), n, c,
                    s, eps);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        dy.requireShape(name + " backward dy", x.shape());
        Device d = x.device();
        Ops ops = d.ops();
        Tensor dx;
        if (training) {
            // dx may overwrite dy (placed in place): per channel the kernel reduces dy first, then writes dx
            dx = sc.inputGrad(dy, d, x.shape());
            ops.batchNormBackwardTrain(dx, gamma.grad(), beta.grad(), dy, x, saveMean, saveInvstd, gamma.value(), n, c,
                    s);
        } else {
            sc.dx = Buffers.ensure(sc.dx, d, x.shape());
            dx = sc.dx;
            ops.batchNormBackwardEval(dx, gamma.grad(), beta.grad(), dy, x, gamma.value(), runningMean.value(),
                    runningVar.value(), n, c, s, eps);
        }
        return dx;
    }

    /**
     * Forward fused with ReLU and 2x2 max pooling, for a device that offers the op
     * ({@link dev.mtdtl.tensor.Ops#fusesBatchNormReluPool}): writes {@code pool}'s output and argmax (the
     * full-size normalised tensor never exists) and returns the pooled output. Keeps x for the backward.
     */
    Tensor forwardReluPool(Tensor x, ReluPool pool) {
        if (x.rank() != 4 || x.dim(1) != c) {
            throw new IllegalArgumentException(name + ": expected input (N, " + c + ", H, W), got " + Shape.str(x.shape()));
        }
        this.x = x;
        n = x.dim(0);
        s = x.dim(2) * x.dim(3);
        Device d = x.device();
        Buffers.sameDevice(gamma, d);
        Ops ops = d.ops();
        saveMean = Buffers.ensure(saveMean, d, c);
        saveInvstd = Buffers.ensure(saveInvstd, d, c);
        pool.prepare(x, ops.fusedArgmaxLength(n, c, x.dim(2), x.dim(3)));
        if (training) {
            if (n * s < 2) {
                throw new IllegalArgumentException(name + ": training-mode batch norm needs more than one value "
                        + "per channel, got input " + Shape.str(x.shape()));
            }
            ops.batchNormReluPoolForwardTrain(pool.output(), pool.argmax(), saveMean, saveInvstd, x, gamma.value(),
                    beta.value(), runningMean.value(), runningVar.value(), n, c, x.dim(2), x.dim(3), momentum, eps);
            batchesTracked[0]++;
        } else {
            ops.batchNormReluPoolForwardEval(pool.output(), pool.argmax(), x, gamma.value(), beta.value(),
                    runningMean.value(), runningVar.value(), n, c, x.dim(2), x.dim(3), eps);
        }
        return pool.output();
    }

    /**
     * Backward of {@link #forwardReluPool} from the pooled gradient dy (training or evaluation mode, as the
     * forward ran): accumulates dgamma and dbeta, writes dL/dx into {@code dx} (which may be the forward's input
     * itself) and returns it.
     */
    Tensor backwardReluPool(Tensor dy, ReluPool pool, Tensor dx) {
        dy.requireShape(name + " + relu + pool backward dy", pool.output().shape());
        dx.requireShape(name + " + relu + pool backward dx", x.shape());
        Ops ops = x.device().ops();
        if (training) {
            ops.batchNormReluPoolBackwardTrain(dx, gamma.grad(), beta.grad(), dy, pool.argmax(), pool.output(), x,
                    saveMean, saveInvstd, gamma.value(), n, c, x.dim(2), x.dim(3));
        } else {
            ops.batchNormReluPoolBackwardEval(dx, gamma.grad(), beta.grad(), dy, pool.argmax(), pool.output(), x,
                    gamma.value(), runningMean.value(), runningVar.value(), n, c, x.dim(2), x.dim(3), eps);
        }
        return dx;
    }

    /**
     * Evaluation-mode inference of a conv (its input, weights, bias, geometry and workspace) and this batch norm,
     * ReLU and 2x2 pool in one op ({@link Ops#convBatchNormReluPoolForwardEval}): writes {@code pool}'s output and
     * returns it. The conv's output never exists, so no backward may follow (this layer keeps no input).
     */
    Tensor forwardConvReluPoolEval(Tensor convInput, Tensor w, Tensor b, dev.mtdtl.tensor.cpu.ConvGeom g, Tensor ws,
                                   ReluPool pool) {
        if (training) {
            throw new IllegalStateException(name + ": conv + batch norm + pool in one op is for evaluation mode");
        }
        if (g.oc() != c) {
            throw new IllegalArgumentException(name + ": expected a conv of " + c + " output channels, got " + g);
        }
        Device d = convInput.device();
        Buffers.sameDevice(gamma, d);
        this.x = null;
        Tensor y = pool.prepareOutput(d, g.n(), c, g.ho(), g.wo());
        d.ops().convBatchNormReluPoolForwardEval(y, convInput, w, b, gamma.value(), beta.value(), runningMean.value(),
                runningVar.value(), eps, g, ws);
        return y;
    }

    boolean isTraining() {
        return training;
    }

    /** The input of the last forward. */
    Tensor input() {
        return x;
    }

    /** Batch mean of the last training-mode forward (C); a debugging aid. */
    public float[] lastBatchMean() {
        return saveMean.toCpu().data().clone();
    }

    /** Biased batch variance of the last training-mode forward (C), recovered from invstd. */
    public float[] lastBatchVar() {
        float[] v = new float[c];
        float[] invstd = saveInvstd.toCpu().data();
        for (int i = 0; i < c; i++) {
            double inv = invstd[i];
            v[i] = (float) (1.0 / (inv * inv) - eps);
        }
        return v;
    }

    public Param gamma() {
        return gamma;
    }

    public Param beta() {
        return beta;
    }

    public Param runningMean() {
        return runningMean;
    }

    public Param runningVar() {
        return runningVar;
    }

    @Override
    public List<Param> params() {
        return List.of(gamma, beta);
    }

    @Override
    public List<Param> buffers() {
        return List.of(runningMean, runningVar);
    }

    @Override
    public Scratch scratch() {
        return sc;
    }

    @Override
    public void useScratch(Scratch s) {
        sc = s;
    }
}
