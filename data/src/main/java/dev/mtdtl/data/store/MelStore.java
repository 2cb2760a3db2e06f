package dev.mtdtl.data.store;

import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.io.Half;
import dev.mtdtl.tensor.io.Checksums;
import dev.mtdtl.tensor.io.JsonFields;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only, memory-mapped mel store: the whole-file stereo dB-mels of one split, read without
 * loading the corpus. Letters: C = 2 channels, T frames (per track), M = 128 mel bands, L = crop
 * length (216 in the paper).
 *
 * <p>Files (written by {@link MelStoreWriter}), for a store named NAME in a folder:
 * <pre>
 *   NAME.mel        all tracks' (C, T, M) arrays back to back, row-major, little-endian float32
 *                   (or IEEE float16 when dtype is "float16"); no header, so numpy reads it with
 *                   np.memmap(NAME.mel, '&lt;f4') and slices [offset : offset + C*T*M]
 *   NAME.index.tsv  track_id  offset  frames      (offset in elements from the start of NAME.mel)
 *   NAME.json       format "mtdtl-mel-store", version, dtype, channels, mels, tracks, elements,
 *                   failures (tracks skipped as unreadable), damaged (tracks stored from damaged
 *                   files: what the decoder left out; absent before 2026-12-08), crc32 {data, index}; written last: its
 *                   presence means complete, and {@link #open} checks both CRCs
 * </pre>
 * The data file is mapped in segments of at most 1 GiB that start at track boundaries (a mapping is
 * limited to 2 GiB), so a track never crosses two segments. Reads use absolute bulk gets on the
 * mapped buffers and touch no shared mutable state: one store may be read by any number of threads.
 *
 * <p>Crops (decisions 5 and 4 of the reference digest): {@link #crop} returns frames [start, start+L)
 * with 0 dB outside the clip (the paper code's padding), then standardises per band with the training
 * split's {@link BandStats} when the store was opened with them: (x - mean) / max(std, 1e-10), applied
 * after padding, as the paper's code does on the GPU. {@link #randomCrop} draws start uniform in
 * [0, T - L] (the last start included), or, for T &lt; L, places the clip at a uniform offset in the crop.
 *
 * <p>Omitted: writing (see {@link MelStoreWriter}), compression, random access by frame across tracks.
 */
public final class MelStore implements AutoCloseable {

    public static final String FORMAT = "mtdtl-mel-store";
    public static final int VERSION = 1;
    public static final int CHANNELS = 2;
    public static final String DATA_SUFFIX = ".mel";
    public static final String INDEX_SUFFIX = ".index.tsv";
    public static final String HEADER_SUFFIX = ".json";
    private static final long SEGMENT_BYTES = 1L << 30;

    /** Element type of the data file. */
    public enum DType {
        F32("float32", 4), F16("float16", 2);

        public final String label;
        public final int bytes;

        DType(String label, int bytes) {
            this.label = label;
            this.bytes = bytes;
        }

        public static DType of(String label) {
            for (DType d : values()) {
                if (d.label.equals(label)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("dtype must be float32 or float16, got " + label);
        }
    }

    private final Path dir;
    private final String name;
    private final DType dtype;
    private final int mels;
    private final String[] ids;
    private final long[] offsets;      // elements
    private final int[] frames;
    private final int[] segment;       // track -> segment
    private final long[] segStart;     // segment -> first element
    private final FloatBuffer[] f32;   // per segment (F32)
    private final ShortBuffer[] f16;   // per segment (F16)
    private final Map<String, Integer> byId = new HashMap<>();
    private final float[] mu;          // (M) or null
    private final float[] inv;         // (M) 1 / max(std, 1e-10), or null

    private MelStore(Path dir, String name, DType dtype, int mels, String[] ids, long[] offsets, int[] frames,
                     long totalElems, BandStats stats) throws IOException {
        this.dir = dir;
        this.name = name;
        this.dtype = dtype;
        this.mels = mels;
        this.ids = ids;
        this.offsets = offsets;
        this.frames = frames;
        int n = ids.length;
        for (int i = 0; i < n; i++) {
            if (byId.put(ids[i], i) != null) {
                throw new IOException(dir.resolve(name + INDEX_SUFFIX) + ": duplicate track id " + ids[i]);
            }
        }
        // Segments: greedy runs of whole tracks up to SEGMENT_BYTES.
        segment = new int[n];
        List<Long> starts = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        long segFirst = -1;
        long segEnd = -1;
        for (int i = 0; i < n; i++) {
            long len = (long) CHANNELS * frames[i] * mels;
            if (offsets[i] < 0 || offsets[i] > totalElems - len) {
                throw new IOException(dir.resolve(name + INDEX_SUFFIX) + ": track " + ids[i] + " lies outside the data");
            }
            if (segFirst < 0 || (offsets[i] + len - segFirst) * dtype.bytes > SEGMENT_BYTES || offsets[i] < segFirst) {
                if (segFirst >= 0) {
                    starts.add(segFirst);
                    ends.add(segEnd);
                }
                segFirst = offsets[i];
                segEnd = offsets[i] + len;
            } else {
                segEnd = Math.max(segEnd, offsets[i] + len);
            }
            segment[i] = starts.size();
        }
        if (segFirst >= 0) {
            starts.add(segFirst);
            ends.add(segEnd);
        }
        segStart = new long[starts.size()];
        f32 = new FloatBuffer[starts.size()];
        f16 = new ShortBuffer[starts.size()];
        try (FileChannel ch = FileChannel.open(dir.resolve(name + DATA_SUFFIX), StandardOpenOption.READ)) {
            if (ch.size() != totalElems * dtype.bytes) {
                throw new IOException(dir.resolve(name + DATA_SUFFIX) + ": " + ch.size() + " bytes, header says "
                        + totalElems * dtype.bytes);
            }
            for (int s = 0; s < segStart.length; s++) {
                segStart[s] = starts.get(s);
                MappedByteBuffer mb = ch.map(FileChannel.MapMode.READ_ONLY, starts.get(s) * dtype.bytes,
                        (ends.get(s) - starts.get(s)) * dtype.bytes);
                mb.order(ByteOrder.LITTLE_ENDIAN);
                if (dtype == DType.F32) {
                    f32[s] = mb.asFloatBuffer();
                } else {
                    f16[s] = mb.asShortBuffer();
                }
            }
        }
        if (stats != null) {
            if (stats.bands() != mels) {
                throw new IllegalArgumentException("statistics have " + stats.bands() + " bands, store " + mels);
            }
            double[] m = stats.mean();
            double[] sd = stats.std();
            mu = new float[mels];
            inv = new float[mels];
            for (int b = 0; b < mels; b++) {
                mu[b] = (float) m[b];
                inv[b] = (float) (1.0 / Math.max(sd[b], 1e-10));
            }
        } else {
            mu = null;
            inv = null;
        }
    }

    /** Open {@code dir/name}; crops are returned in dB (no standardisation). */
    public static MelStore open(Path dir, String name) throws IOException {
        return open(dir, name, null);
    }

    /**
     * Open {@code dir/name}; crops are standardised with {@code stats} when it is not null. The header's
     * CRC-32 of the data and the index are checked first (one sequential read of the data file), and every
     * field and index row is range-checked: a damaged or hostile store is an IOException naming the file,
     * the line or the field, never an allocation sized by the header.
     */
    public static MelStore open(Path dir, String name, BandStats stats) throws IOException {
        return open(dir, name, stats, true);
    }

    private static MelStore open(Path dir, String name, BandStats stats, boolean verify) throws IOException {
        Path hf = dir.resolve(name + HEADER_SUFFIX);
        if (!Files.isRegularFile(hf)) {
            throw new IOException(hf + ": no mel store header (an unfinished prepare, or a wrong folder)");
        }
        Path idx = dir.resolve(name + INDEX_SUFFIX);
        Path data = dir.resolve(name + DATA_SUFFIX);
        try {
            Map<String, Object> h = JsonFields.read(hf);
            if (!FORMAT.equals(h.get("format")) || !Long.valueOf(VERSION).equals(h.get("version"))) {
                throw new IOException(hf + ": not a " + FORMAT + " version " + VERSION + " header (fields format, "
                        + "version)");
            }
            DType dt = DType.of(JsonFields.str(h, "dtype", hf));
            int mels = JsonFields.integer(h, "mels", 1, 1024, hf);
            int n = JsonFields.integer(h, "tracks", 0, Integer.MAX_VALUE - 8, hf);
            long elems = JsonFields.lng(h, "elements", 0, Long.MAX_VALUE / 8, hf);
            if (verify && h.containsKey("crc32")) {
                Map<String, Object> crc = JsonFields.obj(h, "crc32", hf);
                Checksums.verify(idx, JsonFields.lng(crc, "index", 0, 0xFFFFFFFFL, hf), hf, "crc32.index");
                Checksums.verify(data, JsonFields.lng(crc, "data", 0, 0xFFFFFFFFL, hf), hf, "crc32.data");
            }
            // Rows are collected as they come (not into arrays of the header's size): a header that
            // declares billions of tracks costs nothing before the index disagrees with it.
            List<String> ids = new ArrayList<>();
            List<Long> off = new ArrayList<>();
            List<Integer> fr = new ArrayList<>();
            long maxFrames = SEGMENT_BYTES / ((long) CHANNELS * mels * dt.bytes);
            try (BufferedReader r = dev.mtdtl.tensor.io.TextFiles.reader(idx)) {
                String line = r.readLine();
                if (!"track_id\toffset\tframes".equals(line)) {
                    throw new IOException(idx + ":1: expected the header track_id, offset, frames");
                }
                int ln = 1;
                while ((line = r.readLine()) != null) {
                    ln++;
                    String[] v = line.split("\t", -1);
                    if (v.length != 3 || ids.size() >= n) {
                        throw new IOException(idx + ":" + ln + ": expected " + n + " rows of track_id, offset, frames "
                                + "(as " + hf.getFileName() + " field tracks says)");
                    }
                    long o;
                    long f;
                    try {
                        o = Long.parseLong(v[1]);
                        f = Long.parseLong(v[2]);
                    } catch (NumberFormatException e) {
                        throw new IOException(idx + ":" + ln + ": offset and frames must be integers, got '" + v[1]
                                + "', '" + v[2] + "'");
                    }
                    if (v[0].isEmpty() || o < 0 || f < 1 || f > maxFrames) {
                        throw new IOException(idx + ":" + ln + ": bad row (track id non-empty, offset >= 0, frames 1 to "
                                + maxFrames + "): " + line);
                    }
                    ids.add(v[0]);
                    off.add(o);
                    fr.add((int) f);
                }
            }
            if (ids.size() != n) {
                throw new IOException(idx + ": " + ids.size() + " rows, " + hf.getFileName() + " field tracks says " + n);
            }
            long[] offs = new long[n];
            int[] frs = new int[n];
            for (int i = 0; i < n; i++) {
                offs[i] = off.get(i);
                frs[i] = fr.get(i);
            }
            return new MelStore(dir, name, dt, mels, ids.toArray(new String[0]), offs, frs, elems, stats);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            throw new IOException(e.getMessage().startsWith(dir.toString()) ? e.getMessage() : hf + ": " + e.getMessage(), e);
        }
    }

    /** The same store viewed with (other) standardisation statistics; shares nothing mutable. */
    public MelStore withStats(BandStats stats) throws IOException {
        return open(dir, name, stats, false);   // this store was verified when it was opened
    }

    public int size() {
        return ids.length;
    }

    public String id(int track) {
        return ids[track];
    }

    /** Track number of an id, or -1. */
    public int indexOf(String id) {
        Integer i = byId.get(id);
        return i == null ? -1 : i;
    }

    public int frames(int track) {
        return frames[track];
    }

    public int mels() {
        return mels;
    }

    public int channels() {
        return CHANNELS;
    }

    public DType dtype() {
        return dtype;
    }

    public boolean standardised() {
        return mu != null;
    }

    /** The whole dB-mel of a track, (C, T, M), never standardised. */
    public float[] whole(int track) {
        float[] out = new float[CHANNELS * frames[track] * mels];
        for (int c = 0; c < CHANNELS; c++) {
            readRows(track, c, 0, frames[track], out, c * frames[track] * mels);
        }
        return out;
    }

    /**
     * Frames [start, start + length) of a track into out (C, length, M) at off: 0 dB outside the clip,
     * then standardised if the store has statistics. start may be negative (clip placed at -start).
     */
    public void crop(int track, int start, int length, float[] out, int off) {
        int t = frames[track];
        int from = Math.max(0, start);
        int to = Math.min(t, start + length);
        for (int c = 0; c < CHANNELS; c++) {
            int o = off + c * length * mels;
            if (to > from) {
                java.util.Arrays.fill(out, o, o + (from - start) * mels, 0f);
                readRows(track, c, from, to - from, out, o + (from - start) * mels);
                java.util.Arrays.fill(out, o + (to - start) * mels, o + length * mels, 0f);
            } else {
                java.util.Arrays.fill(out, o, o + length * mels, 0f);
            }
        }
        if (mu != null) {
            for (int r = 0; r < CHANNELS * length; r++) {
                int o = off + r * mels;
                for (int b = 0; b < mels; b++) {
                    out[o + b] = (out[o + b] - mu[b]) * inv[b];
                }
            }
        }
    }

    /** The paper's crop (L = 216). */
    public void crop(int track, int start, float[] out, int off) {
        crop(track, start, dev.mtdtl.dsp.Crops.PAPER_FRAMES, out, off);
    }

    /**
     * A training crop of {@code length} frames: start uniform in [0, T - L] (one draw), or, for T &lt; L,
     * the clip at a uniform offset in the crop (start negative). Returns the start used.
     */
    public int randomCrop(int track, Rng rng, int length, float[] out, int off) {
        int t = frames[track];
        int start = t >= length ? rng.nextInt(t - length + 1) : -rng.nextInt(length - t + 1);
        crop(track, start, length, out, off);
        return start;
    }

    /** The paper's training crop (L = 216). */
    public int randomCrop(int track, Rng rng, float[] out, int off) {
        return randomCrop(track, rng, dev.mtdtl.dsp.Crops.PAPER_FRAMES, out, off);
    }

    /** Number of evaluation slices of a track: ceil(T / L) (decision 6). */
    public int sliceCount(int track, int length) {
        return (frames[track] + length - 1) / length;
    }

    /**
     * The evaluation slices of a track (decision 6): out (S, C, L, M), S = {@link #sliceCount}, consecutive
     * non-overlapping from frame 0, the last one padded at its end with 0 dB and kept; standardised like
     * {@link #crop}.
     */
    public void slices(int track, int length, float[] out, int off) {
        int n = sliceCount(track, length);
        for (int s = 0; s < n; s++) {
            crop(track, s * length, length, out, off + s * CHANNELS * length * mels);
        }
    }

    // rows [from, from+n) of channel c (each M values) into out at o.
    private void readRows(int track, int c, int from, int n, float[] out, int o) {
        int s = segment[track];
        long e = offsets[track] - segStart[s] + ((long) c * frames[track] + from) * mels;
        int len = n * mels;
        if (dtype == DType.F32) {
            f32[s].get((int) e, out, o, len);
        } else {
            ShortBuffer b = f16[s];
            int base = (int) e;
            for (int i = 0; i < len; i++) {
                out[o + i] = Half.toFloat(b.get(base + i));
            }
        }
    }

    /** Mapped buffers are released by the garbage collector; nothing to do (kept for try-with-resources). */
    @Override
    public void close() {}
}
