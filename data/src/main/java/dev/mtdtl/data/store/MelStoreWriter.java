package dev.mtdtl.data.store;

import dev.mtdtl.data.DiskSpace;
import dev.mtdtl.dsp.AudioDamage;
import dev.mtdtl.dsp.AudioDecodeException;
import dev.mtdtl.dsp.Features;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Checksums;
import dev.mtdtl.tensor.io.Half;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.JsonFields;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.zip.CRC32;

/**
 * Builds one mel store (format in {@link MelStore}): decodes every track's audio, computes its whole-file
 * stereo dB-mel (C=2, T, M=128) with {@link Features#dbMel} and appends it to {@code NAME.mel}, one
 * track after the other, with an index row per track.
 *
 * <p>Streaming and bounded memory: tracks are processed in batches of {@code 2 x threads} (mels computed
 * in parallel with {@link Parallel#forEach}, then appended in track order, so the bytes do not depend on
 * the thread count); only one batch of audio and mels is ever in memory.
 *
 * <p>Resuming: the data and index go to {@code NAME.mel.part} / {@code NAME.index.part}; at a checkpoint
 * both are forced to disk and {@code NAME.progress.json} (tracks done, byte lengths of both parts and their
 * CRC-32s, the failures so far) is replaced atomically. A checkpoint follows the first batch that ends at least
 * {@value #CHECKPOINT_NANOS} ns after the last one, and the last batch: a kill loses about a second of work,
 * where a checkpoint after every batch cost three fsyncs per 4 tracks (0.9 ms each on a local disk here, far
 * more on a network file system). A killed run leaves parts longer than the progress file says; the next run
 * truncates them to the recorded lengths and goes on from there, if those bytes still match their CRC-32s (else it
 * builds the store again, with a log line: the CRC in the finished header is of the parts as they are, so a
 * damaged prefix would otherwise be sealed as valid). When
 * all tracks are done the parts are renamed to {@code NAME.mel} / {@code NAME.index.tsv} and the header
 * {@code NAME.json} (with the CRC-32 of both files) is written last: its presence means the store is
 * complete, and a later run verifies it and skips it.
 *
 * <p>Disk space: after this run's first batch and at every checkpoint the bytes the rest of the store will take are
 * projected from the average track so far and compared with the space left on the folder's file system
 * ({@link #shortOfSpace}); a store that will not fit stops there, after a checkpoint, with the figures, instead of
 * failing at the write that finds the disk full (the paper's 46,490 previews take about 123 GB in float32, 35 minutes
 * of work on 2 cores). Free space and run again: it resumes.
 *
 * <p>Unreadable audio ({@link AudioDecodeException}) is skipped and listed (track, file, reason) in the
 * header; audio decoded from a damaged file (frames or pages its decoder left out, {@link AudioDamage}) is stored and
 * listed (track, file, damage) under "damaged"; any other I/O error stops the build (it is not the file's fault). A
 * store none of whose tracks decoded is not sealed: the build stops with the commonest reason ({@link #noneDecoded}),
 * and a finished store of that kind from an older engine is built again.
 *
 * <p>Omitted: sharding a store over several files (one file per split; mapped in segments by the reader).
 */
public final class MelStoreWriter {

    /** One track to store: its id and audio file. */
    public record Track(String id, Path audio) {}

    /** A track whose audio could not be decoded. */
    public record Failure(String track, String file, String reason) {}

    /**
     * A track stored from a damaged file: what its decoder left out ({@link AudioDamage.Note#text}, e.g. "1 damaged MP3
     * frame dropped (frame 301, about 7.8 s in)").
     */
    public record Damaged(String track, String file, String damage) {}

    /**
     * Outcome: tracks stored, computed in this run, skipped as unreadable (all runs), stored from damaged files (all
     * runs).
     */
    public record Result(int stored, int computed, List<Failure> failures, List<Damaged> damaged,
                         boolean alreadyComplete) {}

    /** Thrown by the test hook {@code stopAfter} to simulate a killed run after a checkpoint. */
    public static final class Stopped extends RuntimeException {
        public Stopped(String m) {
            super(m);
        }
    }

    private MelStoreWriter() {}

    /** Least time between checkpoints (forced parts and a new progress file). */
    static final long CHECKPOINT_NANOS = 1_000_000_000L;

    /** What the space check reads: {@link DiskSpace#usable}, replaced by tests (no real disk is small enough everywhere). */
    static ToLongFunction<Path> usableSpace = DiskSpace::usable;

    /**
     * The message that stops a store that will not fit, or null: {@code left} tracks at the average of the
     * {@code tracksSoFar} computed in this run ({@code bytesSoFar} written, unreadable tracks counted with none)
     * against {@code usable} bytes. A file system that reports 0 usable bytes is taken as one that cannot tell (some
     * network and FUSE mounts do); a disk that is really full then fails at the next write, naming the file.
     */
    static String shortOfSpace(Path data, MelStore.DType dtype, long bytesSoFar, int tracksSoFar, int left, int done,
                               long usable) {
        if (tracksSoFar < 1 || left < 1 || usable <= 0) {
            return null;
        }
        double perTrack = (double) bytesSoFar / tracksSoFar;
        double need = perTrack * left;
        if (need <= usable) {
            return null;
        }
        return String.format(Locale.ROOT, "%s: the store needs about %s more (%d tracks left at %.2f MB each, the "
                        + "average of the %d computed so far) and its file system has %s free; free space%s and "
                        + "run the same command again: it goes on after track %d", data, DiskSpace.gb(need), left,
                perTrack / 1e6, tracksSoFar, DiskSpace.gb(usable), dtype == MelStore.DType.F32
                        ? " (or prepare into a new folder with --dtype float16: half the bytes)" : "", done);
    }

    /** A track's mel, encoded in the store's dtype by the thread that computed it. */
    private record Encoded(byte[] bytes, int frames, long elems, int channels, int mels,
                           List<AudioDamage.Note> damage) {}

    /**
     * Build (or finish) the store {@code dir/name}. {@code stopAfter} &gt;= 0 stops with {@link Stopped}
     * after the first checkpoint that covers at least that many tracks in this run (tests); -1 never.
     */
    public static Result build(Path dir, String name, List<Track> tracks, MelConfig cfg, MelStore.DType dtype,
                               Consumer<String> log, int stopAfter) throws IOException {
        if (tracks.size() > 1) {
            dev.mtdtl.tensor.ColdStart.endForBatch();   // a corpus pays the vector warm-up once either way
        }
        Files.createDirectories(dir);
        Path header = dir.resolve(name + MelStore.HEADER_SUFFIX);
        if (Files.isRegularFile(header)) {
            // A finished store is verified (CRCs, index) before a resumed prepare builds on it.
            MelStore.open(dir, name).close();
            Map<String, Object> h = JsonFields.read(header);
            int stored = JsonFields.integer(h, "tracks", 0, Integer.MAX_VALUE, header);
            List<Failure> failed = failuresOf(h.get("failures"), header);
            if (stored > 0 || failed.isEmpty()) {
                return new Result(stored, 0, failed, damagedOf(h.get("damaged"), header), true);
            }
            // Sealed by an engine that let a store of nothing but unreadable tracks through (before 2026-12-07; the
            // jar of that time decoded no MP3 at all): nothing in it is worth keeping, and kept it would never
            // retry its tracks.
            log.accept(name + ": the finished store in " + dir + " holds none of its " + failed.size()
                    + " tracks (every one unreadable when it was built); building it again");
            for (String suffix : new String[]{MelStore.HEADER_SUFFIX, MelStore.DATA_SUFFIX, MelStore.INDEX_SUFFIX}) {
                Files.deleteIfExists(dir.resolve(name + suffix));
            }
        }
        Path dataPart = dir.resolve(name + MelStore.DATA_SUFFIX + ".part");
        Path indexPart = dir.resolve(name + ".index.part");
        Path progress = dir.resolve(name + ".progress.json");
        int done = 0;
        long dataBytes = 0;
        long indexBytes = 0;
        List<Failure> failures = new ArrayList<>();
        List<Damaged> damaged = new ArrayList<>();
        CRC32 dataCrc = new CRC32();    // of the data part's first dataBytes bytes, kept as bytes are appended
        CRC32 indexCrc = new CRC32();   // of the index part's first indexBytes bytes
        if (Files.isRegularFile(progress)) {
            Map<String, Object> p;
            try {
                p = JsonFields.read(progress);
                if (!name.equals(p.get("name")) || !Long.valueOf(tracks.size()).equals(p.get("total"))
                        || !dtype.label.equals(p.get("dtype"))) {
                    throw new IOException(progress + ": an unfinished build of other settings (" + p.get("total")
                            + " tracks, " + p.get("dtype") + "); delete the folder or use the same settings");
                }
                done = JsonFields.integer(p, "done", 0, tracks.size(), progress);
                // The parts must hold at least what the progress file recorded (they are forced first).
                dataBytes = JsonFields.lng(p, "data_bytes", 0, Files.exists(dataPart) ? Files.size(dataPart) : 0, progress);
                indexBytes = JsonFields.lng(p, "index_bytes", 0, Files.exists(indexPart) ? Files.size(indexPart) : 0,
                        progress);
                if (dataBytes % dtype.bytes != 0) {
                    throw new IllegalArgumentException(progress + ": field data_bytes " + dataBytes
                            + " is not a whole number of " + dtype.label + " values");
                }
                failures.addAll(failuresOf(p.get("failures"), progress));
                damaged.addAll(damagedOf(p.get("damaged"), progress));
                Checksums.updatePrefix(dataCrc, dataPart, dataBytes);
                Checksums.updatePrefix(indexCrc, indexPart, indexBytes);
                boolean crcs = p.containsKey("data_crc32") && p.containsKey("index_crc32")
                        && dataCrc.getValue() == JsonFields.lng(p, "data_crc32", 0, 0xffff_ffffL, progress)
                        && indexCrc.getValue() == JsonFields.lng(p, "index_crc32", 0, 0xffff_ffffL, progress);
                boolean lists = p.containsKey("lists_crc32") && listsCrc(failures, damaged)
                        == JsonFields.lng(p, "lists_crc32", 0, 0xffff_ffffL, progress);
                String disagree = !crcs ? null
                        : !lists ? "its lists of failures and damaged tracks fail their CRC-32, or have none"
                        : indexBytes == 0 ? null : PartCheck.mismatch(indexPart, indexBytes, tracks,
                        done, failures, damaged, dataBytes / dtype.bytes, (long) MelStore.CHANNELS * cfg.nMels());
                if (!crcs || disagree != null) {
                    log.accept(name + ": " + dataPart.getFileName() + " or " + indexPart.getFileName()
                            + (crcs ? " does not agree with " + progress + " (" + disagree + "; damaged)"
                            : " does not match the checksums in " + progress + " (damaged, or an older engine's)")
                            + "; building the store again");
                    done = 0;
                    dataBytes = 0;
                    indexBytes = 0;
                    failures.clear();
                    damaged.clear();
                    dataCrc.reset();
                    indexCrc.reset();
                }
            } catch (IllegalArgumentException e) {
                throw new IOException(progress + ": damaged progress file (" + e.getMessage() + "); delete "
                        + name + ".* in " + dir + " to rebuild this store", e);
            }
            if (done > 0) {
                log.accept(String.format(Locale.ROOT, "%s: resuming after %d/%d tracks", name, done, tracks.size()));
            }
        } else {
            dataBytes = 0;
            indexBytes = 0;
        }
        int batch = Math.max(4, 2 * Parallel.threads());
        int computed = 0;
        long startBytes = dataBytes;   // this run's bytes and tracks give the average a track takes
        long t0 = System.nanoTime();
        long lastCheckpoint = t0;
        int nextLog = done + Math.max(1, tracks.size() / 10);
        try (FileChannel data = FileChannel.open(dataPart, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileChannel index = FileChannel.open(indexPart, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            // Drop whatever a killed run wrote after its last checkpoint.
            data.truncate(dataBytes);
            index.truncate(indexBytes);
            if (indexBytes == 0) {
                byte[] head = "track_id\toffset\tframes\n".getBytes(StandardCharsets.UTF_8);
                indexCrc.update(head);
                indexBytes += writeAt(index, 0, head);
            }
            long offsetElems = dataBytes / dtype.bytes;
            while (done < tracks.size()) {
                int n = Math.min(batch, tracks.size() - done);
                Object[] slot = new Object[n];   // Encoded or Failure
                final int base = done;
                Parallel.forEach(n, (c, from, to) -> {
                    Track t = tracks.get(base + from);
                    // the decoder's notes of a damaged file, from this thread (a file decodes on the thread that asks)
                    try (AudioDamage.Watch watch = AudioDamage.watch()) {
                        Features.Mel m = Features.dbMel(t.audio(), cfg);
                        if (m.frames() < 1) {
                            slot[from] = new Failure(t.id(), t.audio().toString(), "no audio frames");
                        } else {   // encoded here, in parallel: the half-float conversion was serial
                            slot[from] = new Encoded(encode(m.data(), dtype), m.frames(), m.data().length,
                                    m.channels(), m.mels(), watch.notes());
                        }
                    } catch (AudioDecodeException e) {
                        slot[from] = new Failure(t.id(), t.audio().toString(), e.reason());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(t.audio() + ": " + e.getMessage(), e);
                    }
                });
                StringBuilder rows = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    if (slot[i] instanceof Failure f) {
                        failures.add(f);
                        log.accept(name + ": skipped " + f.track() + " (" + f.file() + "): " + f.reason());
                        continue;
                    }
                    Encoded m = (Encoded) slot[i];
                    for (AudioDamage.Note note : m.damage()) {
                        damaged.add(new Damaged(tracks.get(base + i).id(), tracks.get(base + i).audio().toString(),
                                note.text()));
                    }
                    if (m.channels() != MelStore.CHANNELS || m.mels() != cfg.nMels()) {
                        throw new IOException(tracks.get(base + i).audio() + ": mel of shape " + m.channels() + "x"
                                + m.mels() + ", store holds " + MelStore.CHANNELS + "x" + cfg.nMels());
                    }
                    try {
                        dataCrc.update(m.bytes());
                        dataBytes += writeAt(data, dataBytes, m.bytes());
                    } catch (IOException e) {
                        throw new IOException(dataPart + ": cannot write: " + e.getMessage(), e);
                    }
                    rows.append(tracks.get(base + i).id()).append('\t').append(offsetElems).append('\t')
                            .append(m.frames()).append('\n');
                    offsetElems += m.elems();
                    slot[i] = null;
                }
                try {
                    byte[] rb = rows.toString().getBytes(StandardCharsets.UTF_8);
                    indexCrc.update(rb);
                    indexBytes += writeAt(index, indexBytes, rb);
                } catch (IOException e) {
                    throw new IOException(dataPart + ": cannot write: " + e.getMessage(), e);
                }
                done += n;
                computed += n;
                boolean stop = stopAfter >= 0 && computed >= stopAfter && done < tracks.size();
                long now = System.nanoTime();
                boolean checkpoint = now - lastCheckpoint >= CHECKPOINT_NANOS || done == tracks.size() || stop;
                String shortage = computed == n || checkpoint
                        ? shortOfSpace(dataPart, dtype, dataBytes - startBytes, computed, tracks.size() - done, done,
                                usableSpace.applyAsLong(dir))
                        : null;
                if (checkpoint || shortage != null) {   // a store that stops for space resumes from here
                    try {
                        data.force(false);
                        index.force(false);
                    } catch (IOException e) {
                        throw new IOException(dataPart + ": cannot write: " + e.getMessage(), e);
                    }
                    writeProgress(progress, name, tracks.size(), done, dataBytes, indexBytes, dataCrc.getValue(),
                            indexCrc.getValue(), dtype, failures, damaged);
                    lastCheckpoint = now;
                }
                if (done >= nextLog || done == tracks.size()) {   // about every tenth of the tracks
                    nextLog = done + Math.max(1, tracks.size() / 10);
                    double el = (now - t0) / 1e9;
                    log.accept(String.format(Locale.ROOT, "%s: %d/%d tracks (%.2f tracks/s)", name, done,
                            tracks.size(), computed / Math.max(1e-9, el)));
                }
                if (shortage != null) {
                    throw new IOException(shortage);
                }
                if (stop) {
                    throw new Stopped(name + ": stopped after " + done + " tracks (test hook)");
                }
            }
        }
        if (!tracks.isEmpty() && failures.size() == tracks.size()) {
            // Nothing decoded: a wrong folder, a format no decoder here reads, a broken installation. Sealed, the
            // store would pass as finished and empty (training and evaluation then fail far from the cause, and a
            // rerun would keep it); so it is left unbuilt and the run stops with the commonest reason.
            Files.deleteIfExists(dataPart);
            Files.deleteIfExists(indexPart);
            Files.deleteIfExists(progress);
            throw new IOException(noneDecoded(name, failures));
        }
        Map<String, Object> crc = new LinkedHashMap<>();
        crc.put("data", dataCrc.getValue());     // the parts hold exactly the bytes the CRCs saw: no second read
        crc.put("index", indexCrc.getValue());
        move(dataPart, dir.resolve(name + MelStore.DATA_SUFFIX));
        move(indexPart, dir.resolve(name + MelStore.INDEX_SUFFIX));
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("format", MelStore.FORMAT);
        h.put("version", MelStore.VERSION);
        h.put("name", name);
        h.put("dtype", dtype.label);
        h.put("channels", MelStore.CHANNELS);
        h.put("mels", cfg.nMels());
        h.put("tracks", tracks.size() - failures.size());
        h.put("elements", dataBytes / dtype.bytes);
        h.put("data", name + MelStore.DATA_SUFFIX);
        h.put("index", name + MelStore.INDEX_SUFFIX);
        h.put("layout", "per track (C, T, M) row-major at offset (elements), little-endian");
        h.put("mel_config", cfg.toString());
        h.put("failures", failuresJson(failures));
        h.put("damaged", damagedJson(damaged));
        h.put("crc32", crc);
        AtomicFiles.writeString(header, Json.write(h, 2) + "\n");
        Files.deleteIfExists(progress);
        return new Result(tracks.size() - failures.size(), computed, failures, damaged, false);
    }

    /**
     * The message of a store none of whose tracks decoded: counts, the commonest reason and one file it names. Reasons
     * are counted by their words, not their numbers (a decoder names the frame or byte at fault, which differs from
     * file to file); the one quoted is that file's own.
     */
    static String noneDecoded(String name, List<Failure> failures) {
        Map<String, Integer> by = new LinkedHashMap<>();
        for (Failure f : failures) {
            by.merge(kind(f.reason()), 1, Integer::sum);
        }
        String common = null;
        for (Map.Entry<String, Integer> e : by.entrySet()) {
            if (common == null || e.getValue() > by.get(common)) {
                common = e.getKey();
            }
        }
        String reason = null;
        String file = null;
        for (Failure f : failures) {
            if (kind(f.reason()).equals(common)) {
                reason = f.reason();
                file = f.file();
                break;
            }
        }
        return String.format(Locale.ROOT, "%s: none of its %d tracks could be decoded; %s%s (e.g. %s). Nothing was "
                        + "stored: fix the audio files (or their format) and run again", name, failures.size(),
                by.size() == 1 ? "every one: " : by.get(common) + " of them: ", reason, file);
    }

    /** A failure's reason with its numbers blanked, what noneDecoded counts by. */
    private static String kind(String reason) {
        return reason.replaceAll("[0-9][0-9,.]*", "#");
    }

    private static byte[] encode(float[] x, MelStore.DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(x.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == MelStore.DType.F32) {
            b.asFloatBuffer().put(x);
        } else {
            for (float v : x) {
                b.putShort(Half.fromFloat(v));
            }
        }
        return b.array();
    }

    private static long writeAt(FileChannel ch, long pos, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long p = pos;
        while (b.hasRemaining()) {
            p += ch.write(b, p);
        }
        return bytes.length;
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeProgress(Path file, String name, int total, int done, long dataBytes, long indexBytes,
                                      long dataCrc, long indexCrc, MelStore.DType dtype, List<Failure> failures,
                                      List<Damaged> damaged) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", name);
        p.put("total", total);
        p.put("dtype", dtype.label);
        p.put("done", done);
        p.put("data_bytes", dataBytes);
        p.put("index_bytes", indexBytes);
        p.put("data_crc32", dataCrc);
        p.put("index_crc32", indexCrc);
        p.put("failures", failuresJson(failures));
        p.put("damaged", damagedJson(damaged));
        p.put("lists_crc32", listsCrc(failures, damaged));
        AtomicFiles.writeString(file, Json.write(p, 1) + "\n");
    }

    /**
     * The CRC-32 of a progress file's lists (their JSON text): the failures and the damaged tracks' notes go into the
     * sealed header as they are, and a damaged word of a note has no other check (the fuzzing suite's store category
     * sealed "2147483647 damaged FLAC frames" where the decoder had said 1).
     */
    static long listsCrc(List<Failure> failures, List<Damaged> damaged) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update((Json.write(failuresJson(failures), 0) + "\n" + Json.write(damagedJson(damaged), 0))
                .getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }

    /** Failures as JSON objects {track, file, reason} (a store's header, a progress file, prepare's report). */
    public static List<Object> failuresJson(List<Failure> failures) {
        return entriesJson(failures, "reason", f -> new String[]{f.track(), f.file(), f.reason()});
    }

    /** The "failures" list of a progress file or header; absent is none. */
    static List<Failure> failuresOf(Object o, Path file) {
        return entriesOf(o, file, "failures", "reason", Failure::new);
    }

    /** Damaged tracks as JSON objects {track, file, damage} (a store's header, a progress file, prepare's report). */
    public static List<Object> damagedJson(List<Damaged> damaged) {
        return entriesJson(damaged, "damage", d -> new String[]{d.track(), d.file(), d.damage()});
    }

    /** The "damaged" list of a progress file or header; absent (an older engine's) is none. */
    static List<Damaged> damagedOf(Object o, Path file) {
        return entriesOf(o, file, "damaged", "damage", Damaged::new);
    }

    /** An entry of those lists from its three strings: track, file and the third ("reason" or "damage"). */
    private interface Entry<T> {
        T of(String track, String file, String third);
    }

    /** Entries as JSON objects {track, file, THIRD}, in order. */
    private static <T> List<Object> entriesJson(List<T> entries, String third,
                                                java.util.function.Function<T, String[]> parts) {
        List<Object> l = new ArrayList<>();
        for (T e : entries) {
            String[] v = parts.apply(e);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("track", v[0]);
            m.put("file", v[1]);
            m.put(third, v[2]);
            l.add(m);
        }
        return l;
    }

    /** The list {@code field} of {@code file} back into entries: an array of {track, file, THIRD}, or absent. */
    private static <T> List<T> entriesOf(Object o, Path file, String field, String third, Entry<T> entry) {
        List<T> l = new ArrayList<>();
        if (o instanceof List<?> list) {
            for (Object e : list) {
                if (!(e instanceof Map<?, ?> m) || !(m.get("track") instanceof String t)
                        || !(m.get("file") instanceof String f) || !(m.get(third) instanceof String r)) {
                    throw new IllegalArgumentException(file + ": field " + field + ": an entry is not {track, file, "
                            + third + "}");
                }
                l.add(entry.of(t, f, r));
            }
        } else if (o != null) {
            throw new IllegalArgumentException(file + ": field " + field + " is not an array");
        }
        return l;
    }
}
