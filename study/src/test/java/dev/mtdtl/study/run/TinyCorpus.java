package dev.mtdtl.study.run;

import dev.mtdtl.data.prepare.Prepare;
import dev.mtdtl.data.synth.SynthConfig;
import dev.mtdtl.data.synth.SynthCorpus;

import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A tiny built-in corpus (30 learning tracks of 1 s, the built-in soundbank, 4 topics), made once per test JVM
 * under target/ and prepared, as the CLI tests make theirs. Synth and prepare resume, so a second test run
 * reuses it. The runner tests see a copy that keeps two of the five target datasets, emotion (regression, the
 * MLP, 20 tracks) and recsys (WMF, 40 tracks): every unit extracts and evaluates on every target dataset of
 * PREPARED, and these two cover both evaluations at a third of the cost.
 */
final class TinyCorpus {

    private static Path prepared;

    private TinyCorpus() {}

    static synchronized Path prepared() throws Exception {
        if (prepared == null) {
            Path root = Path.of("target", "study-test-corpus").toAbsolutePath();
            Path corpus = root.resolve("corpus");
            Path out = root.resolve("prepared");
            // A folder made before prepare kept pLSA topic terms gets them by re-running prepare (it resumes).
            if (!Files.isRegularFile(out.resolve("prepared.json"))
                    || !Files.isRegularFile(out.resolve("learning/targets/tag.topics.tsv"))) {
                SynthCorpus.generate(SynthConfig.of(1, 30, 1).withSoundbanks(List.of(), false), corpus, s -> { });
                Prepare.run(Prepare.Config.defaults(corpus, out).withTopics(4, 5), s -> { });
            }
            Path two = root.resolve("prepared-emotion-recsys");
            if (!Files.isRegularFile(two.resolve("prepared.json"))
                    || !Files.isRegularFile(two.resolve("learning/targets/tag.topics.tsv"))) {
                StudyRunnerTest.deleteTree(two);
                for (String sub : List.of("learning", "targets/emotion", "targets/recsys")) {
                    StudyRunnerTest.copyTree(out.resolve(sub), two.resolve(sub));
                }
                Files.copy(out.resolve("prepare-config.json"), two.resolve("prepare-config.json"));
                Map<String, Object> pj = Json.parseObject(Files.readString(out.resolve("prepared.json")), "prepared.json");
                ((Map<?, ?>) pj.get("targets")).keySet().removeIf(k -> !k.equals("emotion") && !k.equals("recsys"));
                AtomicFiles.writeString(two.resolve("prepared.json"), Json.write(pj, 2));
            }
            prepared = two;
        }
        return prepared;
    }
}
