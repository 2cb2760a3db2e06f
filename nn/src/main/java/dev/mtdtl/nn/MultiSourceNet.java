package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The multi-source networks of the paper (SS-R, MSS-CR, MS-CR@2/4/6, MS-SR@FC; digest sections 3-4,
 * PT {@code VGGlikeMTL}) for any non-empty list of sources. The base network ({@link BaseCnn}) is cut
 * into 9 stages:
 * <pre>
 *   stage 0..6  conv blocks 1, 2, 3, 4, 5, 61, 62 (conv, BN, ReLU [+ maxpool for 1..5: BatchNormReluPool])
 *   stage 7     global average pool                                   -> (N, C62)
 *   stage 8     fc_feature, bn_feature, ReLU, dropout                 -> (N, D)   the representation
 * </pre>
 * The first {@link Strategy#sharedStages()} stages form the shared trunk; every source owns the other
 * stages plus its head: fc_out D->K (K = 50) for a factor source, {@link SiameseHead} for self.
 *
 * <p><b>Parameter names</b> (PyTorch state_dict names, so a small module mirrors the file):
 * <pre>
 *   shared.conv1.weight, shared.bn1.running_var, ..., shared.fc_feature.weight (MS-SR@FC)
 *   branches.&lt;source&gt;.conv2.weight, ..., branches.&lt;source&gt;.bn_feature.num_batches_tracked,
 *   branches.&lt;source&gt;.fc_out.weight / .bias                              (factor sources)
 *   branches.self.fc_pair.*, branches.self.bn_pair.*, branches.self.fc_out.*  (self head)
 * </pre>
 * i.e. {@code self.shared = nn.Module()} holding convB/bnB (and fc_feature/bn_feature) attributes of
 * the shared stages, and {@code self.branches = nn.ModuleDict({source: nn.Module()})} holding the rest.
 * SS-R is MSS-CR with one source (names {@code branches.<source>.*}); with one source every branch
 * point gives the same network (digest section 4), only the optimiser grouping differs.
 *
 * <p><b>Self.</b> Both crops of a pair run through the whole representation path (trunk and self
 * branch) as two separate calls: the second through {@link Twins} of the same layers, so each crop
 * gets its own BN batch statistics and the running statistics move twice, as in the authors' code.
 *
 * <p>Initialisation: stage and head initialisers as {@link BaseCnn}; the trunk draws from
 * hash(seed, 0) and source s's branch from hash(seed, 1 + s.ordinal()), so a branch's initial weights
 * do not depend on which other sources are in the model.
 */
public final class MultiSourceNet {

    private dev.mtdtl.tensor.Device device = dev.mtdtl.tensor.Device.cpu();

    /** Number of stages of the base network. */
    public static final int STAGES = 9;

    private final Strategy strategy;
    private final List<Source> sources;
    private final BaseCnn.Spec spec;
    private final int pairHidden;
    private final Sequential trunk;          // stages [0, shared); null when nothing is shared
    private final Map<Source, SourcePath> paths = new EnumMap<>(Source.class);
    private SourcePath active;               // path of the last forward
    private final Arena arena = new Arena(); // one for all paths: only one runs at a time
    private boolean activePair;

    /** One source's own layers, plus (self only) the twin path for the second crop. */
    private static final class SourcePath {
        Sequential features;     // stages [shared, 9); may be empty
        Linear fcOut;            // factor sources
        SiameseHead head;        // self
        Sequential twinTrunk;    // self: a twin of the shared trunk (null when nothing is shared)
        Sequential twinFeatures; // self: a twin of features
    }

    /** The paper's network: K = 50 outputs per factor source, dropout 0.5, self hidden width 128. */
    public static MultiSourceNet paper(Strategy strategy, List<Source> sources, long seed) {
        return new MultiSourceNet(strategy, sources, BaseCnn.Spec.paper(50), 128, seed);
    }

    /**
     * @param spec       base network shape; {@code spec.nOut()} = K outputs of every factor source
     * @param pairHidden width H of the self head's hidden layer (128 in the paper)
     */
    public MultiSourceNet(Strategy strategy, List<Source> sources, BaseCnn.Spec spec, int pairHidden, long seed) {
        if (sources.isEmpty() || sources.stream().distinct().count() != sources.size()) {
            throw new IllegalArgumentException("need a non-empty list of distinct sources, got " + sources);
        }
        if (strategy == Strategy.SSR && sources.size() != 1) {
            throw new IllegalArgumentException("SS-R takes exactly one source, got " + sources);
        }
        Shape.requirePositive("self hidden width", pairHidden);
        this.strategy = strategy;
        this.sources = List.copyOf(sources);
        this.spec = spec;
        this.pairHidden = pairHidden;
        int s = strategy.sharedStages();
        Rng trunkRng = new Rng(Rng.hash(seed, 0));
        List<Layer> t = new ArrayList<>();
        for (int i = 0; i < s; i++) {
            t.add(stage(i, "shared.", trunkRng));
        }
        trunk = s == 0 ? null : new Sequential(t);
        for (Source src : this.sources) {
            Rng rng = new Rng(Rng.hash(seed, 1 + src.ordinal()));
            String prefix = "branches." + src.id() + ".";
            SourcePath p = new SourcePath();
            List<Layer> f = new ArrayList<>();
            for (int i = s; i < STAGES; i++) {
                f.add(stage(i, prefix, rng));
            }
            p.features = new Sequential(f);
            if (src.isSelf()) {
                p.head = new SiameseHead(prefix, spec.featureDim(), pairHidden, spec.dropout(), rng);
                p.twinTrunk = trunk == null ? null : (Sequential) Twins.of(trunk);
                p.twinFeatures = (Sequential) Twins.of(p.features);
            } else {
                p.fcOut = new Linear(prefix + "fc_out", spec.featureDim(), spec.nOut(), true);
                Init.torchDefault(p.fcOut.weight().value(), spec.featureDim(), rng);
                Init.torchDefault(p.fcOut.bias().value(), spec.featureDim(), rng);
            }
            paths.put(src, p);
        }
        shareScratch();
        for (SourcePath p : paths.values()) {
            MemoryPlan.apply(trunk == null ? List.of(p.features) : List.of(trunk, p.features), arena);
            if (p.twinFeatures != null) {
                MemoryPlan.apply(p.twinTrunk == null ? List.of(p.twinFeatures) : List.of(p.twinTrunk, p.twinFeatures),
                        arena);
            }
        }
    }

    /** The shared activation memory of every path of this network (see {@link MemoryPlan}). */
    public Arena arena() {
        return arena;
    }

    /**
     * Only one source's branch runs per iteration, so the same layer position of every branch shares
     * one {@link Scratch} (activations, gradients, workspaces): memory for one branch instead of m.
     * The self twin path keeps its own, as it is alive together with the self branch.
     */
    private void shareScratch() {
        List<Layer> first = null;
        for (Source src : sources) {
            List<Layer> leaves = new ArrayList<>();
            collect(paths.get(src).features, Layer.class, leaves);
            if (first == null) {
                first = leaves;
                continue;
            }
            for (int j = 0; j < leaves.size(); j++) {
                Scratch sc = first.get(j).scratch();
                if (sc != null) {
                    leaves.get(j).useScratch(sc);
                }
            }
        }
    }

    /** Whether two sources' branches share their activation buffers (for tests). */
    boolean sharesScratch(Source a, Source b) {
        List<Layer> la = new ArrayList<>();
        List<Layer> lb = new ArrayList<>();
        collect(path(a).features, Layer.class, la);
        collect(path(b).features, Layer.class, lb);
        for (int j = 0; j < la.size(); j++) {
            if (la.get(j).scratch() != lb.get(j).scratch()) {
                return false;
            }
        }
        return true;
    }

    /** Stage i of the base network with parameter names under {@code prefix}; initialised from rng. */
    private Layer stage(int i, String prefix, Rng rng) {
        int[] ch = spec.convChannels();
        if (i < BaseCnn.BLOCKS.length) {
            String b = BaseCnn.BLOCKS[i];
            int c = i == 0 ? spec.inChannels() : ch[i - 1];
            int oc = ch[i];
            Conv2d conv = i == 0 ? new Conv2d(prefix + "conv" + b, c, oc, 5, 2, 1, 2, true).setInputGrad(false)
                    : b.equals("62") ? new Conv2d(prefix + "conv" + b, c, oc, 1, 1, 1, 0, true)
                    : new Conv2d(prefix + "conv" + b, c, oc, 3, 1, 1, 1, true);
            Init.glorotUniform(conv.weight().value(), conv.fanIn(), conv.fanOut(), rng);
            Init.torchDefault(conv.bias().value(), conv.fanIn(), rng);
            BatchNorm bn = new BatchNorm(prefix + "bn" + b, oc);
            return i < 5 ? new Sequential(conv, new BatchNormReluPool(bn, new ReluPool()))
                    : new Sequential(conv, bn, new Relu(true));
        }
        if (i == 7) {
            return new GlobalAvgPool();
        }
        int c = ch[ch.length - 1];
        Linear fc = new Linear(prefix + "fc_feature", c, spec.featureDim(), true);
        Init.glorotUniform(fc.weight().value(), c, spec.featureDim(), rng);
        Init.torchDefault(fc.bias().value(), c, rng);
        return new Sequential(fc, new BatchNorm(prefix + "bn_feature", spec.featureDim()), new Relu(true),
                new Dropout(spec.dropout(), rng.nextLong()));
    }

    public Strategy strategy() {
        return strategy;
    }

    public List<Source> sources() {
        return sources;
    }

    public BaseCnn.Spec spec() {
        return spec;
    }

    public int pairHidden() {
        return pairHidden;
    }

    /** Outputs of a source's head: 2 for self, K otherwise. */
    public int nOut(Source s) {
        return s.isSelf() ? 2 : spec.nOut();
    }

    private SourcePath path(Source s) {
        SourcePath p = paths.get(s);
        if (p == null) {
            throw new IllegalArgumentException("source " + s.id() + " is not in this model (have " + sources + ")");
        }
        return p;
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != spec.inChannels()) {
            throw new IllegalArgumentException("multi-source net: expected input (N, " + spec.inChannels()
                    + ", time, mel), got " + Shape.str(x.shape()));
        }
    }

    /** Logits (N, K) of factor source {@code s} for crops x (N, C, T, F). */
    public Tensor forward(Source s, Tensor x) {
        SourcePath p = path(s);
        if (s.isSelf()) {
            throw new IllegalArgumentException("the self source takes a pair of crops: use forwardPair");
        }
        checkInput(x);
        Tensor h = trunk == null ? x : trunk.forward(x);
        h = p.features.forward(h);
        active = p;
        activePair = false;
        return p.fcOut.forward(h);
    }

    /** Logits (N, 2) of the self source for pairs (xa[n], xb[n]), each (N, C, T, F). */
    public Tensor forwardPair(Tensor xa, Tensor xb) {
        SourcePath p = path(Source.SELF);
        checkInput(xa);
        Shape.requireSame("self pair left", xa.shape(), "right", xb.shape());
        Tensor fa = p.features.forward(trunk == null ? xa : trunk.forward(xa));
        Tensor fb = p.twinFeatures.forward(p.twinTrunk == null ? xb : p.twinTrunk.forward(xb));
        active = p;
        activePair = true;
        return p.head.forward(fa, fb);
    }

    /**
     * Backward from dL/dlogits of the last forward: accumulates into the trunk's and that source's
     * parameter gradients only.
     */
    public void backward(Tensor dlogits) {
        if (active == null) {
            throw new IllegalStateException("backward before forward");
        }
        SourcePath p = active;
        if (!activePair) {
            Tensor d = p.features.backward(p.fcOut.backward(dlogits));
            if (trunk != null) {
                trunk.backward(d);
            }
            return;
        }
        Tensor[] d = p.head.backward(dlogits);
        Tensor da = p.features.backward(d[0]);
        if (trunk != null) {
            trunk.backward(da);
        }
        Tensor db = p.twinFeatures.backward(d[1]);
        if (p.twinTrunk != null) {
            p.twinTrunk.backward(db);
        }
    }

    /**
     * The representation (N, D) of source s for crops x: ReLU(BN(fc_feature(gap))) of that source's
     * path. In evaluation mode (the way to extract features) dropout is the identity. Owned by the net.
     * An inference pass ({@link Layer#infer}): no backward follows it (conv1-conv4 may run fused with their
     * blocks, keeping no input).
     */
    public Tensor representation(Source s, Tensor x) {
        checkInput(x);
        SourcePath p = path(s);
        return p.features.infer(trunk == null ? x : trunk.infer(x));
    }

    /** Receives one source's representation (N, D), a tensor of the net's that the next source's call overwrites. */
    @FunctionalInterface
    public interface RepresentationSink {
        void accept(Source s, Tensor representation);
    }

    /**
     * The representations of several sources for the same crops x, in the order of {@code srcs}, with the shared
     * trunk run once: the trunk's output is the one input of every branch, and no branch writes into it (each
     * branch's first stage is a conv or a linear layer that only reads it), so in evaluation mode each source
     * gets, bit for bit, what {@link #representation} gives it (MultiSourceNetTest). Feature extraction of an
     * m-source MS-CR model then costs one trunk and m branches instead of m of each: the trunk is conv1 (MS-CR@2),
     * conv1-conv3 (@4) or conv1-conv5 (@6), about 30, 70 and 85 % of one path's inference FLOPs and time
     * (bench/RESULTS.md, session 40). In training mode the trunk's batch norms see the batch once, so their
     * running statistics move once, not once per source. Every source is checked before anything runs.
     *
     * @param sink called once per source, right after its branch ran: copy what it needs before returning
     */
    public void representations(List<Source> srcs, Tensor x, RepresentationSink sink) {
        checkInput(x);
        List<SourcePath> ps = new ArrayList<>(srcs.size());
        for (Source s : srcs) {
            ps.add(path(s));
        }
        Tensor h = trunk == null ? x : trunk.infer(x);
        for (int i = 0; i < ps.size(); i++) {
            sink.accept(srcs.get(i), ps.get(i).features.infer(h));
        }
    }

    public void setTraining(boolean training) {
        if (trunk != null) {
            trunk.setTraining(training);
        }
        for (SourcePath p : paths.values()) {
            p.features.setTraining(training);
            if (p.head != null) {
                p.head.setTraining(training);
                if (p.twinTrunk != null) {
                    p.twinTrunk.setTraining(training);
                }
                p.twinFeatures.setTraining(training);
            }
        }
    }

    /** Trainable parameters of the shared trunk (empty for MSS-CR and SS-R). */
    public List<Param> sharedParams() {
        return trainable(trunk == null ? List.of() : walk(trunk));
    }

    /** Trainable parameters of source s's branch (its own stages and head). */
    public List<Param> branchParams(Source s) {
        return trainable(branchState(s));
    }

    /** All trainable parameters: shared, then each branch in source order. */
    public List<Param> params() {
        return trainable(stateDict());
    }

    /** Parameters and buffers in state_dict order: shared stages, then each branch in source order. */
    public List<Param> stateDict() {
        List<Param> ps = new ArrayList<>(trunk == null ? List.of() : walk(trunk));
        for (Source s : sources) {
            ps.addAll(branchState(s));
        }
        return ps;
    }

    private List<Param> branchState(Source s) {
        SourcePath p = path(s);
        List<Param> ps = new ArrayList<>(walk(p.features));
        ps.addAll(p.head != null ? p.head.stateDict() : p.fcOut.params());
        return ps;
    }

    /** Every BatchNorm (originals, not twins) in state_dict order, for num_batches_tracked. */
    public List<BatchNorm> batchNorms() {
        List<BatchNorm> r = new ArrayList<>();
        if (trunk != null) {
            collect(trunk, BatchNorm.class, r);
        }
        for (Source s : sources) {
            SourcePath p = path(s);
            collect(p.features, BatchNorm.class, r);
            if (p.head != null) {
                r.add(p.head.batchNorm());
            }
        }
        return r;
    }

    /** Every Dropout (originals) in state_dict order; their call counters are part of a checkpoint. */
    public List<Dropout> dropouts() {
        List<Dropout> r = new ArrayList<>();
        if (trunk != null) {
            collect(trunk, Dropout.class, r);
        }
        for (Source s : sources) {
            SourcePath p = path(s);
            collect(p.features, Dropout.class, r);
            if (p.head != null) {
                r.add(p.head.dropout());
            }
        }
        return r;
    }

    /**
     * Move every parameter, gradient and running statistic to {@code d} (a GPU run trains and infers there;
     * activations follow on the next forward, since each layer allocates on its input's device). Returns this.
     */
    public MultiSourceNet to(dev.mtdtl.tensor.Device d) {
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

    /** Number of trainable scalars. */
    public long parameterCount() {
        return count(params());
    }

    public static long count(List<Param> ps) {
        long n = 0;
        for (Param p : ps) {
            n += p.value().numel();
        }
        return n;
    }

    /** Params then buffers of every leaf layer, depth first: PyTorch's state_dict order. */
    private static List<Param> walk(Layer l) {
        List<Param> out = new ArrayList<>();
        if (l instanceof Sequential s) {
            for (Layer c : s.layers()) {
                out.addAll(walk(c));
            }
        } else {
            out.addAll(l.params());
            out.addAll(l.buffers());
        }
        return out;
    }

    /** The leaves under l (layers without children) that are of {@code type}, in forward order. */
    private static <T> void collect(Layer l, Class<T> type, List<T> out) {
        if (!l.children().isEmpty()) {
            for (Layer c : l.children()) {
                collect(c, type, out);
            }
        } else if (type.isInstance(l)) {
            out.add(type.cast(l));
        }
    }

    private static List<Param> trainable(List<Param> ps) {
        List<Param> r = new ArrayList<>();
        for (Param p : ps) {
            if (p.trainable()) {
                r.add(p);
            }
        }
        return r;
    }
}
