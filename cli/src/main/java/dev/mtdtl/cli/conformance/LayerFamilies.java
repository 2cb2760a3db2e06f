package dev.mtdtl.cli.conformance;

import dev.mtdtl.nn.BatchNorm;
import dev.mtdtl.nn.Conv2d;
import dev.mtdtl.nn.GlobalAvgPool;
import dev.mtdtl.nn.Linear;
import dev.mtdtl.nn.MaxPool2d;
import dev.mtdtl.nn.Relu;
import dev.mtdtl.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The single-layer families: conv2d, batchnorm (1d and 2d), maxpool, relu, global_avg_pool, linear.
 * Each runs the nn layer (and so the CPU kernels behind it) on the case's inputs, with shapes and
 * hyper-parameters from the manifest.
 */
final class LayerFamilies {

    private LayerFamilies() {}

    static List<Family> all() {
        return List.of(
                family("conv2d", "conv2d", LayerFamilies::conv2d),
                family("batchnorm", "batchnorm", LayerFamilies::batchnorm),
                family("maxpool", "maxpool", LayerFamilies::maxpool),
                family("relu", "relu", LayerFamilies::relu),
                family("global_avg_pool", "global_avg_pool", LayerFamilies::gap),
                family("linear", "linear", LayerFamilies::linear));
    }

    /** The body of a family. */
    interface Body {
        Map<String, double[]> compute(Manifest.Case c) throws Exception;
    }

    static Family family(String name, String prefix, Body body) {
        return new Family() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public boolean accepts(Manifest.Case c) {
                return c.name().startsWith(prefix);
            }

            @Override
            public Map<String, double[]> compute(Manifest.Case c) throws Exception {
                return body.compute(c);
            }
        };
    }

    static double[] d(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    static double[] d(int[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    /** A tensor output as doubles (downloaded from a GPU run). */
    static double[] d(Tensor t) {
        return d(t.toCpu().data());
    }

    /** An input tensor, on the device the fixtures run on. */
    static Tensor t(Manifest.Case c, String input) throws Exception {
        return OnDevice.put(c.input(input).toTensor());
    }

    private static Map<String, double[]> conv2d(Manifest.Case c) throws Exception {
        int[] dil = c.ints("dilation", 1, 1);
        if (dil[0] != 1 || dil[1] != 1 || c.num("groups", 1) != 1 || !c.str("padding_mode", "zeros").equals("zeros")) {
            throw new Family.Unsupported("only dilation 1, groups 1, zero padding (got dilation "
                    + Arrays.toString(dil) + ", groups " + c.params().get("groups") + ")");
        }
        Tensor x = t(c, "x");
        Tensor w = t(c, "weight");
        boolean bias = c.bool("bias", c.hasInput("bias"));
        int[] stride = c.ints("stride", 1, 1);
        int[] pad = c.ints("padding", 0, 0);
        Conv2d conv = new Conv2d("conv", w.dim(1), w.dim(0), w.dim(2), w.dim(3), stride[0], stride[1], pad[0], pad[1], bias);
        OnDevice.move(conv.params());
        conv.weight().load(w);
        if (bias) {
            conv.bias().load(t(c, "bias"));
        }
        Tensor y = conv.forward(x);
        Map<String, double[]> r = new LinkedHashMap<>();
        r.put("y", d(y));
        if (c.hasInput("grad_y")) {
            Tensor dx = conv.backward(t(c, "grad_y"));
            r.put("grad_x", d(dx));
            r.put("grad_weight", d(conv.weight().grad()));
            if (bias) {
                r.put("grad_bias", d(conv.bias().grad()));
            }
        }
        return r;
    }

    private static Map<String, double[]> batchnorm(Manifest.Case c) throws Exception {
        if (!c.bool("affine", true) || !c.bool("track_running_stats", true)) {
            throw new Family.Unsupported("only affine batch norm with running statistics");
        }
        Tensor x = t(c, "x");
        float eps = (float) c.num("eps", BatchNorm.EPS);
        float momentum = (float) c.num("momentum", BatchNorm.MOMENTUM);
        Tensor gy = t(c, "grad_y");
        Map<String, double[]> r = new LinkedHashMap<>();

        BatchNorm train = make(c, x.dim(1), eps, momentum);
        train.setTraining(true);
        r.put("y", d(train.forward(x)));
        r.put("batch_mean", d(train.lastBatchMean()));
        r.put("batch_var_biased", batchVar(x));
        r.put("running_mean_new", d(train.runningMean().value()));
        r.put("running_var_new", d(train.runningVar().value()));
        r.put("grad_x", d(train.backward(gy)));
        r.put("grad_gamma", d(train.gamma().grad()));
        r.put("grad_beta", d(train.beta().grad()));

        BatchNorm eval = make(c, x.dim(1), eps, momentum);
        eval.setTraining(false);
        r.put("y_eval", d(eval.forward(x)));
        r.put("grad_x_eval", d(eval.backward(gy)));
        r.put("grad_gamma_eval", d(eval.gamma().grad()));
        r.put("grad_beta_eval", d(eval.beta().grad()));
        return r;
    }

    /**
     * The biased batch variance is a debug output; the layer keeps 1/sqrt(var + eps), from which var
     * cannot be recovered to 1e-5 when var is far below eps. Compute it from x directly (two-pass,
     * double), which is what the layer's kernel does too.
     */
    private static double[] batchVar(Tensor x) {
        int n = x.dim(0);
        int ch = x.dim(1);
        int s = x.numel() / (n * ch);
        double[] v = new double[ch];
        float[] a = x.toCpu().data();
        for (int k = 0; k < ch; k++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    sum += a[(i * ch + k) * s + j];
                }
            }
            double mean = sum / (n * s);
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    double dd = a[(i * ch + k) * s + j] - mean;
                    sq += dd * dd;
                }
            }
            v[k] = sq / (n * s);
        }
        return v;
    }

    private static BatchNorm make(Manifest.Case c, int ch, float eps, float momentum) throws Exception {
        BatchNorm bn = new BatchNorm("bn", ch, eps, momentum);
        OnDevice.move(bn.params());
        OnDevice.move(bn.buffers());
        bn.gamma().load(t(c, "gamma"));
        bn.beta().load(t(c, "beta"));
        bn.runningMean().load(t(c, "running_mean"));
        bn.runningVar().load(t(c, "running_var"));
        return bn;
    }

    private static Map<String, double[]> maxpool(Manifest.Case c) throws Exception {
        int[] k = c.ints("kernel", 2, 2);
        int[] s = c.ints("stride", 2, 2);
        int[] p = c.ints("padding", 0, 0);
        if (k[0] != 2 || k[1] != 2 || s[0] != 2 || s[1] != 2 || p[0] != 0 || p[1] != 0 || c.bool("ceil_mode", false)) {
            throw new Family.Unsupported("only 2x2 max pooling with stride 2, no padding, floor mode");
        }
        MaxPool2d pool = new MaxPool2d();
        Map<String, double[]> r = new LinkedHashMap<>();
        r.put("y", d(pool.forward(t(c, "x"))));
        r.put("argmax_flat", d(OnDevice.host(pool.argmax())));
        double[] gx = d(pool.backward(t(c, "grad_y")));
        r.put("grad_x", gx);
        r.put("grad_x_torch_first_max", gx); // our convention is torch's: the first maximum
        return r;
    }

    private static Map<String, double[]> relu(Manifest.Case c) throws Exception {
        Relu relu = new Relu(false);
        Map<String, double[]> r = new LinkedHashMap<>();
        r.put("y", d(relu.forward(t(c, "x"))));
        r.put("grad_x", d(relu.backward(t(c, "grad_y"))));
        return r;
    }

    private static Map<String, double[]> gap(Manifest.Case c) throws Exception {
        GlobalAvgPool g = new GlobalAvgPool();
        Map<String, double[]> r = new LinkedHashMap<>();
        r.put("y", d(g.forward(t(c, "x"))));
        r.put("grad_x", d(g.backward(t(c, "grad_y"))));
        return r;
    }

    private static Map<String, double[]> linear(Manifest.Case c) throws Exception {
        Tensor x = t(c, "x");
        Tensor w = t(c, "weight");
        boolean bias = c.bool("bias", c.hasInput("bias"));
        Linear lin = new Linear("fc", w.dim(1), w.dim(0), bias);
        OnDevice.move(lin.params());
        lin.weight().load(w);
        if (bias) {
            lin.bias().load(t(c, "bias"));
        }
        Map<String, double[]> r = new LinkedHashMap<>();
        r.put("y", d(lin.forward(x)));
        r.put("grad_x", d(lin.backward(t(c, "grad_y"))));
        r.put("grad_weight", d(lin.weight().grad()));
        if (bias) {
            r.put("grad_bias", d(lin.bias().grad()));
        }
        return r;
    }

}
