package dev.mtdtl.cli;

import dev.mtdtl.dsp.AudioDecodeException;
import dev.mtdtl.dsp.AudioFiles;
import dev.mtdtl.dsp.Features;
import dev.mtdtl.dsp.MelConfig;
import dev.mtdtl.dsp.MelFilterbank;
import dev.mtdtl.dsp.Stft;
import dev.mtdtl.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl mel} and {@code mtdtl mfcc}: the paper's audio front end on one file, or on every audio
 * file of a folder (files that cannot be decoded are skipped and listed; the others are written).
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

    static int run(Common o, PerFile f) throws IOException {
        MelConfig cfg = o.config();
        if (!Files.isDirectory(o.in)) {
            try {
                System.out.println(f.apply(o.in, o.out, cfg));
                return 0;
            } catch (AudioDecodeException e) {
                System.err.println("mtdtl: " + e.getMessage());
                return 1;
            }
        }
        List<Path> files = AudioFiles.under(o.in, java.util.Comparator.naturalOrder());
        int failed = 0;
        for (Path p : files) {
            Path rel = o.in.relativize(p);
            Path dst = o.out.resolve(rel.toString().replaceAll("\\.[^./]+$", "") + ".npy");
            try {
                f.apply(p, dst, cfg);
            } catch (AudioDecodeException e) {
                failed++;
                System.err.println("skipped " + p + ": " + e.reason());
            }
        }
        System.out.printf("%d files written to %s, %d skipped%n", files.size() - failed, o.out, failed);
        return failed > 0 ? 1 : 0;
    }

    @Command(name = "mel", mixinStandardHelpOptions = true,
            description = {"Stereo dB-mel spectrogram of audio, the paper's front end: 22,050 Hz, STFT 1024/256 "
                    + "periodic Hann, power, 128 Slaney mel bands 0-11,025 Hz, 10 log10, top_db 80 over the file.",
                    "Writes float32 .npy of shape (2, frames, 128); mono is duplicated."})
    static final class Mel extends Common implements Callable<Integer> {
        @Override
        public Integer call() throws IOException {
            return run(this, (in, out, cfg) -> {
                Features.Mel m = Features.melToNpy(in, out, cfg);
                return String.format(Locale.ROOT, "%s: (%d, %d, %d) -> %s", in, m.channels(), m.frames(), m.mels(), out);
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
            return run(this, (in, out, cfg) -> {
                float[] f = Features.mfccToNpy(in, out, cfg);
                return String.format(Locale.ROOT, "%s: (%d,) -> %s", in, f.length, out);
            });
        }
    }
}
