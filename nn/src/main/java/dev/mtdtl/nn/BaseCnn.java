package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The base network of the paper (Table 3; digest section 3), one learning source:
 * <pre>
 *   x (N, 2, T=216, F=128)                      stereo dB-mel crop: channel, time, mel
 *   conv1  2->16  5x5 stride (2,1) pad 2, BN, ReLU, maxpool 2x2   -> (N, 16, 54, 64)   (BN + ReLU + pool: BatchNormReluPool)
 *   conv2 16->32  3x3 pad 1, BN, ReLU, maxpool                     -> (N, 32, 27, 32)
 *   conv3 32->64  3x3 pad 1, BN, ReLU, maxpool                     -> (N, 64, 13, 16)
 *   conv4 64->64  3x3 pad 1, BN, ReLU, maxpool                     -> (N, 64,  6,  8)
 *   conv5 64->128 3x3 pad 1, BN, ReLU, maxpool                     -> (N, 128, 3,  4)
 *   conv61 128->256 3x3 pad 1, BN, ReLU                            -> (N, 256, 3,  4)
 *   conv62 256->256 1x1,      BN, ReLU                             -> (N, 256, 3,  4)
 *   global average pool                                            -> (N, 256)   "gap"
 *   fc_feature 256->256, bn_feature (1d), ReLU                     -> (N, 256)   "feature", the representation
 *   dropout 0.5 (training only)
 *   fc_out 256->K (K = 50)                                         -> (N, K)     logits
 * </pre>
 * BN comes before ReLU. Parameter names are the PyTorch state_dict names of the fixtures
 * ({@code conv1.weight ... bn62.running_var, fc_feature.*, bn_feature.*, fc_out.*}).
 * Initialisation (decision 10): Glorot-uniform conv and fc_feature weights, PyTorch-default biases and
 * fc_out, BN gamma 1 and beta 0.
 */
public final class BaseCnn {

    private dev.mtdtl.tensor.Device device = dev.mtdtl.tensor.Device.cpu();

    /** Block names in order; blocks 1..5 end with a max pool. */
    public static final String[] BLOCKS = {"1", "2", "3", "4", "5", "61", "62"};

    /**
     * Shape of the network: input channels, output channels of the seven conv blocks, the feature
     * width, the number of outputs and the dropout probability.
     */
    public record Spec(int inChannels, int[] convChannels, int featureDim, int nOut, float dropout) {
        public Spec {
            if (convChannels.length != BLOCKS.length) {
                throw new IllegalArgumentException("the base CNN has " + BLOCKS.length + " conv blocks, got "
                        + convChannels.length + " channel counts");
            }
            convChannels = convChannels.clone();
        }

        /** The paper's network with K outputs and dropout 0.5. */
        public static Spec paper(int nOut) {
            return new Spec(2, new int[]{16, 32, 64, 64, 128, 256, 256}, 256, nOut, 0.5f);
        }
    }

    private final Spec spec;
    private final List<Conv2d> convs = new ArrayList<>();
    private final List<BatchNorm> bns = new ArrayList<>();
    private final List<Layer> layers = new ArrayList<>();   // conv blocks, gap (the "trunk" up to gap)
    private final Linear fcFeature;
    private final BatchNorm bnFeature;
    private final Relu reluFeature = new Relu(true);
    private final Dropout dropout;
    private final Linear fcOut;
    private final GlobalAvgPool gapLayer = new GlobalAvgPool();
    private final Arena arena = new Arena();
    private final List<String> layerNames = new ArrayList<>();
    private LayerTimer timer;
    private Tensor gap;      // (N, 256) of the last forward
    private Tensor feature;  // (N, 256) of the last forward

    /** A freshly initialised network; every random choice comes from {@code seed}. */
    public BaseCnn(Spec spec, long seed) {
        this.spec = spec;
        Rng rng = new Rng(seed);
        int c = spec.inChannels();
        for (int i = 0; i < BLOCKS.length; i++) {
            String b = BLOCKS[i];
            int oc = spec.convChannels()[i];
            Conv2d conv = i == 0 ? new Conv2d("conv" + b, c, oc, 5, 2, 1, 2, true).setInputGrad(false)
                    : b.equals("62") ? new Conv2d("conv" + b, c, oc, 1, 1, 1, 0, true)
                    : new Conv2d("conv" + b, c, oc, 3, 1, 1, 1, true);
            BatchNorm bn = new BatchNorm("bn" + b, oc);
            Init.glorotUniform(conv.weight().value(), conv.fanIn(), conv.fanOut(), rng);
            Init.torchDefault(conv.bias().value(), conv.fanIn(), rng);
            convs.add(conv);
            bns.add(bn);
            layers.add(conv);
            layerNames.add("conv" + b);
            if (i < 5) {
                layers.add(new BatchNormReluPool(bn, new ReluPool()));
                layerNames.add("bn" + b + "+relu+pool");
            } else {
                layers.add(bn);
                layers.add(new Relu(true));
                layerNames.add("bn" + b);
                layerNames.add("relu" + b);
            }
            c = oc;
        }
        layers.add(gapLayer);
        layerNames.add("gap");
        fcFeature = new Linear("fc_feature", c, spec.featureDim(), true);
        Init.glorotUniform(fcFeature.weight().value(), c, spec.featureDim(), rng);
        Init.torchDefault(fcFeature.bias().value(), c, rng);
        bnFeature = new BatchNorm("bn_feature", spec.featureDim());
        dropout = new Dropout(spec.dropout(), rng.nextLong());
        fcOut = new Linear("fc_out", spec.featureDim(), spec.nOut(), true);
        Init.torchDefault(fcOut.weight().value(), spec.featureDim(), rng);
        Init.torchDefault(fcOut.bias().value(), spec.featureDim(), rng);
        MemoryPlan.apply(layers, arena);
    }

    /** The shared activation memory of this network (see {@link MemoryPlan}). */
    public Arena arena() {
        return arena;
    }

    public Spec spec() {
        return spec;
    }

    /** Logits (N, K) for a batch x (N, C, T, F). In training mode BN uses batch statistics. */
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != spec.inChannels()) {
            throw new IllegalArgumentException("base CNN: expected input (N, " + spec.inChannels()
                    + ", time, mel), got " + Shape.str(x.shape()));
        }
        Tensor h = x;
        for (int i = 0; i < layers.size(); i++) {
            long t0 = timer == null ? 0 : System.nanoTime();
            h = layers.get(i).forward(h);
            if (timer != null) {
                timer.add(layerNames.get(i) + ".fwd", System.nanoTime() - t0);
            }
        }
        gap = h;
        long t0 = timer == null ? 0 : System.nanoTime();
        h = fcFeature.forward(h);
        h = bnFeature.forward(h);
        feature = reluFeature.forward(h);
        h = dropout.forward(feature);
        Tensor logits = fcOut.forward(h);
        if (timer != null) {
            timer.add("head.fwd", System.nanoTime() - t0);
        }
        return logits;
    }

    /** Time every layer call from now on ({@code null} stops timing). */
    public void setTimer(LayerTimer timer) {
        this.timer = timer;
    }

    /**
     * Backward from dL/dlogits (N, K); accumulates every parameter gradient. The input's gradient is
     * not computed (the input is data), so this returns null.
     */
    public Tensor backward(Tensor dlogits) {
        long t0 = timer == null ? 0 : System.nanoTime();
        Tensor d = fcOut.backward(dlogits);
        d = dropout.backward(d);
        d = reluFeature.backward(d);
        d = bnFeature.backward(d);
        d = fcFeature.backward(d);
        if (timer != null) {
            timer.add("head.bwd", System.nanoTime() - t0);
        }
        for (int i = layers.size() - 1; i >= 0 && d != null; i--) {
            t0 = timer == null ? 0 : System.nanoTime();
            d = layers.get(i).backward(d);
            if (timer != null) {
                timer.add(layerNames.get(i) + ".bwd", System.nanoTime() - t0);
            }
        }
        return d;
    }

    /** Global-average-pool output (N, 256) of the last forward. */
    public Tensor gap() {
        return gap;
    }

    /** The representation (N, 256) = ReLU(BN(fc_feature(gap))) of the last forward. */
    public Tensor feature() {
        return feature;
    }

    public void setTraining(boolean training) {
        for (Layer l : layers) {
            l.setTraining(training);
        }
        bnFeature.setTraining(training);
        dropout.setTraining(training);
    }

    /** Every BatchNorm, in state_dict order (bn1 .. bn62, bn_feature). */
    public List<BatchNorm> batchNorms() {
        List<BatchNorm> r = new ArrayList<>(bns);
        r.add(bnFeature);
        return r;
    }

    public Dropout dropout() {
        return dropout;
    }

    /** Trainable parameters in state_dict order. */
    public List<Param> params() {
        List<Param> ps = new ArrayList<>();
        for (Param p : stateDict()) {
            if (p.trainable()) {
                ps.add(p);
            }
        }
        return ps;
    }

    /**
     * Parameters and buffers in PyTorch state_dict order: per block conv weight and bias, BN weight,
     * bias, running_mean, running_var; then fc_feature, bn_feature, fc_out.
     * (num_batches_tracked is added by {@link StateDict} when saving.)
     */
    public List<Param> stateDict() {
        List<Param> ps = new ArrayList<>();
        for (int i = 0; i < convs.size(); i++) {
            ps.addAll(convs.get(i).params());
            ps.addAll(bns.get(i).params());
            ps.addAll(bns.get(i).buffers());
        }
        ps.addAll(fcFeature.params());
        ps.addAll(bnFeature.params());
        ps.addAll(bnFeature.buffers());
        ps.addAll(fcOut.params());
        return ps;
    }

    /**
     * Move every parameter, gradient and running statistic to {@code d} (a GPU run trains and infers there;
     * activations follow on the next forward, since each layer allocates on its input's device). Returns this.
     */
    public BaseCnn to(dev.mtdtl.tensor.Device d) {
        for (Param p : stateDict()) {
            p.moveTo(d);
        }
        device = d;
        return this;
    }

    /** Where the parameters live (the CPU until {@link #to} moves them). */
    public dev.mtdtl.tensor.Device device() {
        return device;
    }

    public void zeroGrad() {
        for (Param p : params()) {
            p.zeroGrad();
        }
    }

    /** Number of trainable scalars (the paper's SS-R: about 576.5k for K = 50). */
    public long parameterCount() {
        long n = 0;
        for (Param p : params()) {
            n += p.value().numel();
        }
        return n;
    }

    /**
     * The spec implied by a state dict's shapes (conv{b}.weight (OC, C, ...) and fc_out.weight (K, D)),
     * so that a network of any width loads from a file; dropout as given.
     */
    public static Spec specOf(java.util.Map<String, Tensor> state, float dropout) {
        int[] oc = new int[BLOCKS.length];
        int in = -1;
        for (int i = 0; i < BLOCKS.length; i++) {
            Tensor w = state.get("conv" + BLOCKS[i] + ".weight");
            if (w == null || w.rank() != 4) {
                throw new IllegalArgumentException("state dict lacks a 4-d conv" + BLOCKS[i] + ".weight");
            }
            oc[i] = w.dim(0);
            if (i == 0) {
                in = w.dim(1);
            }
        }
        Tensor fo = state.get("fc_out.weight");
        Tensor ff = state.get("fc_feature.weight");
        if (fo == null || fo.rank() != 2 || ff == null || ff.rank() != 2) {
            throw new IllegalArgumentException("state dict lacks 2-d fc_feature.weight / fc_out.weight");
        }
        return new Spec(in, oc, ff.dim(0), fo.dim(0), dropout);
    }
}
