package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Indices;
import dev.mtdtl.tensor.Ops;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The CPU as a {@link Device}: tensors are heap {@code float[]}, and every op forwards to its
 * {@code *Cpu} kernel with the tensors' arrays (no copies, no allocation: one interface call per op on top
 * of what the layers did before the device seam). A workspace that a kernel does not need may be null.
 */
public final class CpuDevice implements Device, Ops {

    public static final CpuDevice INSTANCE = new CpuDevice();

    private CpuDevice() {}

    /**
     * Float lanes of the CPU kernels' vectors: the platform's preferred shape (16 with AVX-512, 8 with AVX2 or
     * {@code -XX:UseAVX=2}), which decides the kernels' code paths and the lane order of their sums (README,
     * "Machines without AVX-512").
     */
    public static int floatLanes() {
        return FloatVector.SPECIES_PREFERRED.length();
    }

    private static float[] a(Tensor t) {
        return t == null ? null : t.data();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public boolean isCpu() {
        return true;
    }

    @Override
    public Ops ops() {
        return this;
    }

    @Override
    public Tensor zeros(int... shape) {
        return Tensor.zeros(shape);
    }

    @Override
    public Indices indices(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("indices: negative length " + n);
        }
        return Indices.of(new int[n]);
    }

    @Override
    public void copy(Indices dst, Indices src) {
        if (!src.device().isCpu()) {
            src.device().copy(dst, src);
            return;
        }
        if (dst.length() != src.length()) {
            throw new IllegalArgumentException("copy of " + src.length() + " indices into " + dst.length());
        }
        System.arraycopy(src.host(), 0, dst.host(), 0, src.length());
    }

    @Override
    public void fill(Tensor t, float v) {
        Arrays.fill(t.data(), 0, t.numel(), v);
    }

    @Override
    public void copy(Tensor dst, Tensor src) {
        if (!src.device().isCpu()) {
            src.device().copy(dst, src);   // a download: the source's device knows how
            return;
        }
        if (src.numel() != dst.numel()) {
            throw new IllegalArgumentException("copy from " + Shape.str(src.shape()) + " into " + Shape.str(dst.shape())
                    + ": element counts differ");
        }
        System.arraycopy(src.data(), 0, dst.data(), 0, src.numel());
    }

    @Override
    public void synchronize() {}

    @Override
    public long convWorkspaceFloats(ConvGeom g) {
        return Conv2dCpu.workspaceFloats(g);
    }

    @Override
    public long convWorkspaceFloats(ConvGeom g, boolean dataGrad) {
        return Conv2dCpu.workspaceFloats(g, dataGrad);
    }

    @Override
    public void convForward(Tensor y, Tensor x, Tensor w, Tensor b, ConvGeom g, Tensor ws) {
        Conv2dCpu.forward(y.data(), x.data(), w.data(), a(b), g, a(ws));
    }

    @Override
    public void convBackwardData(Tensor dx, Tensor dy, Tensor w, ConvGeom g, Tensor ws) {
        Conv2dCpu.backwardData(dx.data(), dy.data(), w.data(), g, a(ws));
    }

    @Override
    public void convBackwardFilter(Tensor dw, Tensor db, Tensor dy, Tensor x, ConvGeom g, Tensor ws) {
        Conv2dCpu.backwardFilter(dw.data(), a(db), dy.data(), x.data(), g, a(ws));
    }

    @Override
    public void batchNormForwardTrain(Tensor y, Tensor saveMean, Tensor saveInvstd, Tensor x, Tensor gamma,
                                      Tensor beta, Tensor runningMean, Tensor runningVar, int n, int c, int s,
                                      float momentum, float eps) {
        BatchNormCpu.forwardTrain(y.data(), saveMean.data(), saveInvstd.data(), x.data(), gamma.data(), beta.data(),
                runningMean.data(), runningVar.data(), n, c, s, momentum, eps);
    }

    @Override
    public void batchNormBackwardTrain(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor saveMean,
                                       Tensor saveInvstd, Tensor gamma, int n, int c, int s) {
        BatchNormCpu.backwardTrain(dx.data(), dgamma.data(), dbeta.data(), dy.data(), x.data(), saveMean.data(),
                saveInvstd.data(), gamma.data(), n, c, s);
    }

    @Override
    public void batchNormForwardEval(Tensor y, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                     Tensor runningVar, int n, int c, int s, float eps) {
        BatchNormCpu.forwardEval(y.data(), x.data(), gamma.data(), beta.data(), runningMean.data(), runningVar.data(),
                n, c, s, eps);
    }

    @Override
    public void batchNormBackwardEval(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Tensor x, Tensor gamma,
                                      Tensor runningMean, Tensor runningVar, int n, int c, int s, float eps) {
        BatchNormCpu.backwardEval(dx.data(), dgamma.data(), dbeta.data(), dy.data(), x.data(), gamma.data(),
                runningMean.data(), runningVar.data(), n, c, s, eps);
    }

    @Override
    public boolean fusesBatchNormReluPool() {
        return true;
    }

    @Override
    public int fusedArgmaxLength(int n, int c, int h, int w) {
        return BatchNormPoolCpu.argmaxLength(n, c, h, w);
    }

    @Override
    public void batchNormReluPoolBackwardEval(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Indices argmax,
                                              Tensor y, Tensor x, Tensor gamma, Tensor runningMean,
                                              Tensor runningVar, int n, int c, int h, int w, float eps) {
        BatchNormPoolCpu.backwardEval(dx.data(), dgamma.data(), dbeta.data(), dy.data(), argmax.host(), y.data(),
                x.data(), gamma.data(), runningMean.data(), runningVar.data(), n, c, h, w, eps);
    }

    @Override
    public void batchNormReluPoolForwardTrain(Tensor y, Indices argmax, Tensor saveMean, Tensor saveInvstd, Tensor x,
                                              Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, int n,
                                              int c, int h, int w, float momentum, float eps) {
        BatchNormPoolCpu.forwardTrain(y.data(), argmax.host(), saveMean.data(), saveInvstd.data(), x.data(), gamma.data(),
                beta.data(), runningMean.data(), runningVar.data(), n, c, h, w, momentum, eps);
    }

    @Override
    public void batchNormReluPoolForwardEval(Tensor y, Indices argmax, Tensor x, Tensor gamma, Tensor beta,
                                             Tensor runningMean, Tensor runningVar, int n, int c, int h, int w,
                                             float eps) {
        BatchNormPoolCpu.forwardEval(y.data(), argmax.host(), x.data(), gamma.data(), beta.data(), runningMean.data(),
                runningVar.data(), n, c, h, w, eps);
    }

    @Override
    public boolean fusesConvBatchNormReluPoolEval(ConvGeom g) {
        return ConvPoolEvalCpu.applies(g);
    }

    @Override
    public long convBatchNormReluPoolEvalWorkspaceFloats(ConvGeom g) {
        return ConvPoolEvalCpu.workspaceFloats(g);
    }

    @Override
    public void convBatchNormReluPoolForwardEval(Tensor y, Tensor x, Tensor w, Tensor b, Tensor gamma, Tensor beta,
                                                 Tensor runningMean, Tensor runningVar, float eps, ConvGeom g,
                                                 Tensor ws) {
        ConvPoolEvalCpu.forward(y.data(), x.data(), w.data(), a(b), gamma.data(), beta.data(), runningMean.data(),
                runningVar.data(), eps, g, a(ws));
    }

    @Override
    public void batchNormReluPoolBackwardTrain(Tensor dx, Tensor dgamma, Tensor dbeta, Tensor dy, Indices argmax,
                                               Tensor y, Tensor x, Tensor saveMean, Tensor saveInvstd, Tensor gamma,
                                               int n, int c, int h, int w) {
        BatchNormPoolCpu.backwardTrain(dx.data(), dgamma.data(), dbeta.data(), dy.data(), argmax.host(), y.data(),
                x.data(), saveMean.data(), saveInvstd.data(), gamma.data(), n, c, h, w);
    }

    @Override
    public void maxPoolForward(Tensor y, Indices argmax, Tensor x, int n, int c, int h, int w) {
        MaxPoolCpu.forward(y.data(), argmax.host(), x.data(), n, c, h, w);
    }

    @Override
    public void maxPoolBackward(Tensor dx, Tensor dy, Indices argmax, int n, int c, int h, int w) {
        MaxPoolCpu.backward(dx.data(), dy.data(), argmax.host(), n, c, h, w);
    }

    @Override
    public void reluForward(Tensor y, Tensor x, int len) {
        ReluCpu.forward(y.data(), x.data(), len);
    }

    @Override
    public void reluBackward(Tensor dx, Tensor dy, Tensor y, int len) {
        ReluCpu.backward(dx.data(), dy.data(), y.data(), len);
    }

    @Override
    public void gapForward(Tensor y, Tensor x, int n, int c, int s) {
        GlobalAvgPoolCpu.forward(y.data(), x.data(), n, c, s);
    }

    @Override
    public void gapBackward(Tensor dx, Tensor dy, int n, int c, int s) {
        GlobalAvgPoolCpu.backward(dx.data(), dy.data(), n, c, s);
    }

    @Override
    public void dropoutForward(Tensor y, Tensor mask, Tensor x, int len, float p, long seed) {
        DropoutCpu.forward(y.data(), mask.data(), x.data(), len, p, seed);
    }

    @Override
    public void dropoutBackward(Tensor dx, Tensor dy, Tensor mask, int len) {
        DropoutCpu.backward(dx.data(), dy.data(), mask.data(), len);
    }

    @Override
    public long linearWorkspaceFloats(int n, int in, int out) {
        return LinearCpu.workspaceFloats(n, in, out);
    }

    @Override
    public void linearForward(Tensor y, Tensor x, Tensor w, Tensor b, int n, int in, int out, Tensor ws) {
        LinearCpu.forward(y.data(), x.data(), w.data(), a(b), n, in, out, a(ws));
    }

    @Override
    public void linearBackward(Tensor dx, Tensor dw, Tensor db, Tensor dy, Tensor x, Tensor w, int n, int in, int out,
                               Tensor ws) {
        LinearCpu.backward(a(dx), dw.data(), a(db), dy.data(), x.data(), w.data(), n, in, out, a(ws));
    }

    @Override
    public float klForward(Tensor p, Tensor logits, Tensor z, int n, int k, KlReduction r) {
        return SoftmaxCpu.klForward(p.data(), logits.data(), z.data(), n, k, r);
    }

    @Override
    public void klBackward(Tensor dlogits, Tensor p, Tensor z, int n, int k, KlReduction r) {
        SoftmaxCpu.klBackward(dlogits.data(), p.data(), z.data(), n, k, r);
    }

    @Override
    public float crossEntropyForward(Tensor p, Tensor logits, Indices target, int n, int k) {
        return SoftmaxCpu.crossEntropyForward(p.data(), logits.data(), target.host(), n, k);
    }

    @Override
    public void crossEntropyBackward(Tensor dlogits, Tensor p, Indices target, int n, int k) {
        SoftmaxCpu.crossEntropyBackward(dlogits.data(), p.data(), target.host(), n, k);
    }

    @Override
    public void adamStep(Tensor p, Tensor g, Tensor m, Tensor v, int t, float lr, float beta1, float beta2, float eps,
                         float weightDecay) {
        AdamCpu.step(p.data(), g.data(), m.data(), v.data(), 0, p.numel(), t, lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public void adamSteps(java.util.List<Tensor> p, java.util.List<Tensor> g, java.util.List<Tensor> m,
                          java.util.List<Tensor> v, int t, float lr, float beta1, float beta2, float eps,
                          float weightDecay) {
        int k = p.size();
        if (g.size() != k || m.size() != k || v.size() != k) {
            throw new IllegalArgumentException("adam: " + k + " parameters but " + g.size() + " gradients, " + m.size()
                    + " first and " + v.size() + " second moments");
        }
        float[][] pa = new float[k][], ga = new float[k][], ma = new float[k][], va = new float[k][];
        int[] len = new int[k];
        for (int i = 0; i < k; i++) {
            pa[i] = p.get(i).data();
            ga[i] = g.get(i).data();
            ma[i] = m.get(i).data();
            va[i] = v.get(i).data();
            len[i] = p.get(i).numel();
        }
        AdamCpu.stepAll(pa, ga, ma, va, len, t, lr, beta1, beta2, eps, weightDecay);
    }

    @Override
    public void concatColumns(Tensor cat, Tensor a, Tensor b, int n, int da, int db) {
        float[] c = cat.data(), x = a.data(), y = b.data();
        int w = da + db;
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, i * da, c, i * w, da);
            System.arraycopy(y, i * db, c, i * w + da, db);
        }
    }

    @Override
    public void splitColumns(Tensor da, Tensor db, Tensor cat, int n, int dA, int dB) {
        float[] c = cat.data(), x = da.data(), y = db.data();
        int w = dA + dB;
        for (int i = 0; i < n; i++) {
            System.arraycopy(c, i * w, x, i * dA, dA);
            System.arraycopy(c, i * w + dA, y, i * dB, dB);
        }
    }

    @Override
    public boolean allFinite(java.util.List<Tensor> ts) {
        float[][] a = new float[ts.size()][];
        int[] len = new int[ts.size()];
        for (int i = 0; i < a.length; i++) {   // [0, numel()): an arena slot's array may hold stale values past it
            a[i] = ts.get(i).data();
            len[i] = ts.get(i).numel();
        }
        return FiniteCpu.allFinite(a, len);
    }
}
