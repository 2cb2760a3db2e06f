package dev.mtdtl.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One tiny pipeline (synth 30 x 1 s, prepare, train 2 iterations, MFCC features of genre) built once per
 * test JVM and shared by the reliability tests, which copy what they damage. Removed when the JVM exits.
 */
final class TinyPipeline {

    final Path root;
    final Path corpus;
    final Path prepared;
    final Path run;
    final Path mfccFeatures;

    private static TinyPipeline instance;

    private TinyPipeline(Path root) {
        this.root = root;
        corpus = root.resolve("corpus");
        prepared = root.resolve("prepared");
        run = root.resolve("run");
        mfccFeatures = root.resolve("f-mfcc");
    }

    Path genre() {
        return prepared.resolve("targets/genre");
    }

    static synchronized TinyPipeline get() throws IOException {
        if (instance == null) {
            Path root = Files.createTempDirectory("mtdtl-tiny-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
            TinyPipeline t = new TinyPipeline(root);
            assertEquals(0, FuzzCommandsTest.quiet("synth", "--out", t.corpus.toString(), "--tracks", "30", "--seconds",
                    "1", "--target-scale", "0.125", "--emotion-clips", "20", "--recsys-users", "20",
                    "--no-installed-soundbanks").rc());
            assertEquals(0, FuzzCommandsTest.quiet("prepare", "--corpus", t.corpus.toString(), "--out",
                    t.prepared.toString(), "--topics", "4", "--iterations", "5").rc());
            assertEquals(0, FuzzCommandsTest.quiet("train", "--data", t.prepared.toString(), "--out", t.run.toString(),
                    "--strategy", "mscr2", "--sources", "bpm,tag", "--iterations", "2", "--batch", "4", "--valid-every",
                    "0", "--threads", "2").rc());
            assertEquals(0, FuzzCommandsTest.quiet("extract", "--baseline", "mfcc", "--dataset", t.genre().toString(),
                    "--out", t.mfccFeatures.toString()).rc());
            instance = t;
        }
        return instance;
    }

    static void delete(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort at JVM exit
        }
    }
}
