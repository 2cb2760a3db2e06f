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
            + "the target datasets' sizes do not depend on it (see --target-scale)")
    int tracks;

    @Option(names = "--target-scale", defaultValue = "1", paramLabel = "F",
            description = "multiply the target datasets' default sizes (40 clips per class for genre, dance and "
                    + "instrument; 300 emotion clips; 300 recommendation tracks and 200 listeners) by F "
                    + "(default ${DEFAULT-VALUE})")
    double targetScale;

    @Option(names = "--genre-per-class", paramLabel = "N", description = "genre clips per class (overrides the scale)")
    Integer genrePerClass;

    @Option(names = "--dance-per-class", paramLabel = "N", description = "dance clips per class, at least 5 "
            + "(overrides the scale)")
    Integer dancePerClass;

    @Option(names = "--instrument-per-class", paramLabel = "N",
            description = "instrument clips per class (overrides the scale)")
    Integer instrumentPerClass;

    @Option(names = "--emotion-clips", paramLabel = "N", description = "emotion clips (overrides the scale)")
    Integer emotionClips;

    @Option(names = "--recsys-tracks", paramLabel = "N", description = "recommendation tracks (overrides the scale)")
    Integer recsysTracks;

    @Option(names = "--recsys-users", paramLabel = "N", description = "recommendation listeners (overrides the scale)")
    Integer recsysUsers;

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
            SynthConfig cfg = SynthConfig.of(seed, tracks, seconds, targetScale)
                    .withTargetSizes(genrePerClass, dancePerClass, instrumentPerClass, emotionClips, recsysTracks,
                            recsysUsers)
                    .withSoundbanks(soundbanks, !noInstalled);
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
