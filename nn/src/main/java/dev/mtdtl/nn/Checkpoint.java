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
 */
public final class Checkpoint {

    public static final String FORMAT = "mtdtl-checkpoint";
    public static final int FORMAT_VERSION = 1;
    private static final String PREFIX = "it-";

    private Checkpoint() {}

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
            Map<String, String> meta = Map.of("strategy", net.strategy().id(), "sources", ids(net.sources()));
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
            j.put("crc32", Map.of("model.safetensors", crc(tmp.resolve("model.safetensors")),
                    "optim.safetensors", crc(tmp.resolve("optim.safetensors"))));
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
        Path side = dir.resolve("checkpoint.json");
        if (!Files.isRegularFile(side)) {
            throw new IllegalArgumentException(dir + ": not a checkpoint (no checkpoint.json)");
        }
        Map<String, Object> j;
        try {
            j = Json.parseObject(Files.readString(side), side.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("corrupt checkpoint " + dir + ": " + e.getMessage(), e);
        }
        if (!FORMAT.equals(j.get("format"))) {
            throw new IllegalArgumentException(dir + ": not an mtdtl checkpoint (format " + j.get("format") + ")");
        }
        if (!(j.get("format_version") instanceof Long v) || v != FORMAT_VERSION) {
            throw new IllegalArgumentException(dir + ": checkpoint format version " + j.get("format_version")
                    + ", this build reads " + FORMAT_VERSION);
        }
        expect(dir, "strategy", net.strategy().id(), j.get("strategy"));
        expect(dir, "sources", ids(net.sources()), j.get("sources"));
        expect(dir, "network spec", Json.write(specJson(net), 0), Json.write(j.get("spec"), 0));
        expect(dir, "seed", cfg.seed(), j.get("seed"));
        @SuppressWarnings("unchecked")
        Map<String, Object> c = (Map<String, Object>) j.get("config");
        expect(dir, "batch size", (long) cfg.batch(), c == null ? null : c.get("batch"));
        @SuppressWarnings("unchecked")
        Map<String, Object> crcs = (Map<String, Object>) j.get("crc32");
        Safetensors.Contents model = readChecked(dir, "model.safetensors", crcs);
        Safetensors.Contents optim = readChecked(dir, "optim.safetensors", crcs);
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
        if (!(j.get("iteration") instanceof Long it)) {
            throw new IllegalArgumentException("corrupt checkpoint " + dir + ": no iteration");
        }
        return it;
    }

    private static Safetensors.Contents readChecked(Path dir, String name, Map<String, Object> crcs)
            throws IOException {
        Path f = dir.resolve(name);
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("corrupt checkpoint " + dir + ": " + name + " is missing");
        }
        Object want = crcs == null ? null : crcs.get(name);
        long got = crc(f);
        if (!(want instanceof Long w) || w != got) {
            throw new IllegalArgumentException("corrupt checkpoint " + dir + ": " + name + " has CRC-32 " + got
                    + ", the sidecar says " + want);
        }
        try {
            return Safetensors.read(f);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("corrupt checkpoint " + f + ": " + e.getMessage(), e);
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
            deleteTree(all.get(i));
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
