package dev.mtdtl.embed;

import dev.mtdtl.dsp.AudioFiles;
import dev.mtdtl.tensor.io.Npy;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Entry point of the standalone jar ({@code java -jar mtdtl-embed.jar --model M --in FILE|DIR --out V.npy}) and
 * the body of {@code mtdtl embed}: embed one audio file or every audio file under a folder (sorted by path) into
 * an (N, D) float32 .npy, with the files' paths under the folder, in row order, in {@code V.npy.tracks.txt}. A file
 * that cannot be decoded is skipped with a line saying why and listed in {@code V.npy.skipped.txt} (exit status 1);
 * files embedded from damaged audio (an MP3 frame dropped, a FLAC frame silenced, an Ogg page skipped: {@link
 * dev.mtdtl.dsp.AudioDamage}) are listed in {@code V.npy.damaged.txt}; a line each: the name, a tab, why or what the
 * decoder left out. Every file is written atomically at the end, and the vectors of the files finished are kept
 * beside them until a run has embedded every file ({@link EmbedProgress}): the same command resumes a killed run, or
 * embeds only the files mended since a run that skipped them (whose lists then speak of the earlier run's files too).
 */
public final class EmbedMain {

    private EmbedMain() {}

    public static void main(String[] args) {
        String jit = dev.mtdtl.tensor.JitFlags.trapLimitWarning();
        if (jit != null) {
            System.err.println("mtdtl-embed: " + jit);
        }
        try {
            System.exit(run(args, System.out));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("mtdtl-embed: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Parse {@code --model M --in P --out V}; returns the exit status. */
    static int run(String[] args, PrintStream log) throws IOException {
        Path model = null, in = null, out = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                log.println("usage: java --add-modules=jdk.incubator.vector " + dev.mtdtl.tensor.JitFlags.OPTION
                        + " -jar mtdtl-embed.jar --model model.mtdtl --in FILE|DIR --out vectors.npy");
                return 0;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            Path v = Path.of(args[++i]);
            switch (a) {
                case "--model" -> model = v;
                case "--in" -> in = v;
                case "--out" -> out = v;
                default -> throw new IllegalArgumentException("unknown option " + a + " (use --model, --in, --out)");
            }
        }
        if (model == null || in == null || out == null) {
            throw new IllegalArgumentException("--model, --in and --out are required");
        }
        return embedAll(Embedder.load(model), in, out, log) > 0 ? 1 : 0;
    }

    /**
     * The audio files under {@code in} (itself when a file), in its subfolders too (a music library is nested:
     * artist/album/track), hidden ones left out ({@link AudioFiles}), sorted by path.
     */
    public static List<Path> inputs(Path in) throws IOException {
        if (Files.isRegularFile(in)) {
            return List.of(in);
        }
        if (!Files.isDirectory(in)) {
            throw new IOException(in + ": no such file or folder");
        }
        List<Path> files = AudioFiles.under(in, java.util.Comparator.naturalOrder());
        if (files.isEmpty()) {
            throw new IOException(in + ": no audio files (." + String.join(", .", AudioFiles.EXTENSIONS)
                    + ", in it or its subfolders)" + AudioFiles.notDecoded(in));
        }
        return files;
    }

    /** The list of the output's files that had damaged audio: {@code OUT.damaged.txt}, beside OUT.tracks.txt. */
    static Path damagedList(Path out) {
        return out.resolveSibling(out.getFileName() + ".damaged.txt");
    }

    /** The list of the files a run skipped (not decodable), a tab and why: {@code OUT.skipped.txt}. */
    static Path skippedList(Path out) {
        return out.resolveSibling(out.getFileName() + ".skipped.txt");
    }

    /** A file's name in the output: its path under the input folder, with '/' between folders; or its file name. */
    static String name(Path in, Path file) {
        if (file.equals(in)) {
            return file.getFileName().toString();
        }
        return in.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    /**
     * Embed every input into {@code out} (.npy, (N, D)) and {@code out}.tracks.txt (the embedded files' names, in row
     * order); prints progress about every 10 s and the rate. A file that cannot be decoded is skipped with a line
     * saying why and listed in {@link #skippedList} (the others are embedded; all of them failing is an error); files
     * embedded from damaged audio are listed in {@link #damagedList}. Resumable ({@link EmbedProgress}): a run stopped
     * by a kill leaves its finished files' vectors beside {@code out}, and the same command goes on from there; a run
     * that skipped files keeps them there too, so that the same command, once those files are mended, embeds only
     * them. Returns the number of files skipped.
     */
    public static int embedAll(Embedder e, Path in, Path out, PrintStream log) throws IOException {
        List<Path> files = inputs(in);
        try (dev.mtdtl.tensor.io.OutputLock lock = dev.mtdtl.tensor.io.OutputLock.resumeFile(out,   // one writer
                out.resolveSibling(out.getFileName() + ".tracks.txt"), damagedList(out), skippedList(out))) {
            return embedAll(e, in, files, out, log);
        }
    }

    private static int embedAll(Embedder e, Path in, List<Path> files, Path out, PrintStream log) throws IOException {
        int d = e.dims();
        int damaged = 0;   // files of the output with damaged audio, this run's and an earlier one's
        long t0 = System.nanoTime();
        // todo's index -> the decoder's notes on that file ("; "-joined; printed as they came), until its row is added
        java.util.Map<Integer, String> notes = new java.util.concurrent.ConcurrentHashMap<>();
        int[] damagedNow = {0};
        java.util.Map<Integer, dev.mtdtl.dsp.AudioDecodeException> unread = new java.util.TreeMap<>();   // files' index
        int embedded;
        try (EmbedProgress part = EmbedProgress.open(out, e.modelSha256(), d, log)) {
            int[] row = new int[files.size()];           // each file's row in the part; -1: skipped
            List<Path> todo = new ArrayList<>();
            List<Integer> at = new ArrayList<>();        // todo's index in files
            for (int i = 0; i < files.size(); i++) {
                row[i] = part.rowOf(name(in, files.get(i)), files.get(i));
                if (row[i] < 0) {
                    todo.add(files.get(i));
                    at.add(i);
                }
            }
            if (todo.size() < files.size()) {
                log.printf(Locale.ROOT, "%s: resuming: %d of %d files embedded by an earlier run%n", out,
                        files.size() - todo.size(), files.size());
            }
            long[] lastLine = {t0};
            int[] done = {0};
            try {
                e.embedAll(todo, (j, r) -> {   // short files share network batches
                    try {
                        row[at.get(j)] = part.add(name(in, todo.get(j)), todo.get(j), r, notes.remove(j));
                    } catch (IOException ex) {
                        throw new java.io.UncheckedIOException(out + ".part: cannot write: " + ex.getMessage(), ex);
                    }
                    done[0]++;
                    long now = System.nanoTime();
                    if (now - lastLine[0] >= 10_000_000_000L && done[0] < todo.size()) {
                        lastLine[0] = now;
                        log.printf(Locale.ROOT, "%s: %d/%d files (%.2f files/s)%n", e.name(), done[0], todo.size(),
                                done[0] / ((now - t0) / 1e9));
                    }
                }, (j, note) -> {
                    if (notes.merge(j, note.text(), (a, b) -> a + "; " + b).equals(note.text())) {
                        damagedNow[0]++;
                    }
                }, (j, why) -> {
                    row[at.get(j)] = -1;
                    unread.put(at.get(j), why);
                    log.println("skipped " + todo.get(j) + ": " + why.reason());
                });
            } catch (IOException | RuntimeException ex) {
                keepOrDrop(part, ex);
                throw ex;
            }
            embedded = files.size() - unread.size();
            if (embedded == 0) {
                IOException none = files.size() == 1 ? unread.values().iterator().next() : new IOException(in
                        + ": none of the " + files.size() + " audio files could be decoded (the lines above say why)");
                keepOrDrop(part, none);
                throw none;
            }
            int[] rows = new int[embedded];
            StringBuilder names = new StringBuilder();
            StringBuilder hurtList = new StringBuilder();
            StringBuilder skipList = new StringBuilder();
            for (int i = 0, r = 0; i < files.size(); i++) {
                String name = name(in, files.get(i));
                if (row[i] < 0) {
                    skipList.append(name).append('\t').append(oneLine(unread.get(i).reason())).append('\n');
                    continue;
                }
                rows[r++] = row[i];
                names.append(name).append('\n');
                String damage = part.damageOf(row[i]);
                if (damage != null) {
                    damaged++;
                    hurtList.append(name).append('\t').append(oneLine(damage)).append('\n');
                }
            }
            Npy.writeFloatRows(out, embedded, d, os -> part.copyRows(rows, os));
            dev.mtdtl.tensor.io.AtomicFiles.writeString(out.resolveSibling(out.getFileName() + ".tracks.txt"),
                    names.toString());
            list(damagedList(out), hurtList);
            list(skippedList(out), skipList);
            if (unread.isEmpty()) {
                part.finish();
            } else {
                part.checkpoint();   // the vectors stay: mended files are all a rerun embeds
            }
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        String hurt = damaged == 0 ? "" : String.format(Locale.ROOT, "; %d of the files had damaged audio (%s lists %s "
                + "and what the decoder left out%s)", damaged, damagedList(out), damaged == 1 ? "it" : "them",
                damagedNow[0] == damaged ? "" : "; " + (damaged - damagedNow[0]) + " embedded by an earlier run");
        String skip = unread.isEmpty() ? "" : String.format(Locale.ROOT, "; %d skipped: %s lists %s and why (the "
                + "vectors stay in %s.part*: the same command embeds only the files mended since)", unread.size(),
                skippedList(out), unread.size() == 1 ? "it" : "them", out.getFileName());
        log.printf(Locale.ROOT, "%s: %d files x %d dims in %.2f s (%.2f files/s) -> %s%s%s%n", e.name(), embedded, d,
                sec, embedded / sec, out, hurt, skip);
        return unread.size();
    }

    /** After a failed run: what finished is kept for the next run, or, with nothing finished, no part files stay. */
    private static void keepOrDrop(EmbedProgress part, Exception ex) {
        try {
            if (part.rows() > 0) {
                part.checkpoint();
            } else {
                part.finish();
            }
        } catch (IOException c) {
            ex.addSuppressed(c);
        }
    }

    /** A list beside the output, written atomically; none (an earlier run's removed) when it would be empty. */
    private static void list(Path f, StringBuilder lines) throws IOException {
        if (lines.length() > 0) {
            dev.mtdtl.tensor.io.AtomicFiles.writeString(f, lines.toString());
        } else {
            Files.deleteIfExists(f);   // an earlier run's, into the same output, would speak of other files
        }
    }

    /** A reason or note on one line of a list (a tab or line break in it would break the list's columns). */
    private static String oneLine(String s) {
        return s.replaceAll("[\\t\\r\\n]+", " ");
    }
}
