package dev.mtdtl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mtdtl.cli.FuzzCommandsTest.Outcome;
import dev.mtdtl.tensor.Parallel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile numbers in command-line options (a hunt of 2026-12-07 over every numeric option of train, prepare, synth,
 * extract, evaluate, report, profile and study design with 0, -1, 2^31 - 1, -2^31, NaN, Infinity, 1e308): each of
 * these ended as an internal error (a negative array size), an OutOfMemoryError's stack trace, a message that named
 * no option ("JSON cannot represent NaN"), or was accepted and ran a negative number of iterations; the quickstart's
 * options were checked only by the phase that used them, minutes in. Each must now stop at once with status 1 and a
 * message saying which value is wrong.
 */
class OptionLimitsTest {

    @TempDir
    Path tmp;

    @Test
    void hostileOptionValuesAreRefusedWithAMessage() throws IOException {
        TinyPipeline t = TinyPipeline.get();
        String data = t.prepared.toString();
        String genre = t.genre().toString();
        String features = t.mfccFeatures.toString();
        String[] train = {"train", "--data", data, "--out", tmp.resolve("run").toString(), "--strategy", "ssr",
            "--sources", "bpm", "--batch", "4", "--valid-every", "0"};
        List<Object[]> cases = List.of(
            new Object[] {with(train, "--threads", "2147483647"), "threads must be from 1 to 4096"},
            new Object[] {with(train, "--iterations", "-1"), "--iterations -1: the training length must be at least 1"},
            new Object[] {with(train, "--epochs", "-2147483648"), "the training length must be at least 1"},
            new Object[] {with(train, "--epochs", "9223372036854775807"), "more iterations than a long holds"},
            new Object[] {new String[] {"prepare", "--corpus", t.corpus.toString(), "--out", tmp.resolve("p").toString(),
                "--topics", "-1"}, "topics and EM iterations must be at least 1"},
            new Object[] {new String[] {"prepare", "--corpus", t.corpus.toString(), "--out", tmp.resolve("p").toString(),
                "--valid-fraction", "1e308"}, "validation fraction must be in [0, 1)"},
            new Object[] {new String[] {"prepare", "--corpus", t.corpus.toString(), "--out", tmp.resolve("p").toString(),
                "--valid-fraction", "NaN"}, "validation fraction must be in [0, 1)"},
            new Object[] {new String[] {"synth", "--out", tmp.resolve("c").toString(), "--seconds", "NaN"},
                "seconds >= 1"},
            new Object[] {new String[] {"evaluate", "--features", features, "--dataset", genre, "--out",
                tmp.resolve("r.csv").toString(), "--repetitions", "-1"}, "evaluation repetitions must be from 1 to 1000"},
            new Object[] {new String[] {"evaluate", "--features", features, "--dataset", genre, "--out",
                tmp.resolve("r.csv").toString(), "--repetitions", "2147483647"}, "evaluation repetitions must be from 1"},
            new Object[] {new String[] {"evaluate", "--features", features, "--dataset", genre, "--out",
                tmp.resolve("r.csv").toString(), "--max-epochs", "-1"}, "MLP epochs at least 1"},
            new Object[] {new String[] {"profile", "--batch", "2147483647", "--out", tmp.resolve("prof").toString()},
                "batch from 2 (batch norm) to 4096"},
            new Object[] {new String[] {"profile", "--repeats", "2147483647", "--out", tmp.resolve("prof").toString()},
                "repeats from 1 to 10,000"},
            new Object[] {new String[] {"study", "design", "--out", tmp.resolve("s1").toString(), "--preset", "small",
                "--full-repeats", "2147483647"}, "repeats must be from 0 to 1000"},
            new Object[] {new String[] {"study", "design", "--out", tmp.resolve("s2").toString(), "--preset", "small",
                "--repetitions", "2147483647"}, "evaluation repetitions must be from 1 to 1000"},
            new Object[] {with(train, "--lr", "1e308"), "learning rate must be a finite number > 0"},
            // the quickstart checks its options before its first phase (they used to stop it minutes later)
            new Object[] {quickstart("--batch", "1"), "batch must be at least 2"},
            new Object[] {quickstart("--iterations", "2147483647"), "--iterations must be from 1 to"},
            new Object[] {quickstart("--lr", "NaN"), "learning rate must be a finite number > 0"},
            new Object[] {quickstart("--repetitions", "0"), "evaluation repetitions must be from 1"},
            new Object[] {quickstart("--seconds", "-1"), "seconds >= 1"},
            new Object[] {quickstart("--target-scale", "Infinity"), "target scale must be in (0, 100]"},
            // paths and lists that were taken, or refused without saying why
            new Object[] {new String[] {"prepare", "--corpus", t.corpus.toString(), "--out", t.corpus.toString()},
                "the prepared folder cannot be the corpus folder"},
            new Object[] {new String[] {"evaluate", "--features", features + "," + features, "--dataset", genre,
                "--out", tmp.resolve("r.csv").toString()}, "are both representation"},
            new Object[] {new String[] {"report", "--results", tmp.resolve("none").toString(), "--out",
                tmp.resolve("r.html").toString()}, "no such results CSV or folder"},
            new Object[] {new String[] {"report", "--results", tmp.resolve("none").toString(), "--out",
                tmp.resolve("r.html").toString(), "--bootstrap", "-1"}, "--bootstrap applies to the study report only"},
            new Object[] {new String[] {"train", "--data", data, "--out", tmp.resolve("run2").toString(), "--strategy",
                "msscr", "--sources", "bpm,,tag", "--batch", "4"}, "'bpm,,tag': an empty source name"},
            new Object[] {new String[] {"train", "--data", data, "--out", tmp.resolve("run2").toString(), "--strategy",
                "msscr", "--sources", "bpm,tag,", "--batch", "4"}, "an empty source name"},
            new Object[] {new String[] {"study", "design", "--out", tmp.resolve("s3").toString(), "--preset", "small",
                "--sources", "bpm,tag,"}, "'bpm,tag,': an empty source name"},
            new Object[] {new String[] {"mel", "--in", t.corpus.resolve("targets/genre").toString(), "--out",
                t.corpus.resolve("manifest.json").toString()}, "--out must be a folder when --in is one"});
        List<String> failures = new ArrayList<>();
        int threads = Parallel.threads();
        try {
            for (Object[] c : cases) {
                String[] args = (String[]) c[0];
                Outcome o = FuzzCommandsTest.quiet(args);
                if (o.rc() != 1 || !o.err().contains((String) c[1]) || o.seconds() > 20) {
                    failures.add(String.join(" ", args) + ": status " + o.rc() + " after " + o.seconds() + " s: "
                            + o.err().strip());
                }
            }
        } finally {
            Parallel.setThreads(threads);
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
        assertEquals(threads, Parallel.threads());
        assertTrue(java.nio.file.Files.notExists(tmp.resolve("qs")), "a refused quickstart starts nothing");
    }

    private String[] quickstart(String option, String value) {
        return new String[] {"quickstart", "--out", tmp.resolve("qs").toString(), option, value};
    }

    private static String[] with(String[] base, String option, String value) {
        List<String> a = new ArrayList<>(List.of(base));
        a.add(option);
        a.add(value);
        return a.toArray(String[]::new);
    }
}
