package dev.mtdtl.embed;

import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Checksums;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.JsonFields;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * What a folder's embedding has done so far, on disk beside its output, so that a run stopped by a kill, or one that
 * skipped files it could not decode, goes on where it stopped: {@code OUT.part} (the finished files' vectors, float32
 * little-endian, one row each, appended), {@code OUT.part.tracks} (one line per row: the file's name in the output,
 * URL-encoded, its size and its modification time in ms, tab-separated; for a file with damaged audio a fourth field,
 * the decoder's notes, URL-encoded, so that a resumed run still lists it) and {@code OUT.part.json} (the model's
 * SHA-256, the row width, how many rows and bytes of both files are complete, and the CRC-32 of those bytes).
 *
 * <p>A checkpoint forces both files to disk and then replaces the JSON atomically; it follows the first file that
 * finishes at least {@value #CHECKPOINT_NANOS} ns after the last one, and the moment a run fails. A later run with
 * the same model and output truncates both files to the recorded lengths (a kill may leave more), and reuses the
 * row of every file whose name, size and modification time are unchanged: a file's vector depends on nothing but
 * the file and the model (ModelFileTest), so the reused rows are the bits a fresh run computes; the recorded bytes
 * must match their CRC-32s, else the part is dropped with a log line (a damaged row would otherwise reach the
 * output unnoticed: the fuzzing suite's first try changed four bytes of a row, and the run completed). Every finished
 * file's row is in the part, so the output is copied from it in the folder's order: memory holds one row, not
 * the whole (N, D) array. A part written with
 * another model is dropped with a log line. A finished run deletes the three files.
 */
final class EmbedProgress implements Closeable {

    /** Least time between checkpoints. */
    static final long CHECKPOINT_NANOS = 10_000_000_000L;

    private final Path data;       // OUT.part
    private final Path names;      // OUT.part.tracks
    private final Path json;       // OUT.part.json
    private final String model;
    private final int dims;
    private final FileChannel dataCh;
    private final FileChannel namesCh;
    private final Map<String, Integer> rowOf = new HashMap<>();   // "name\tsize\tmtime" -> row in the part
    private final Map<Integer, String> damageOf = new HashMap<>(); // row -> the decoder's notes, for damaged files
    private long dataBytes;
    private long namesBytes;
    private final CRC32 dataCrc = new CRC32();    // of data's first dataBytes bytes
    private final CRC32 namesCrc = new CRC32();   // of names' first namesBytes bytes
    private int rows;
    private long lastCheckpoint = System.nanoTime();
    private final long interval;   // CHECKPOINT_NANOS, or another in tests

    private EmbedProgress(Path out, String model, int dims, PrintStream log, long interval) throws IOException {
        this.interval = interval;
        this.data = out.resolveSibling(out.getFileName() + ".part");
        this.names = out.resolveSibling(out.getFileName() + ".part.tracks");
        this.json = out.resolveSibling(out.getFileName() + ".part.json");
        this.model = model;
        this.dims = dims;
        if (Files.isRegularFile(json)) {
            resume(log);
        }
        FileChannel d = null;
        try {
            Path dir = out.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);   // as the output's own atomic write does
            }
            d = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            namesCh = FileChannel.open(names, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            d.truncate(dataBytes);   // what a killed run wrote after its last checkpoint
            namesCh.truncate(namesBytes);
        } catch (IOException e) {
            if (d != null) {
                d.close();
            }
            throw new IOException(data + ": cannot write: " + (e instanceof java.nio.file.FileSystemException f
                    && f.getReason() != null ? f.getReason() : e.getClass().getSimpleName()), e);
        }
        dataCh = d;
    }

    /** The progress of embedding into {@code out} with the model whose SHA-256 is {@code model} (hex). */
    static EmbedProgress open(Path out, String model, int dims, PrintStream log) throws IOException {
        return new EmbedProgress(out, model, dims, log, CHECKPOINT_NANOS);
    }

    /** {@link #open} with checkpoints at least {@code interval} ns apart (tests: 0, after every file). */
    static EmbedProgress open(Path out, String model, int dims, PrintStream log, long interval) throws IOException {
        return new EmbedProgress(out, model, dims, log, interval);
    }

    private void resume(PrintStream log) throws IOException {
        Map<String, Object> p;
        try {
            p = JsonFields.read(json);
            if (!model.equals(JsonFields.str(p, "model_sha256", json))
                    || JsonFields.integer(p, "dims", 1, Integer.MAX_VALUE, json) != dims) {
                log.println(json + ": partial output of another model; starting over");
                return;
            }
            if (!p.containsKey("data_crc32") || !p.containsKey("tracks_crc32")) {
                log.println(json + ": partial output without checksums (an older engine's); starting over");
                return;
            }
            int r0 = JsonFields.integer(p, "rows", 0, Integer.MAX_VALUE, json);
            long db = JsonFields.lng(p, "data_bytes", 0, Files.exists(data) ? Files.size(data) : 0, json);
            long nb = JsonFields.lng(p, "tracks_bytes", 0, Files.exists(names) ? Files.size(names) : 0, json);
            if (db != (long) r0 * dims * Float.BYTES) {
                throw new IllegalArgumentException("data_bytes " + db + " is not " + r0 + " rows of " + dims
                        + " floats");
            }
            if (nb > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("tracks_bytes " + nb + " is too large");
            }
            byte[] head = new byte[(int) nb];
            readFully(names, head);
            namesCrc.update(head);
            Checksums.updatePrefix(dataCrc, data, db);
            if (dataCrc.getValue() != JsonFields.lng(p, "data_crc32", 0, 0xffff_ffffL, json)
                    || namesCrc.getValue() != JsonFields.lng(p, "tracks_crc32", 0, 0xffff_ffffL, json)) {
                log.println(data + " or " + names.getFileName() + ": does not match the checksum in "
                        + json.getFileName() + " (damaged); starting over");
                dataCrc.reset();
                namesCrc.reset();
                return;
            }
            rows = r0;
            dataBytes = db;
            namesBytes = nb;
            String[] lines = new String(head, StandardCharsets.UTF_8).split("\n", -1);
            if (lines.length != rows + 1 || !lines[rows].isEmpty()) {
                throw new IllegalArgumentException(names.getFileName() + " holds " + (lines.length - 1)
                        + " complete lines, not " + rows);
            }
            for (int r = 0; r < rows; r++) {
                String[] f = lines[r].split("\t", -1);
                if (f.length != 3 && f.length != 4) {
                    throw new IllegalArgumentException(names.getFileName() + " line " + (r + 1) + " has " + f.length
                            + " fields, not 3 or 4");
                }
                rowOf.put(f[0] + "\t" + f[1] + "\t" + f[2], r);
                if (f.length == 4) {
                    damageOf.put(r, URLDecoder.decode(f[3], StandardCharsets.UTF_8));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(json + ": damaged progress file (" + e.getMessage() + "); delete " + json.getFileName()
                    + " to embed every file again", e);
        }
    }

    /** The first {@code b.length} bytes of f into b (f holds at least as many: its size was checked). */
    private static void readFully(Path f, byte[] b) throws IOException {
        if (b.length == 0) {
            return;   // nothing recorded: the file need not exist
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        try (FileChannel ch = FileChannel.open(f)) {
            while (bb.hasRemaining() && ch.read(bb, bb.position()) >= 0) {
                // a positional read may return fewer bytes than asked
            }
        }
    }

    /** Rows the part holds: a resumed run's and those added since. */
    int rows() {
        return rows;
    }

    /** The row the part holds for this file (named {@code name} in the output) if it has not changed since; else -1. */
    int rowOf(String name, Path file) throws IOException {
        Integer r = rowOf.get(key(name, file));
        return r == null ? -1 : r;
    }

    /** What the decoder left out of the file of this row (its notes, "; "-joined), or null if its audio was whole. */
    String damageOf(int row) {
        return damageOf.get(row);
    }

    /**
     * Append a finished file's vector and return its row; {@code damage}: the decoder's notes on the file's audio, null
     * if it was whole. A checkpoint when the last one is {@value #CHECKPOINT_NANOS} ns old.
     */
    int add(String name, Path file, float[] v, String damage) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(dims * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v, 0, dims);
        dataCrc.update(b.array(), 0, dims * Float.BYTES);
        dataBytes += write(dataCh, b, dataBytes);
        String hurt = damage == null ? "" : "\t" + URLEncoder.encode(damage, StandardCharsets.UTF_8);
        byte[] line = (key(name, file) + hurt + "\n").getBytes(StandardCharsets.UTF_8);
        namesCrc.update(line);
        namesBytes += write(namesCh, ByteBuffer.wrap(line), namesBytes);
        if (damage != null) {
            damageOf.put(rows, damage);
        }
        rows++;
        if (System.nanoTime() - lastCheckpoint >= interval) {
            checkpoint();
        }
        return rows - 1;
    }

    /** Copy the given rows, in that order, to out as little-endian float32: the output file's body. */
    void copyRows(int[] order, OutputStream out) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(dims * Float.BYTES);
        for (int r : order) {
            b.clear();
            while (b.hasRemaining()) {
                if (dataCh.read(b, (long) r * dims * Float.BYTES + b.position()) < 0) {
                    throw new IOException(data + ": ends inside row " + r);
                }
            }
            out.write(b.array());
        }
    }

    /** Force both files to disk, then record their lengths (atomically). */
    void checkpoint() throws IOException {
        dataCh.force(false);
        namesCh.force(false);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("model_sha256", model);
        p.put("dims", dims);
        p.put("rows", rows);
        p.put("data_bytes", dataBytes);
        p.put("tracks_bytes", namesBytes);
        p.put("data_crc32", dataCrc.getValue());
        p.put("tracks_crc32", namesCrc.getValue());
        AtomicFiles.writeString(json, Json.write(p, 1) + "\n");
        lastCheckpoint = System.nanoTime();
    }

    /** The run is complete (its output written): the part files go. */
    void finish() throws IOException {
        close();
        Files.deleteIfExists(json);   // first: without it the parts are never read
        Files.deleteIfExists(data);
        Files.deleteIfExists(names);
    }

    @Override
    public void close() throws IOException {
        try {
            dataCh.close();
        } finally {
            namesCh.close();
        }
    }

    private static long write(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        long n = b.remaining();
        while (b.hasRemaining()) {
            ch.write(b, pos + (n - b.remaining()));
        }
        return n;
    }

    /**
     * A file's identity for reuse: its name in the output (the path under the input folder; URL-encoded: one line
     * whatever it holds), size, modification time.
     */
    private static String key(String name, Path file) throws IOException {
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                java.nio.file.attribute.BasicFileAttributes.class);   // one stat for both
        return URLEncoder.encode(name, StandardCharsets.UTF_8) + "\t" + a.size() + "\t"
                + a.lastModifiedTime().toMillis();
    }
}
