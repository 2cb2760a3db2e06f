package dev.mtdtl.nn;

import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.Safetensors;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * Training checkpoints for exact resume. One checkpoint is a directory
 * {@code RUN/checkpoints/it-000001234/} holding:
 * <pre>
 *   model.safetensors   the state dict ({@link MultiSourceNet} names, BN num_batches_tracked as int64):
 *                       in PyTorch, model.load_state_dict(safetensors.torch.load_file(path)) for the
 *                       mirror module described in MultiSourceNet
 *   optim.safetensors   per Adam group G ("shared" or a source id): G/&lt;param&gt;.exp_avg, G/&lt;param&gt;.exp_avg_sq
 *                       (f32, the parameter's shape) and G.step (int64); dropout.&lt;i&gt;.calls (int64), the
 *                       mask-stream position of the i-th dropout of MultiSourceNet.dropouts()
 *   checkpoint.json     format, project version, strategy, sources, network spec, config, seed,
 *                       iteration, epoch, CRC-32 of both tensor files (written last)
 * </pre>
 * Every other random stream is a pure function of (seed, iteration) ({@link BatchSampler}), so these
 * files are the whole state of a run. The directory is written under a temporary name and renamed,
 * so a crash leaves either a complete checkpoint or none; loading checks the format tag, the model's
 * identity (strategy, sources, shapes), the seed and batch size, and the CRCs.
 *
 * <p>Integrity: a checkpoint whose sidecar does not parse, whose tensor files are missing, do not match
 * their CRC-32 or do not parse is <em>corrupt</em> ({@link CorruptException}); one of another run or
 * format version is refused with a plain IllegalArgumentException. {@link #resume} takes the newest
 * checkpoint that verifies, moves each newer corrupt one aside to {@code checkpoints/corrupt-it-N} (kept
 * for inspection, never read again) and names it. The files are byte-deterministic: the sidecar's and
 * the safetensors metadata's keys are written in a fixed order.
 */
public final class Checkpoint {

    public static final String FORMAT = "mtdtl-checkpoint";
    public static final int FORMAT_VERSION = 1;
    private static final String PREFIX = "it-";

    private static final String CORRUPT = "corrupt-";

    private Checkpoint() {}

    /** A checkpoint whose files do not verify: a damaged sidecar, a missing file, a CRC or format mismatch. */
    public static final class CorruptException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public CorruptException(String message) {
            super(message);
        }

        public CorruptException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A checkpoint's sidecar and its model file, read once and checked against the sidecar's CRC-32. */
    public record Verified(Path dir, Map<String, Object> sidecar, Safetensors.Contents model) {}

    /** The project version from the jar manifest ("dev" when run from classes). */
    public static String projectVersion() {
        String v = Checkpoint.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Directory of the checkpoint at {@code iteration} under {@code runDir}. */
    public static Path dir(Path runDir, long iteration) {
        return runDir.resolve("checkpoints").resolve(String.format("%s%09d", PREFIX, iteration));
    }

    /** The newest complete checkpoint under runDir, or null. */
    public static Path latest(Path runDir) throws IOException {
        Path root = runDir.resolve("checkpoints");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve("checkpoint.json")))
                    .max(Comparator.comparing(p -> p.getFileName().toString())).orElse(null);
        }
    }

    /** Write the checkpoint of {@code iteration}; keeps the newest {@code cfg.keepCheckpoints()}. */
    static Path save(Path runDir, MultiSourceNet net, Map<String, Adam> groups, TrainConfig cfg, long iteration,
                     long iterationsPerEpoch) throws IOException {
        Path target = dir(runDir, iteration);
        if (Files.isDirectory(target)) {
            return target;   // a run resumed at this iteration and stopped at once: the state is the one saved
        }
        Path root = target.getParent();
        Files.createDirectories(root);
        // Not Files.createTempDirectory (mode 700 would stay on the renamed checkpoint): a unique name,
        // created with the user's usual permissions. Leftovers of a crash are removed by the cleanup below.
        Path tmp = Files.createDirectory(root.resolve(".tmp-" + PREFIX + Long.toHexString(System.nanoTime())));
        try {
            // Fixed key order (Map.of iterates in a per-JVM random order: resumed runs differed by header bytes).
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("strategy", net.strategy().id());
            meta.put("sources", ids(net.sources()));
            StateDict.save(tmp.resolve("model.safetensors"), net.stateDict(), net.batchNorms(), meta);
            Safetensors.Writer w = new Safetensors.Writer();
            for (Map.Entry<String, Adam> e : groups.entrySet()) {
                Adam a = e.getValue();
                for (int i = 0; i < a.params().size(); i++) {
                    Param p = a.params().get(i);
                    // toCpu(): moments of a GPU run are downloaded here, so a checkpoint is the same on either device
                    w.put(e.getKey() + "/" + p.name() + ".exp_avg", a.expAvg(i).toCpu().data(), p.value().shape());
                    w.put(e.getKey() + "/" + p.name() + ".exp_avg_sq", a.expAvgSq(i).toCpu().data(), p.value().shape());
                }
                w.putLong(e.getKey() + ".step", new long[]{a.steps()});
            }
            List<Dropout> ds = net.dropouts();
            for (int i = 0; i < ds.size(); i++) {
                w.putLong("dropout." + i + ".calls", new long[]{ds.get(i).calls()});
            }
            w.write(tmp.resolve("optim.safetensors"));
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("format", FORMAT);
            j.put("format_version", FORMAT_VERSION);
            j.put("project_version", projectVersion());
            j.put("strategy", net.strategy().id());
            j.put("sources", ids(net.sources()));
            j.put("spec", specJson(net));
            j.put("config", cfg.toJson());
            j.put("seed", cfg.seed());
            j.put("iteration", iteration);
            j.put("iterations_per_epoch", iterationsPerEpoch);
            j.put("epoch", (double) iteration / iterationsPerEpoch);
            Map<String, Object> crcs = new LinkedHashMap<>();
            crcs.put("model.safetensors", crc(tmp.resolve("model.safetensors")));
            crcs.put("optim.safetensors", crc(tmp.resolve("optim.safetensors")));
            j.put("crc32", crcs);
            AtomicFiles.writeString(tmp.resolve("checkpoint.json"), Json.write(j, 2) + "\n");
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
        } finally {
            deleteTree(tmp);
        }
        prune(root, cfg.keepCheckpoints());
        return target;
    }

    /**
     * Load checkpoint {@code dir} into net, the Adam groups and the dropout counters; returns its
     * iteration. Throws IllegalArgumentException naming the problem for a foreign, mismatched or
     * corrupt checkpoint.
     */
    static long load(Path dir, MultiSourceNet net, Map<String, Adam> groups, TrainConfig cfg) throws IOException {
        Map<String, Object> j = sidecar(dir);
        expect(dir, "strategy", net.strategy().id(), j.get("strategy"));
        expect(dir, "sources", ids(net.sources()), j.get("sources"));
        expect(dir, "network spec", Json.write(specJson(net), 0), Json.write(j.get("spec"), 0));
        expect(dir, "seed", cfg.seed(), j.get("seed"));
        Object c = j.get("config");
        expect(dir, "batch size", (long) cfg.batch(), c instanceof Map<?, ?> cm ? cm.get("batch") : null);
        // The settings that shape the trajectory (the intervals of validation, checkpoints and logging do not): a
        // resume under another learning rate or Adam constant went on silently, a run trained half one way and half
        // the other. A setting an older engine did not record is not checked.
        Map<String, Object> mine = cfg.toJson();
        for (String key : TRAJECTORY) {
            Object theirs = c instanceof Map<?, ?> cm ? cm.get(key) : null;
            if (theirs != null) {
                expect(dir, "setting " + key, asFloat(mine.get(key)), asFloat(theirs));
            }
        }
        if (!(j.get("iteration") instanceof Long it) || it < 0) {
            throw new CorruptException("corrupt checkpoint " + dir + ": checkpoint.json has no iteration");
        }
        // The iteration a resumed run goes on from is the sidecar's, which no CRC covers: a damaged digit would resume
        // a run at another iteration (other batches, another schedule) and nothing would say so. The folder's name
        // records it too.
        if (!dir.getFileName().toString().equals(String.format("%s%09d", PREFIX, it))) {
            throw new CorruptException("corrupt checkpoint " + dir + ": checkpoint.json says iteration " + it
                    + ", its folder's name another");
        }
        Safetensors.Contents model = readChecked(dir, "model.safetensors", j.get("crc32"));
        Safetensors.Contents optim = readChecked(dir, "optim.safetensors", j.get("crc32"));
        StateDict.load(model, net.stateDict(), net.batchNorms(), dir.resolve("model.safetensors").toString());
        for (Map.Entry<String, Adam> e : groups.entrySet()) {
            Adam a = e.getValue();
            for (int i = 0; i < a.params().size(); i++) {
                String n = e.getKey() + "/" + a.params().get(i).name();
                copy(dir, optim, n + ".exp_avg", a.expAvg(i));
                copy(dir, optim, n + ".exp_avg_sq", a.expAvgSq(i));
            }
            a.setSteps(Math.toIntExact(scalar(dir, optim, e.getKey() + ".step")));
        }
        List<Dropout> ds = net.dropouts();
        for (int i = 0; i < ds.size(); i++) {
            ds.get(i).setCalls(scalar(dir, optim, "dropout." + i + ".calls"));
        }
        return it;
    }

    /**
     * Resume entry point: load the newest checkpoint under runDir that verifies into net, the Adam groups and
     * the dropout counters and return its iteration, or -1 when runDir has no checkpoint. Each newer one that
     * is corrupt is moved aside to {@code checkpoints/corrupt-it-N} and named through {@code log}. Throws a
     * {@link CorruptException} listing them all when none verifies, and the IllegalArgumentException of the newest
     * when every one refuses for another reason: another run's settings (strategy, sources, network, seed, batch size)
     * or another format version, which is the wrong folder, not damage.
     *
     * <p>A newer checkpoint that refuses so while an older one of the same folder loads is damaged (a digit of its
     * sidecar's network spec or format version, which no CRC covers, or a tensor name in its file's header), and is
     * moved aside like a corrupt one. Before, it refused the resume outright, and the run could not go on until
     * someone moved it by hand (the fuzzing suite's checkpoint category, 2026-12-08: 5 of its first 30 cases). A
     * checkpoint that failed part-way through loading leaves no trace: the one loaded after it writes every
     * parameter, moment, step count and dropout counter.
     */
    static long resume(Path runDir, MultiSourceNet net, Map<String, Adam> groups, TrainConfig cfg,
                       Consumer<String> log) throws IOException {
        List<Path> all = complete(runDir);
        List<String> why = new ArrayList<>();
        IllegalArgumentException refusal = null;   // the newest refusal that is not a corrupt file's
        int refusals = 0;
        for (int i = all.size() - 1; i >= 0; i--) {
            Path ck = all.get(i);
            try {
                long it = load(ck, net, groups, cfg);
                for (int k = all.size() - 1; k > i; k--) {
                    Path aside = all.get(k).resolveSibling(CORRUPT + all.get(k).getFileName());
                    deleteTree(aside);
                    Files.move(all.get(k), aside);
                    log.accept("moved the corrupt checkpoint " + all.get(k) + " aside to " + aside + "; resuming from "
                            + ck);
                }
                return it;
            } catch (CorruptException e) {
                why.add(e.getMessage());
                log.accept("skipping " + e.getMessage());
            } catch (IllegalArgumentException e) {
                refusal = refusal == null ? e : refusal;
                refusals++;
                why.add(e.getMessage());
                log.accept("skipping " + e.getMessage() + " (damaged, if an older checkpoint of this folder loads)");
            }
        }
        if (refusal != null && refusals == all.size()) {
            throw refusal;   // no checkpoint of this folder is this run's: the wrong folder or settings
        }
        if (!all.isEmpty()) {
            throw new CorruptException("no checkpoint under " + runDir.resolve("checkpoints") + " verifies: "
                    + String.join("; ", why));
        }
        return -1;
    }

    /**
     * The sidecar and model file of checkpoint {@code dir}, verified (format, CRC-32, parse): what extraction
     * and the embedding API load. Throws {@link CorruptException} naming the file and the mismatch.
     */
    public static Verified readVerified(Path dir) throws IOException {
        Map<String, Object> j = sidecar(dir);
        return new Verified(dir, j, readChecked(dir, "model.safetensors", j.get("crc32")));
    }

    /** The newest checkpoint of runDir that verifies, or null; newer corrupt ones are named through log. */
    public static Verified newestVerified(Path runDir, Consumer<String> log) throws IOException {
        List<Path> all = complete(runDir);
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                return readVerified(all.get(i));
            } catch (CorruptException e) {
                log.accept(e.getMessage());
            }
        }
        return null;
    }

    /** checkpoint.json of dir, parsed and format-checked. */
    private static Map<String, Object> sidecar(Path dir) throws IOException {
        Path side = dir.resolve("checkpoint.json");
        if (!Files.isRegularFile(side)) {
            throw new IllegalArgumentException(dir + ": not a checkpoint (no checkpoint.json)");
        }
        Map<String, Object> j;
        try {
            j = Json.parseObject(dev.mtdtl.tensor.io.TextFiles.read(side), side.toString());
        } catch (IllegalArgumentException | IOException e) {
            throw new CorruptException("corrupt checkpoint " + dir + ": " + e.getMessage(), e);
        }
        if (!FORMAT.equals(j.get("format"))) {
            throw new CorruptException(dir + ": not an mtdtl checkpoint (checkpoint.json field format is "
                    + j.get("format") + ")");
        }
        if (!(j.get("format_version") instanceof Long v) || v != FORMAT_VERSION) {
            throw new IllegalArgumentException(dir + ": checkpoint format version " + j.get("format_version")
                    + ", this build reads " + FORMAT_VERSION);
        }
        return j;
    }

    private static Safetensors.Contents readChecked(Path dir, String name, Object crcs) throws IOException {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new CorruptException("corrupt checkpoint " + dir + ": " + name + " is missing");
        }
        Object want = crcs instanceof Map<?, ?> m ? m.get(name) : null;
        byte[] b = Files.readAllBytes(f);   // read once: the bytes checked are the bytes parsed
        CRC32 c = new CRC32();
        c.update(b);
        long got = c.getValue();
        if (!(want instanceof Long w) || w != got) {
            throw new CorruptException("corrupt checkpoint " + dir + ": " + name + " has CRC-32 " + got
                    + ", checkpoint.json field crc32." + name + " says " + want);
        }
        try {
            return Safetensors.parse(b, f.toString());
        } catch (IOException | RuntimeException e) {
            throw new CorruptException("corrupt checkpoint " + f + ": " + e.getMessage(), e);
        }
    }

    /** Complete checkpoints (it-N with a sidecar) under runDir, oldest first. */
    private static List<Path> complete(Path runDir) throws IOException {
        Path root = runDir.resolve("checkpoints");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve("checkpoint.json"))).sorted().toList();
        }
    }

    private static void copy(Path dir, Safetensors.Contents c, String name, dev.mtdtl.tensor.Tensor dst) {
        dev.mtdtl.tensor.Tensor t = c.floats.get(name);
        if (t == null || t.numel() != dst.numel()) {
            throw new IllegalArgumentException("checkpoint " + dir + ": optimiser state " + name
                    + (t == null ? " is missing" : " has " + t.numel() + " values, expected " + dst.numel()));
        }
        dst.copyFrom(t);   // an upload when the run is on a GPU
    }

    private static long scalar(Path dir, Safetensors.Contents c, String name) {
        long[] v = c.ints.get(name);
        if (v == null || v.length != 1) {
            throw new IllegalArgumentException("checkpoint " + dir + ": " + name + " is missing");
        }
        return v[0];
    }

    /** TrainConfig's settings a resume must share with the checkpoint (besides the batch size and the seed). */
    private static final List<String> TRAJECTORY = List.of("lr", "beta1", "beta2", "eps", "weight_decay",
            "kl_reduction", "balanced_self");

    /** A float setting as the float it is (recorded as a double: 0.003 would read 0.003000000026077032). */
    private static Object asFloat(Object v) {
        return v instanceof Double d ? (Object) Float.toString(d.floatValue()) : v;
    }

    private static void expect(Path dir, String what, Object mine, Object theirs) {
        if (!String.valueOf(mine).equals(String.valueOf(theirs))) {
            throw new IllegalArgumentException("checkpoint " + dir + " belongs to another run: its " + what + " is "
                    + theirs + ", this run's is " + mine);
        }
    }

    private static String ids(List<Source> sources) {
        return String.join(",", sources.stream().map(Source::id).toList());
    }

    private static Map<String, Object> specJson(MultiSourceNet net) {
        BaseCnn.Spec s = net.spec();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("in_channels", s.inChannels());
        m.put("conv_channels", s.convChannels());
        m.put("feature_dim", s.featureDim());
        m.put("n_out", s.nOut());
        m.put("dropout", (double) s.dropout());
        m.put("pair_hidden", net.pairHidden());
        return m;
    }

    private static long crc(Path f) throws IOException {
        CRC32 c = new CRC32();
        c.update(Files.readAllBytes(f));
        return c.getValue();
    }

    /** Keep the newest {@code keep} checkpoints; also remove temporary directories left by a crash. */
    private static void prune(Path root, int keep) throws IOException {
        List<Path> all = new ArrayList<>();
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.sorted().forEach(p -> {
                String n = p.getFileName().toString();
                if (n.matches(PREFIX + "\\d+") && Files.isRegularFile(p.resolve("checkpoint.json"))) {
                    all.add(p);
                } else if (n.startsWith(".tmp-" + PREFIX)) {
                    stale.add(p);
                }
            });
        }
        for (Path p : stale) {
            deleteTree(p);
        }
        for (int i = 0; i < all.size() - keep; i++) {
            // Unpublish by a rename first: a kill during the deletion leaves a .tmp- folder, never a
            // half-deleted it-N that still looks complete.
            Path gone = root.resolve(".tmp-" + all.get(i).getFileName() + "-deleted");
            Files.move(all.get(i), gone);
            deleteTree(gone);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
