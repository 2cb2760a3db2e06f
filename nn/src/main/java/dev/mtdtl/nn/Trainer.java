package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Device;
import dev.mtdtl.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Algorithm 1 of the paper (digest section 5; PT {@code musmtl/train.py::Trainer}). Per iteration:
 * draw a source uniformly, a batch of B distinct tracks with that source's label and a random crop of
 * each ({@link BatchSampler}, prefetched on a background thread), forward, KL(z || softmax) (mean over
 * B*K by default), backward, then step the shared group's Adam and the drawn source's Adam only; idle
 * sources' parameters and moments do not move (decision 9). All gradients are zeroed every iteration.
 * One epoch is (floor(N_train / B) + 1) * m iterations.
 *
 * <p>Every {@code validEvery} iterations the model is switched to evaluation mode and the KL of one
 * random validation batch per source is appended to {@code RUN/valid.csv}; this reads no training
 * stream and changes no state. A non-finite loss or gradient stops the run with an
 * {@link ArithmeticException} that names the source and iteration (the last checkpoint is kept).
 *
 * <p>Determinism: the result depends on the seed, the thread count of the kernels and nothing else
 * (prefetch depth and stopping/resuming included).
 */
public final class Trainer {

    private final MultiSourceNet net;
    private final TrainingData data;
    private final TrainConfig cfg;
    private final Map<String, Adam> groups = new LinkedHashMap<>();   // "shared" (if any), then source ids
    private final Adam shared;
    private final Map<Source, Adam> branch = new EnumMap<>(Source.class);
    private final BatchSampler train;
    private BatchSampler valid;                                       // built on first use
    private final KlLoss kl;
    private final Device device;
    private final Tensor[] staged = new Tensor[3];                    // x, x2, z on a non-CPU device, reused
    private long iteration;                                           // iterations done

    /** A trainer on the CPU. */
    public Trainer(MultiSourceNet net, TrainingData data, TrainConfig cfg) {
        this(net, data, cfg, Device.cpu());
    }

    /**
     * A trainer on {@code device}: the model is moved there first, and parameters, gradients, Adam moments,
     * activations and the loss stay there; each batch is uploaded once (the host reads back only the loss
     * and the gradient check, and checkpoints download the state).
     */
    public Trainer(MultiSourceNet net, TrainingData data, TrainConfig cfg, Device device) {
        if (data.nOut() != net.spec().nOut()) {
            throw new IllegalArgumentException("data has K = " + data.nOut() + " targets, the model " + net.spec().nOut());
        }
        if (data.channels() != net.spec().inChannels()) {
            throw new IllegalArgumentException("data has " + data.channels() + " channels, the model takes "
                    + net.spec().inChannels());
        }
        this.net = net.to(device);
        this.device = device;
        this.data = data;
        this.cfg = cfg;
        List<Param> sp = net.sharedParams();
        shared = sp.isEmpty() ? null : adam(sp);
        if (shared != null) {
            groups.put("shared", shared);
        }
        for (Source s : net.sources()) {
            Adam a = adam(net.branchParams(s));
            branch.put(s, a);
            groups.put(s.id(), a);
        }
        train = new BatchSampler(data, TrainingData.Split.TRAIN, net.sources(), cfg.batch(), cfg.seed(),
                cfg.balancedSelf());
        kl = new KlLoss(cfg.reduction());
        net.setTraining(true);
    }

    private Adam adam(List<Param> ps) {
        return new Adam(ps, cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(), cfg.weightDecay());
    }

    /** (floor(N_train / B) + 1) * m, the code's epoch (327 * m for N_train = 41,841, B = 128). */
    public long iterationsPerEpoch() {
        return ((long) data.numTracks(TrainingData.Split.TRAIN) / cfg.batch() + 1) * net.sources().size();
    }

    /** Iterations done so far (the next iteration's index). */
    public long iteration() {
        return iteration;
    }

    public MultiSourceNet net() {
        return net;
    }

    /** The shared group's Adam, or null when nothing is shared (SS-R, MSS-CR). */
    public Adam sharedAdam() {
        return shared;
    }

    public Adam adam(Source s) {
        return branch.get(s);
    }

    /** The device this trainer runs on. */
    public Device device() {
        return device;
    }

    /** A host batch tensor on the trainer's device (the CPU: itself; else uploaded into a reused buffer). */
    private Tensor onDevice(Tensor host, int slot) {
        if (host == null || device.isCpu()) {
            return host;
        }
        if (staged[slot] == null || !staged[slot].hasShape(host.shape())) {
            staged[slot] = device.zeros(host.shape());
        }
        staged[slot].copyFrom(host);
        return staged[slot];
    }

    /**
     * One iteration of Algorithm 1 on the given batch; returns its loss. Out of device memory, the error says
     * the batch size and the source (the last checkpoint is kept).
     */
    public float step(BatchSampler.Batch b) {
        try {
            return stepOn(b);
        } catch (dev.mtdtl.tensor.DeviceOutOfMemoryException e) {
            throw new dev.mtdtl.tensor.DeviceOutOfMemoryException(e.getMessage() + ", training " + net.strategy().id()
                    + " at batch " + cfg.batch() + " (source " + b.source().id() + "): use a smaller --batch; the last "
                    + "checkpoint is kept", e);
        }
    }

    private float stepOn(BatchSampler.Batch b) {
        Source s = b.source();
        net.zeroGrad();
        Tensor x = onDevice(b.x(), 0);
        Tensor logits = s.isSelf() ? net.forwardPair(x, onDevice(b.x2(), 1)) : net.forward(s, x);
        float loss = kl.forward(logits, onDevice(b.z(), 2));
        if (!Float.isFinite(loss)) {
            throw new ArithmeticException("non-finite loss " + loss + " at iteration " + iteration + " (source "
                    + s.id() + "); training stopped, the last checkpoint is kept");
        }
        net.backward(kl.backward());
        List<Param> active = new ArrayList<>(net.sharedParams());
        active.addAll(net.branchParams(s));
        List<Tensor> grads = new ArrayList<>(active.size());
        for (Param p : active) {
            grads.add(p.grad());
        }
        if (!device.ops().allFinite(grads)) {   // one device-side check; only on failure find and name the culprit
            for (Param p : active) {
                for (float g : p.grad().toCpu().data()) {
                    if (!Float.isFinite(g)) {
                        throw new ArithmeticException("non-finite gradient " + g + " in " + p.name() + " at iteration "
                                + iteration + " (source " + s.id() + "); training stopped, the last checkpoint is kept");
                    }
                }
            }
        }
        if (shared != null) {
            shared.step();
        }
        branch.get(s).step();
        iteration++;
        return loss;
    }

    /**
     * Validation monitoring number {@code index}: per source, the loss on one random validation batch
     * (evaluation mode; self pairs drawn as in training). Changes no training state.
     */
    public Map<Source, Float> validate(long index) {
        if (valid == null) {
            valid = new BatchSampler(data, TrainingData.Split.VALID, net.sources(), cfg.batch(),
                    Rng.hash(cfg.seed(), 0x7A11D), cfg.balancedSelf());
        }
        Map<Source, Float> r = new LinkedHashMap<>();
        net.setTraining(false);
        try {
            for (Source s : net.sources()) {
                BatchSampler.Batch b = valid.batch(index, s);
                Tensor x = onDevice(b.x(), 0);
                Tensor logits = s.isSelf() ? net.forwardPair(x, onDevice(b.x2(), 1)) : net.forward(s, x);
                r.put(s, kl.forward(logits, onDevice(b.z(), 2)));
            }
        } finally {
            net.setTraining(true);
        }
        return r;
    }

    /** {@link #resume(Path, java.util.function.Consumer)} without a log. */
    public boolean resume(Path runDir) throws IOException {
        return resume(runDir, m -> { });
    }

    /**
     * Continue from the newest checkpoint under runDir that verifies, if there is one; returns whether one
     * was loaded. Newer corrupt checkpoints are moved aside and named through {@code log}
     * ({@link Checkpoint#resume}). Validation rows logged after that checkpoint are dropped (they will be
     * logged again), and so is a row cut short by a kill.
     */
    public boolean resume(Path runDir, java.util.function.Consumer<String> log) throws IOException {
        long it = Checkpoint.resume(runDir, net, groups, cfg, log);
        if (it < 0) {
            return false;
        }
        iteration = it;
        Path csv = runDir.resolve("valid.csv");
        if (Files.isRegularFile(csv)) {
            List<String> keep = new ArrayList<>();
            for (String line : dev.mtdtl.tensor.io.TextFiles.lines(csv)) {
                String[] c = line.split(",", -1);
                if (line.equals("iteration,epoch,source,kl") || (c.length == 4 && c[0].matches("\\d{1,18}")
                        && Long.parseLong(c[0]) <= iteration)) {
                    keep.add(line);
                }
            }
            dev.mtdtl.tensor.io.AtomicFiles.writeString(csv, String.join("\n", keep) + (keep.isEmpty() ? "" : "\n"));
        }
        return true;
    }

    /** Write a checkpoint of the current state under runDir. */
    public Path saveCheckpoint(Path runDir) throws IOException {
        return Checkpoint.save(runDir, net, groups, cfg, iteration, iterationsPerEpoch());
    }

    /**
     * Train until {@code total} iterations are done (a no-op beyond a final checkpoint if already
     * there). With a runDir: checkpoints every {@code checkpointEvery} iterations (0: every epoch) and
     * at the end, and valid.csv; without one (null) nothing is written. Progress lines go to
     * {@code progress} (may be null), and with them, once, a warning if the steps allocate as if some vector kernel
     * ran boxed ({@link AllocationWatch}).
     */
    public void run(long total, Path runDir, PrintStream progress) throws IOException {
        if (total < 0) {
            throw new IllegalArgumentException("total iterations must be >= 0, got " + total);
        }
        dev.mtdtl.tensor.ColdStart.endForBatch();   // many steps: the kernels' vector warm-up is paid once either way
        long perEpoch = iterationsPerEpoch();
        long every = cfg.checkpointEvery() == 0 ? perEpoch : cfg.checkpointEvery();
        if (runDir != null) {
            Files.createDirectories(runDir);
        }
        long first = iteration;
        long t0 = System.nanoTime();
        long tLog = t0;
        long itLog = iteration;
        AllocationWatch watch = new AllocationWatch();
        try (Prefetcher pf = new Prefetcher(train, iteration, total, cfg.prefetch())) {
            while (iteration < total) {
                BatchSampler.Batch b = pf.next();
                if (b.iteration() != iteration) {
                    throw new IllegalStateException("prefetch out of order: batch " + b.iteration() + " at " + iteration);
                }
                watch.beforeStep();
                float loss = step(b);
                watch.afterStep();
                if (runDir != null && cfg.validEvery() > 0 && iteration % cfg.validEvery() == 0) {
                    logValidation(runDir, iteration / cfg.validEvery(), perEpoch);
                }
                if (progress != null && cfg.logEvery() > 0 && (iteration % cfg.logEvery() == 0 || iteration == total)) {
                    long now = System.nanoTime();
                    double rate = (iteration - itLog) * (double) cfg.batch() / ((now - tLog) * 1e-9);
                    double perIt = (now - t0) * 1e-9 / (iteration - first);
                    progress.printf("epoch %d/%d  it %d/%d  %-7s loss %.6f  %.1f samples/s  ETA %s%n",
                            (iteration - 1) / perEpoch + 1, (total + perEpoch - 1) / perEpoch, iteration, total,
                            b.source().id(), loss, rate, hms(perIt * (total - iteration)));
                    tLog = now;
                    itLog = iteration;
                    String boxed = watch.check();
                    if (boxed != null) {
                        progress.println(boxed);
                    }
                }
                if (runDir != null && iteration % every == 0 && iteration < total) {
                    saveCheckpoint(runDir);
                }
            }
        }
        if (runDir != null) {
            saveCheckpoint(runDir);
        }
    }

    private void logValidation(Path runDir, long index, long perEpoch) throws IOException {
        Path csv = runDir.resolve("valid.csv");
        StringBuilder sb = new StringBuilder();
        if (!Files.exists(csv)) {
            sb.append("iteration,epoch,source,kl\n");
        }
        for (Map.Entry<Source, Float> e : validate(index).entrySet()) {
            sb.append(iteration).append(',').append(String.format("%.4f", (double) iteration / perEpoch)).append(',')
                    .append(e.getKey().id()).append(',').append(e.getValue()).append('\n');
        }
        try {
            Files.writeString(csv, sb.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {   // "No space left on device" names no file
            throw new IOException(csv + ": cannot append: " + e.getMessage(), e);
        }
    }

    private static String hms(double s) {
        long t = Math.round(s);
        return String.format("%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    }
}
