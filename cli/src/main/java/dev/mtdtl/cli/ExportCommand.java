package dev.mtdtl.cli;

import dev.mtdtl.embed.ModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code mtdtl export}: a training run's newest checkpoint and its prepared folder's statistics as one model file. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a one-file model (weights, standardisation statistics, configuration, SHA-256 checksum) "
                + "from a training run and the prepared folder it was trained on.",
                "Use it with mtdtl embed, TrackEmbedder.load(Path) or the standalone embed/target/mtdtl-embed.jar."})
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--run", required = true, paramLabel = "RUN_DIR", description = "a training run (its newest checkpoint)")
    Path run;

    @Option(names = "--data", required = true, paramLabel = "PREPARED", description = "the prepared folder of the run")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the model file, e.g. model.mtdtl")
    Path out;

    @Override
    public Integer call() throws Exception {
        ModelFile m = dev.mtdtl.eval.ModelExport.fromRun(run, data);
        try (dev.mtdtl.tensor.io.OutputLock lock = dev.mtdtl.tensor.io.OutputLock.resumeFile(out)) {
            m.write(out);
        }
        System.out.printf(Locale.ROOT, "%s: %s on %s, %.1f MB -> %s%n", m.runName(), m.strategy().id(),
                m.config().get("sources"), Files.size(out) / 1e6, out);
        return 0;
    }
}
