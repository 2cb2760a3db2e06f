package dev.mtdtl.study.run;

import dev.mtdtl.data.prepare.Prepare;
import dev.mtdtl.data.synth.SynthConfig;
import dev.mtdtl.data.synth.SynthCorpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny built-in corpus (30 learning tracks of 1 s, the built-in soundbank, 4 topics), made once per test JVM
 * under target/ and prepared, as the CLI tests make theirs. Synth and prepare resume, so a second test run
 * reuses it.
 */
final class TinyCorpus {

    private static Path prepared;

    private TinyCorpus() {}

    static synchronized Path prepared() throws IOException {
        if (prepared == null) {
            Path root = Path.of("target", "study-test-corpus").toAbsolutePath();
            Path corpus = root.resolve("corpus");
            Path out = root.resolve("prepared");
            if (!Files.isRegularFile(out.resolve("prepared.json"))) {
                SynthCorpus.generate(SynthConfig.of(1, 30, 1).withSoundbanks(List.of(), false), corpus, s -> { });
                Prepare.run(Prepare.Config.defaults(corpus, out).withTopics(4, 5), s -> { });
            }
            prepared = out;
        }
        return prepared;
    }
}
