package dev.mtdtl.embed;

import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.nn.BaseCnn;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.StateDict;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.Safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one-file model ({@code model.mtdtl}): everything an application needs to turn audio into track vectors,
 * in one file that {@code mtdtl export} writes from a training run and its prepared folder (eval's
 * {@code ModelExport}: the export needs the checkpoint layout, which this module leaves out with the rest of
 * the training code).
 *
 * <pre>
 *   offset  size  field
 *   0       8     magic "MTDTLMDL"
 *   8       4     format version, int32 little-endian (this engine writes and reads {@value #VERSION})
 *   12      8     n1, int64 LE; then n1 bytes: the configuration, UTF-8 JSON (strategy, sources, network spec,
 *                 mel settings, slice length, the run's name and iteration, the engine version)
 *   ..      8     n2; then n2 bytes: the standardisation statistics, the prepared folder's learning/stats.npy
 *                 verbatim ((3, 128) float64: mean, std, frame count per band)
 *   ..      8     n3; then n3 bytes: the weights, the checkpoint's model.safetensors verbatim (PyTorch names)
 *   end-32  32    SHA-256 of every byte before it
 * </pre>
 *
 * The sections are kept verbatim so that the vectors are the same bits as {@code mtdtl extract}'s from the run
 * and the prepared folder, and so that the weights can be cut out and loaded in PyTorch. Reading checks, in
 * this order, the magic, the version (a newer file is refused with the version it needs), the length (a
 * truncated file names the expected and the actual size) and the checksum; every error names the file.
 *
 * @param config   the configuration JSON (parsed)
 * @param stats    the statistics file's bytes
 * @param weights  the safetensors bytes
 */
public record ModelFile(Map<String, Object> config, byte[] stats, byte[] weights) {

    public static final String MAGIC = "MTDTLMDL";
    public static final int VERSION = 1;
    /** The format name inside the configuration. */
    public static final String FORMAT = "mtdtl-model";

    /** Frames per slice (2.5 s at hop 256 and 22,050 Hz): the training crop length. */
    public static final int SLICE = 216;

    /** Write the file atomically. */
    public void write(Path file) throws IOException {
        byte[] cfg = Json.write(config, 2).getBytes(StandardCharsets.UTF_8);
        ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC.getBytes(StandardCharsets.US_ASCII)).putInt(VERSION);
        MessageDigest sha = sha256();
        AtomicFiles.write(file, out -> {
            byte[][] parts = {head.array(), len(cfg.length), cfg, len(stats.length), stats, len(weights.length), weights};
            for (byte[] p : parts) {
                sha.update(p);
                out.write(p);
            }
            out.write(sha.digest());
        });
    }

    /** Read and check a model file (see the class comment for the checks and their order). */
    public static ModelFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such model file");
        }
        byte[] b = Files.readAllBytes(file);
        String f = file.toString();
        if (b.length < 12 || !new String(b, 0, 8, StandardCharsets.US_ASCII).equals(MAGIC)) {
            throw new IOException(f + ": not an mtdtl model file (no " + MAGIC + " magic; export one with mtdtl export)");
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int version = bb.getInt(8);
        if (version > VERSION || version < 1) {
            throw new IOException(f + ": model format version " + version + (version > VERSION
                    ? " is newer than this engine reads (" + VERSION + "): update mtdtl, or export the model with this version"
                    : " is not a valid version"));
        }
        int pos = 12;
        byte[][] sec = new byte[3][];
        for (int i = 0; i < 3; i++) {
            if (pos + 8 > b.length) {
                throw truncated(f, b.length, pos + 8L + 32);
            }
            long n = bb.getLong(pos);
            pos += 8;
            if (n < 0 || pos + n + 32 > b.length) {
                throw truncated(f, b.length, n < 0 ? -1 : pos + n + 32);
            }
            sec[i] = java.util.Arrays.copyOfRange(b, pos, pos + (int) n);
            pos += (int) n;
        }
        if (pos + 32 != b.length) {
            throw new IOException(f + ": " + (b.length - pos - 32) + " bytes after the checksum (damaged file?)");
        }
        MessageDigest sha = sha256();
        sha.update(b, 0, pos);
        if (!MessageDigest.isEqual(sha.digest(), java.util.Arrays.copyOfRange(b, pos, pos + 32))) {
            throw new IOException(f + ": checksum mismatch (the file is damaged; export it again)");
        }
        Map<String, Object> cfg = Json.parseObject(new String(sec[0], StandardCharsets.UTF_8), f + " (configuration)");
        if (!FORMAT.equals(cfg.get("format")) || !"paper".equals(cfg.get("mel"))
                || !Integer.valueOf(SLICE).equals(num(cfg, "slice_frames", f))) {
            throw new IOException(f + ": configuration is not a " + FORMAT + " with paper mel settings and " + SLICE
                    + "-frame slices");
        }
        ModelFile m = new ModelFile(cfg, sec[1], sec[2]);
        m.checkConfig(f + " (configuration)");
        return m;
    }

    /** Largest channel count or width a configuration may name (the paper's networks use at most 256). */
    private static final int MAX_WIDTH = 1 << 16;

    /**
     * The configuration's fields that building the network reads, checked when the file is read so that a damaged or
     * hand-edited file (the checksum recomputed) is an IOException naming it: strategy and sources (strings that
     * parse), the network spec's sizes (numbers in [1, 65536]), its dropout (a number in [0, 1)).
     */
    private void checkConfig(String where) throws IOException {
        try {
            if (!(config.get("strategy") instanceof String) || !(config.get("sources") instanceof String)) {
                throw new IllegalArgumentException("'strategy' and 'sources' must be strings");
            }
            strategy();
            sources();
            if (!(config.get("spec") instanceof Map<?, ?> spec)) {
                throw new IllegalArgumentException("no network spec");
            }
            if (!(spec.get("conv_channels") instanceof List<?> conv) || conv.isEmpty()) {
                throw new IllegalArgumentException("spec.conv_channels is not a list of channel counts");
            }
            for (Object o : conv) {
                if (!(o instanceof Number n) || n.doubleValue() < 1 || n.doubleValue() > MAX_WIDTH) {
                    throw new IllegalArgumentException("spec.conv_channels has " + o + ", not a count in [1, "
                            + MAX_WIDTH + "]");
                }
            }
            for (String k : new String[] {"in_channels", "feature_dim", "n_out", "pair_hidden"}) {
                Object o = spec.get(k);
                if (!(o instanceof Number n) || n.doubleValue() < 1 || n.doubleValue() > MAX_WIDTH) {
                    throw new IllegalArgumentException("spec." + k + " is " + o + ", not a number in [1, " + MAX_WIDTH
                            + "]");
                }
            }
            if (!(spec.get("dropout") instanceof Number d) || !(d.doubleValue() >= 0 && d.doubleValue() < 1)) {
                throw new IllegalArgumentException("spec.dropout is " + spec.get("dropout")
                        + ", not a number in [0, 1)");
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
    }

    private static IOException truncated(String f, long have, long need) {
        return new IOException(f + ": truncated model file (" + have + " bytes" + (need > 0 ? ", the header says at least "
                + need : "") + "); copy or export it again");
    }

    private static byte[] len(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    public Strategy strategy() {
        return Strategy.of(String.valueOf(config.get("strategy")));
    }

    public List<Source> sources() {
        return Source.parseList(String.valueOf(config.get("sources")));
    }

    /** The run's name (for messages and feature names). */
    public String runName() {
        return String.valueOf(config.get("run"));
    }

    /** The standardisation statistics. */
    public BandStats bandStats(String name) throws IOException {
        return BandStats.parse(stats, name + " (statistics)");
    }

    /** The network with the weights loaded, in eval mode. {@code name}: for messages. */
    public MultiSourceNet network(String name) {
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) config.get("spec");
        if (spec == null) {
            throw new IllegalArgumentException(name + ": no network spec");
        }
        @SuppressWarnings("unchecked")
        List<Object> conv = (List<Object>) spec.get("conv_channels");
        int[] channels = conv.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
        BaseCnn.Spec s = new BaseCnn.Spec(num(spec, "in_channels", name), channels, num(spec, "feature_dim", name),
                num(spec, "n_out", name), ((Number) spec.get("dropout")).floatValue());
        MultiSourceNet net = new MultiSourceNet(strategy(), sources(), s, num(spec, "pair_hidden", name), 0);
        try {
            StateDict.load(Safetensors.parse(weights, name), net.stateDict(), net.batchNorms(), name + " (weights)");
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " (weights): " + e.getMessage(), e);
        }
        net.setTraining(false);
        return net;
    }

    private static int num(Map<String, Object> m, String k, String name) {
        Object o = m.get(k);
        if (!(o instanceof Number n)) {
            throw new IllegalArgumentException(name + ": configuration has no number '" + k + "'");
        }
        return n.intValue();
    }
}
