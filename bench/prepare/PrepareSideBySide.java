import dev.mtdtl.data.Tsv;
import dev.mtdtl.data.prepare.LearningTargets;
import dev.mtdtl.data.prepare.Prepare;
import dev.mtdtl.data.synth.SynthConfig;
import dev.mtdtl.data.synth.SynthCorpus;
import dev.mtdtl.tensor.io.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A single-file program run against one source tree's compiled classes (side_by_side.sh runs it for two):
 * {@code prepare CORPUS OUT} synthesises CORPUS when it is missing (120 learning tracks of 2 s) and prepares it
 * into OUT (50 topics, 100 iterations, seed 5); {@code targets CORPUS PREPARED OUT} fits only the learning
 * targets of an existing prepared folder's tracks into OUT (50 topics, 100 iterations, bpm noise 0.05, seed
 * 1). Prints the seconds.
 */
public class PrepareSideBySide {
    @SuppressWarnings("unchecked")
    public static void main(String[] a) throws Exception {
        long t0 = System.nanoTime();
        if (a[0].equals("prepare")) {
            Path corpus = Path.of(a[1]);
            if (!Files.exists(corpus.resolve("manifest.json"))) {
                SynthCorpus.generate(new SynthConfig(3, 120, 2, 40, 1, 5, 1, 1, 5, 20, 3, List.of(), false), corpus,
                        s -> { });
                t0 = System.nanoTime();
            }
            Prepare.run(Prepare.Config.defaults(corpus, Path.of(a[2])).withSeed(5), s -> { });
        } else {
            Path corpus = Path.of(a[1]);
            Map<String, Object> m = Json.parseObject(Files.readString(corpus.resolve("manifest.json")), "manifest");
            Map<String, Object> src = (Map<String, Object>) ((Map<String, Object>) m.get("learning")).get("sources");
            List<String> ids = new ArrayList<>();
            for (String[] r : Tsv.read(Path.of(a[2]).resolve("learning/tracks.tsv")).rows()) {
                ids.add(r[0]);
            }
            LearningTargets.build(corpus, src, ids, Path.of(a[3]), 50, 100, 0.05, 1, s -> { });
        }
        System.out.printf("%.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
