package dev.mtdtl.cli;

import dev.mtdtl.dsp.AudioDecodeException;
import dev.mtdtl.dsp.AudioFiles;
import dev.mtdtl.dsp.Features;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.MelFilterbank;
import dev.mtdtl.dsp.Stft;
import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.OutputLock;
import dev.mtdtl.tensor.io.TextFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl mel} and {@code mtdtl mfcc}: the paper's audio front end on one file, or on every audio
 * file of a folder (files that cannot be decoded are skipped and listed; the others are written). A folder run
 * is resumable: it holds the output folder's lock, deletes what a killed run was writing, keeps the outputs
 * already written (unless their input changed since) and refuses to mix settings in one folder.
 */
final class AudioFeatureCommands {

    private AudioFeatureCommands() {}

    /** Options shared by both commands. */
    static class Common {
        @Option(names = "--in", required = true, paramLabel = "FILE|DIR",
                description = "audio file (WAV, FLAC, MP3, OGG), or a folder of them")
        Path in;

        @Option(names = "--out", required = true, paramLabel = "FILE.npy|DIR",
                description = "output .npy file, or a folder when --in is a folder")
        Path out;

        @Option(names = "--pad", defaultValue = "reflect", description = "STFT edge padding: reflect (paper) or constant")
        String pad;

        @Option(names = "--htk", description = "HTK mel scale instead of Slaney's")
        boolean htk;

        @Option(names = "--threads", description = "CPU threads (default: all cores, or MTDTL_THREADS)")
        Integer threads;

        MelConfig config() {
            if (threads != null) {
                Parallel.setThreads(threads);
            }
            MelConfig c = MelConfig.paper();
            c = switch (pad.toLowerCase(Locale.ROOT)) {
                case "reflect" -> c.withPadMode(Stft.PadMode.REFLECT);
                case "constant" -> c.withPadMode(Stft.PadMode.CONSTANT);
                default -> throw new IllegalArgumentException("--pad must be reflect or constant, got " + pad);
            };
            return htk ? c.withScale(MelFilterbank.Scale.HTK) : c;
        }
    }

    /** What one command does to one file. */
    interface PerFile {
        String apply(Path in, Path out, MelConfig cfg) throws IOException;
    }

    static int run(String command, Common o, PerFile f) throws IOException {
        MelConfig cfg = o.config();
        if (!Files.isDirectory(o.in)) {
            try (OutputLock lock = OutputLock.resumeFile(o.out)) {
                System.out.println(f.apply(o.in, o.out, cfg));
                return 0;
            } catch (AudioDecodeException e) {
                System.err.println("mtdtl: " + e.getMessage());
                return 1;
            }
        }
        if (Files.exists(o.out) && !Files.isDirectory(o.out)) {
            throw new IllegalArgumentException(o.out + ": --out must be a folder when --in is one (" + o.in + ")");
        }
        List<Path> files = AudioFiles.under(o.in, java.util.Comparator.naturalOrder());
        if (files.isEmpty()) {   // was "0 files written", status 0
            System.err.println("mtdtl " + command + ": " + o.in + ": no audio files (." + String.join(", .",
                    AudioFiles.EXTENSIONS) + ", in it or its subfolders)" + AudioFiles.notDecoded(o.in));
            return 1;
        }
        // Each input's output, its path under --in with .npy for the extension: x.wav beside x.mp3 would write one
        // file twice, the second silently replacing the first, so such a pair is refused before any work.
        Map<Path, Path> outOf = new LinkedHashMap<>();
        Map<Path, Path> inOf = new HashMap<>();
        for (Path p : files) {
            Path dst = o.out.resolve(o.in.relativize(p).toString().replaceAll("\\.[^./]+$", "") + ".npy");
            Path other = inOf.put(dst, p);
            if (other != null) {
                System.err.println("mtdtl " + command + ": " + other + " and " + p + " would both be written to " + dst
                        + "; convert one of them apart");
                return 1;
            }
            outOf.put(p, dst);
        }
        try (OutputLock lock = OutputLock.resumeFolder(o.out)) {
            checkSettings(command, o);
            int failed = 0;
            int kept = 0;
            int damaged = 0;   // files written from damaged audio (their notes printed by the decoders)
            StringBuilder skipList = new StringBuilder();   // SKIPPED: name under --in, tab, reason; folder order
            List<Path> todo = new java.util.ArrayList<>();
            for (Map.Entry<Path, Path> e : outOf.entrySet()) {
                Path p = e.getKey();
                Path dst = e.getValue();
                // resumable: an output is written atomically, so one that exists is whole; it is redone only when its
                // input changed after it was written
                if (Files.isRegularFile(dst)
                        && Files.getLastModifiedTime(dst).compareTo(Files.getLastModifiedTime(p)) >= 0) {
                    kept++;
                } else {
                    todo.add(p);
                }
            }
            // Compressed files a group at a time (DbMelStream.together), one a thread: their decoder runs on one core, so
            // one file at a time left the other idle most of the time; the kernels' loops inside a file run on its
            // thread alone (nested loops of the pool run serially), with the same bits. Reports in the files' order.
            if (todo.size() > 1) {
                dev.mtdtl.tensor.ColdStart.endForBatch();   // a batch pays the vector warm-up once (ColdStart)
            }
            for (int i0 = 0, n; i0 < todo.size(); i0 += n) {
                n = dev.mtdtl.dsp.DbMelStream.together(todo, i0);
                Exception[] error = new Exception[n];
                boolean[] hurt = new boolean[n];
                int from = i0;
                Parallel.forEach(n, (k, a, b) -> {
                    Path p = todo.get(from + k);
                    try (dev.mtdtl.dsp.AudioDamage.Watch w = dev.mtdtl.dsp.AudioDamage.watch()) {   // this thread's
                        f.apply(p, outOf.get(p), cfg);
                        hurt[k] = !w.notes().isEmpty();
                    } catch (IOException | RuntimeException x) {
                        error[k] = x;
                    }
                });
                for (int k = 0; k < n; k++) {
                    damaged += hurt[k] ? 1 : 0;
                    if (error[k] instanceof AudioDecodeException x) {
                        failed++;
                        System.err.println("skipped " + todo.get(i0 + k) + ": " + x.reason());
                        skipList.append(o.in.relativize(todo.get(i0 + k)).toString().replace(java.io.File.separatorChar,
                                '/')).append('\t').append(x.reason().replaceAll("[\\t\\r\\n]+", " ")).append('\n');
                    } else if (error[k] instanceof IOException x) {
                        throw x;   // the output's side: not the file's fault
                    } else if (error[k] != null) {
                        throw (RuntimeException) error[k];
                    }
                }
            }
            Path skipped = o.out.resolve(SKIPPED);
            if (failed > 0) {
                AtomicFiles.writeString(skipped, skipList.toString());
            } else {
                Files.deleteIfExists(skipped);   // an earlier run's: those files are written now
            }
            System.out.printf("%d files written to %s, %d kept from an earlier run, %d skipped%s%s%n",
                    files.size() - failed - kept, o.out, kept, failed, failed == 0 ? "" : " (" + skipped + " lists "
                            + (failed == 1 ? "it" : "them") + " and why; a rerun tries them again)",
                    damaged == 0 ? "" : "; " + damaged + " of those written had damaged audio (their lines above say "
                            + "what the decoder left out)");
            return failed > 0 ? 1 : 0;
        }
    }

    /**
     * The files of the last run over a folder that could not be decoded, in the output folder: a line each, the file's
     * path under --in, a tab, why. A rerun tries them again (they have no output) and rewrites the list, or removes it.
     */
    static final String SKIPPED = "skipped.txt";

    /** The settings a folder's outputs were made with ({@code .mtdtl-features.json} in it), so a rerun resumes them. */
    static final String SETTINGS = ".mtdtl-features.json";

    /**
     * Record the command and its settings in the output folder, or check them against those recorded: a rerun with
     * other settings would mix two kinds of files in one folder, so it is refused, naming both.
     */
    private static void checkSettings(String command, Common o) throws IOException {
        Map<String, Object> want = new LinkedHashMap<>();
        want.put("command", command);
        want.put("pad", o.pad.toLowerCase(Locale.ROOT));
        want.put("htk", o.htk);
        String text = Json.write(want, 2) + "\n";
        Path f = o.out.resolve(SETTINGS);
        if (Files.isRegularFile(f)) {
            String had = TextFiles.read(f);
            if (!had.equals(text)) {
                throw new IllegalArgumentException(o.out + " holds the outputs of other settings (" + f + ": "
                        + had.strip().replaceAll("\\s+", " ") + ", now " + text.strip().replaceAll("\\s+", " ")
                        + "); write elsewhere, or delete the folder");
            }
        } else {
            AtomicFiles.writeString(f, text);
        }
    }

    @Command(name = "mel", mixinStandardHelpOptions = true,
            description = {"Stereo dB-mel spectrogram of audio, the paper's front end: 22,050 Hz, STFT 1024/256 "
                    + "periodic Hann, power, 128 Slaney mel bands 0-11,025 Hz, 10 log10, top_db 80 over the file.",
                    "Writes float32 .npy of shape (2, frames, 128); mono is duplicated."})
    static final class Mel extends Common implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            return run("mel", this, (in, out, cfg) -> {
                int[] shape = Features.melToNpy(in, out, cfg);
                return String.format(Locale.ROOT, "%s: (%d, %d, %d) -> %s", in, shape[0], shape[1], shape[2], out);
            });
        }
    }

    @Command(name = "mfcc", mixinStandardHelpOptions = true,
            description = {"The paper's MFCC baseline: 20 MFCCs (orthonormal DCT-II) of the channel-averaged "
                    + "dB-mel, with frame-difference deltas and double deltas; mean and std of each.",
                    "Writes float32 .npy of shape (120,)."})
    static final class Mfcc extends Common implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            return run("mfcc", this, (in, out, cfg) -> {
                float[] f = Features.mfccToNpy(in, out, cfg);
                return String.format(Locale.ROOT, "%s: (%d,) -> %s", in, f.length, out);
            });
        }
    }
}
