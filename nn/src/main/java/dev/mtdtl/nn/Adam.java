package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;

import java.util.List;

/**
 * Adam with coupled L2 regularisation, exactly torch.optim.Adam (not AdamW), over one parameter
 * group. Per element, at step t (1-based):
 * <pre>
 *   g' = g + wd * p                    (coupled L2: the gradient of (wd/2)|p|^2 is added)
 *   m  = b1 m + (1 - b1) g'
 *   v  = b2 v + (1 - b2) g'^2
 *   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 * The multi-source trainer keeps one Adam per group (the shared trunk, each source's branch) and steps
 * only the groups that took part in an iteration, as the authors' code does (digest decision 9): a
 * group's step count and moments advance only on its own iterations.
 */
public final class Adam {

    private final List<Param> params;
    private final Tensor[] m;   // exp_avg per parameter, on the parameter's device
    private final Tensor[] v;   // exp_avg_sq
    private final List<Tensor> ms;
    private final List<Tensor> vs;
    /**
     * The group's values and gradients as of the last step, and their one device (null when they live on several):
     * kept, not rebuilt every step, because a step's serial prologue runs interpreted for a training run's first
     * hundreds of steps (building these lists took ~0.04 ms a step there; bench/RESULTS.md, session 33). A parameter
     * moved to another device has new tensors, which {@link #current} notices.
     */
    private List<Tensor> values = List.of();
    private List<Tensor> grads = List.of();
    private dev.mtdtl.tensor.Device device;
    private final float lr;
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private int t;

    /** The paper's settings: lr 2.5e-4, betas (0.9, 0.999), eps 1e-8, weight decay 1e-6. */
    public static Adam paper(List<Param> params) {
        return new Adam(params, 2.5e-4f, 0.9f, 0.999f, 1e-8f, 1e-6f);
    }

    public Adam(List<Param> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        for (Param p : params) {
            if (!p.trainable()) {
                throw new IllegalArgumentException("Adam: " + p.name() + " is a buffer, not a trainable parameter");
            }
        }
        if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("Adam: bad hyper-parameters lr=" + lr + " betas=(" + beta1 + ", " + beta2
                    + ") eps=" + eps + " weight_decay=" + weightDecay);
        }
        this.params = List.copyOf(params);
        this.m = new Tensor[params.size()];
        this.v = new Tensor[params.size()];
        for (int i = 0; i < params.size(); i++) {
            Tensor value = params.get(i).value();
            m[i] = value.device().zeros(value.shape());
            v[i] = value.device().zeros(value.shape());
        }
        this.ms = java.util.Arrays.asList(m);     // the moments are filled in place (checkpoints), never replaced
        this.vs = java.util.Arrays.asList(v);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /**
     * One update of every parameter of the group from its accumulated gradient: one device op for the group
     * ({@code Ops.adamSteps}; on the CPU one parallel loop over all its tensors) where every parameter lives on one
     * device, else one op per parameter. The same bits either way (element-wise).
     */
    public void step() {
        t++;
        if (params.isEmpty()) {
            return;
        }
        if (!current()) {
            refresh();
        }
        if (device != null) {
            device.ops().adamSteps(values, grads, ms, vs, t, lr, beta1, beta2, eps, weightDecay);
            return;
        }
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            p.value().device().ops().adamStep(p.value(), p.grad(), m[i], v[i], t, lr, beta1, beta2, eps, weightDecay);
        }
    }

    private boolean current() {
        if (values.size() != params.size()) {
            return false;
        }
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            if (p.value() != values.get(i) || p.grad() != grads.get(i)) {
                return false;
            }
        }
        return true;
    }

    private void refresh() {
        Tensor[] vals = new Tensor[params.size()];
        Tensor[] grs = new Tensor[params.size()];
        dev.mtdtl.tensor.Device d = params.get(0).value().device();
        for (int i = 0; i < vals.length; i++) {
            vals[i] = params.get(i).value();
            grs[i] = params.get(i).grad();
            if (vals[i].device() != d) {
                d = null;
            }
        }
        values = List.of(vals);
        grads = List.of(grs);
        device = d;
    }

    public void zeroGrad() {
        for (Param p : params) {
            p.zeroGrad();
        }
    }

    /** Number of steps taken. */
    public int steps() {
        return t;
    }

    public void setSteps(int t) {
        this.t = t;
    }

    public List<Param> params() {
        return params;
    }

    /** First moment (exp_avg) of parameter i; live, for checkpoints. */
    public Tensor expAvg(int i) {
        return m[i];
    }

    /** Second moment (exp_avg_sq) of parameter i; live, for checkpoints. */
    public Tensor expAvgSq(int i) {
        return v[i];
    }
}
