package dev.mtdtl.cli;

import dev.mtdtl.data.synth.SynthConfig;
import dev.mtdtl.data.synth.SynthCorpus;
import dev.mtdtl.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code mtdtl synth}: writes the built-in synthetic corpus (learning corpus with its eight sources, six
 * target datasets, ground truth, manifest.json) into a folder; see docs/corpus.md. Re-running with the
 * same settings resumes (finished clips are skipped).
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write the built-in synthetic music corpus (audio, labels of the eight learning sources, "
                + "six target datasets, ground truth, manifest.json). Resumable: re-run the same command.")
final class SynthCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "corpus folder (created)")
    Path out;

    @Option(names = "--tracks", defaultValue = "600", description = "learning-corpus tracks (default ${DEFAULT-VALUE}); "
            + "target dataset sizes scale with it")
    int tracks;

    @Option(names = "--seconds", defaultValue = "10", description = "clip length in seconds (default ${DEFAULT-VALUE}; "
            + "the instrument task's clips are 3 s)")
    double seconds;

    @Option(names = "--seed", defaultValue = "1", description = "world seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--soundbank", paramLabel = "FILE.sf2",
            description = "General MIDI SF2 soundbank(s) to render with (repeatable); default: the installed ones "
                    + "(fluid-soundfont-gm, timgm6mb-soundfont), else the JDK's built-in bank")
    List<Path> soundbanks = List.of();

    @Option(names = "--no-installed-soundbanks", description = "ignore installed SF2 files (built-in bank only)")
    boolean noInstalled;

    @Option(names = "--threads", description = "CPU threads (default: all cores, or MTDTL_THREADS)")
    Integer threads;

    @Override
    public Integer call() {
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        try {
            SynthConfig cfg = SynthConfig.of(seed, tracks, seconds).withSoundbanks(soundbanks, !noInstalled);
            SynthCorpus.Report r = SynthCorpus.generate(cfg, out, s -> System.err.println("synth: " + s));
            if (r.rendered() == 0) {
                System.out.printf(Locale.ROOT, "%s: complete, all %d clips already there%n", out, r.clips());
                return 0;
            }
            System.out.printf(Locale.ROOT, "%s: %d clips (%d rendered, %d already there), %.1f s of audio in %.1f s "
                            + "on %d threads: %.2f clips/s, %.0fx realtime%n", out, r.clips(), r.rendered(), r.skipped(),
                    r.audioSeconds(), r.wallSeconds(), r.threads(), r.clipsPerSecond(),
                    r.audioSeconds() / Math.max(1e-9, r.wallSeconds()));
            return 0;
        } catch (IllegalArgumentException | IOException | UncheckedIOException e) {
            System.err.println("mtdtl synth: " + e.getMessage());
            return 1;
        }
    }
}
