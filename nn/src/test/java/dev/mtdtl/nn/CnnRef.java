package dev.mtdtl.nn;

import dev.mtdtl.tensor.ref.BatchNormRef;
import dev.mtdtl.tensor.ref.Conv2dRef;
import dev.mtdtl.tensor.ref.GlobalAvgPoolRef;
import dev.mtdtl.tensor.ref.LinearRef;
import dev.mtdtl.tensor.ref.MaxPoolRef;
import dev.mtdtl.tensor.ref.SoftmaxRef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The base CNN in double precision, composed from the per-op double references: training-mode
 * forward, KL loss (batch mean) and the gradient of every parameter. The float32 {@link BaseCnn} is
 * checked against it; widths come from the spec, kernels and strides are the paper's.
 */
final class CnnRef {

    /** Per-block state kept for the backward pass. */
    private record Block(double[] x, int c, int h, int w, int oc, int k, int sh, int pad, int ho, int wo,
                         double[] convOut, double[] bnOut, int[] argmax) {}

    final Map<String, double[]> grads = new HashMap<>();
    double[] gap;
    double[] feature;
    double[] logits;
    double loss;

    /** Run forward and backward on x (N, C, T, F) against targets z (N, K); params by state_dict name. */
    CnnRef(BaseCnn.Spec spec, Map<String, double[]> p, double[] x, int n, int t, int f, double[] z) {
        List<Block> blocks = new ArrayList<>();
        double[] h = x;
        int c = spec.inChannels();
        int hh = t;
        int ww = f;
        for (int i = 0; i < BaseCnn.BLOCKS.length; i++) {
            String b = BaseCnn.BLOCKS[i];
            int oc = spec.convChannels()[i];
            int k = i == 0 ? 5 : b.equals("62") ? 1 : 3;
            int sh = i == 0 ? 2 : 1;
            int pad = i == 0 ? 2 : b.equals("62") ? 0 : 1;
            int ho = Conv2dRef.out(hh, k, sh, pad);
            int wo = Conv2dRef.out(ww, k, 1, pad);
            double[] conv = Conv2dRef.forward(h, p.get("conv" + b + ".weight"), p.get("conv" + b + ".bias"), n, c, hh, ww,
                    oc, k, k, sh, 1, pad, pad);
            double[] bn = BatchNormRef.forwardTrain(conv, p.get("bn" + b + ".weight"), p.get("bn" + b + ".bias"),
                    new double[oc], ones(oc), n, oc, ho * wo, 0.1, 1e-5).y();
            double[] r = relu(bn);
            int[] argmax = null;
            int po = ho;
            int pw = wo;
            if (i < 5) {
                MaxPoolRef.Out mp = MaxPoolRef.forward(r, n, oc, ho, wo);
                r = mp.y();
                argmax = mp.argmax();
                po = ho / 2;
                pw = wo / 2;
            }
            blocks.add(new Block(h, c, hh, ww, oc, k, sh, pad, ho, wo, conv, bn, argmax));
            h = r;
            c = oc;
            hh = po;
            ww = pw;
        }
        int s = hh * ww;
        gap = GlobalAvgPoolRef.forward(h, n, c, s);
        int d = spec.featureDim();
        int kOut = spec.nOut();
        double[] fc = LinearRef.forward(gap, p.get("fc_feature.weight"), p.get("fc_feature.bias"), n, c, d);
        double[] bnf = BatchNormRef.forwardTrain(fc, p.get("bn_feature.weight"), p.get("bn_feature.bias"), new double[d],
                ones(d), n, d, 1, 0.1, 1e-5).y();
        feature = relu(bnf);
        logits = LinearRef.forward(feature, p.get("fc_out.weight"), p.get("fc_out.bias"), n, d, kOut);
        loss = SoftmaxRef.kl(logits, z, n, kOut, n);

        double[] g = SoftmaxRef.klGrad(logits, z, n, kOut, n);
        grads.put("fc_out.weight", LinearRef.backwardWeight(g, feature, n, d, kOut));
        grads.put("fc_out.bias", LinearRef.backwardBias(g, n, kOut));
        g = LinearRef.backwardData(g, p.get("fc_out.weight"), n, d, kOut);
        g = reluBack(g, bnf);
        BatchNormRef.Grads bg = BatchNormRef.backwardTrain(g, fc, p.get("bn_feature.weight"), n, d, 1, 1e-5);
        grads.put("bn_feature.weight", bg.dgamma());
        grads.put("bn_feature.bias", bg.dbeta());
        g = bg.dx();
        grads.put("fc_feature.weight", LinearRef.backwardWeight(g, gap, n, c, d));
        grads.put("fc_feature.bias", LinearRef.backwardBias(g, n, d));
        g = LinearRef.backwardData(g, p.get("fc_feature.weight"), n, c, d);
        g = GlobalAvgPoolRef.backward(g, n, c, s);
        for (int i = blocks.size() - 1; i >= 0; i--) {
            Block bl = blocks.get(i);
            String b = BaseCnn.BLOCKS[i];
            if (bl.argmax() != null) {
                g = MaxPoolRef.backward(g, bl.argmax(), n, bl.oc(), bl.ho(), bl.wo());
            }
            g = reluBack(g, bl.bnOut());
            BatchNormRef.Grads bb = BatchNormRef.backwardTrain(g, bl.convOut(), p.get("bn" + b + ".weight"), n, bl.oc(),
                    bl.ho() * bl.wo(), 1e-5);
            grads.put("bn" + b + ".weight", bb.dgamma());
            grads.put("bn" + b + ".bias", bb.dbeta());
            g = bb.dx();
            grads.put("conv" + b + ".weight", Conv2dRef.backwardFilter(g, bl.x(), n, bl.c(), bl.h(), bl.w(), bl.oc(),
                    bl.k(), bl.k(), bl.sh(), 1, bl.pad(), bl.pad()));
            grads.put("conv" + b + ".bias", Conv2dRef.backwardBias(g, n, bl.oc(), bl.ho(), bl.wo()));
            g = Conv2dRef.backwardData(g, p.get("conv" + b + ".weight"), n, bl.c(), bl.h(), bl.w(), bl.oc(), bl.k(),
                    bl.k(), bl.sh(), 1, bl.pad(), bl.pad());
        }
    }

    static double[] ones(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, 1.0);
        return a;
    }

    private static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(x[i], 0);
        }
        return y;
    }

    private static double[] reluBack(double[] dy, double[] x) {
        double[] dx = new double[dy.length];
        for (int i = 0; i < dy.length; i++) {
            dx[i] = x[i] > 0 ? dy[i] : 0;
        }
        return dx;
    }
}
