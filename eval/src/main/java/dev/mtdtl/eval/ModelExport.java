package dev.mtdtl.eval;

import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.embed.ModelFile;
import dev.mtdtl.nn.Checkpoint;
import dev.mtdtl.tensor.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code mtdtl export}: a training run's newest checkpoint and its prepared folder's statistics as one
 * {@link ModelFile}. Lives here, not in embed/, so that the embedding artifact carries no checkpoint or training
 * code.
 */
public final class ModelExport {

    private ModelExport() {}

    /**
     * The newest checkpoint of {@code run} (a run folder or a checkpoint folder) with the statistics of the prepared
     * folder it was trained on. The weights are loaded into the network once here, so a mismatched export fails now
     * and not in the application.
     */
    public static ModelFile fromRun(Path run, Path prepared) throws IOException {
        Path ck = Files.isRegularFile(run.resolve("checkpoint.json")) ? run : Checkpoint.latest(run);
        if (ck == null) {
            throw new IllegalArgumentException(run + ": no checkpoint (expected RUN/checkpoints/it-N/checkpoint.json)");
        }
        Path side = ck.resolve("checkpoint.json");
        Map<String, Object> j = Json.parseObject(Files.readString(side), side.toString());
        Path statsFile = prepared.resolve("learning").resolve("stats.npy");
        if (!Files.isRegularFile(statsFile)) {
            throw new IllegalArgumentException(prepared + ": no standardisation statistics (expected " + statsFile + ")");
        }
        byte[] stats = Files.readAllBytes(statsFile);
        BandStats.parse(stats, statsFile.toString());   // validates
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("format", ModelFile.FORMAT);
        c.put("strategy", j.get("strategy"));
        c.put("sources", j.get("sources"));
        c.put("spec", j.get("spec"));
        c.put("mel", "paper");              // MelConfig.paper(): 22,050 Hz, n_fft 1024, hop 256, 128 Slaney bands, dB
        c.put("slice_frames", ModelFile.SLICE);
        Path runDir = ck.getParent() != null && ck.getParent().getFileName().toString().equals("checkpoints")
                ? ck.getParent().getParent() : ck;
        c.put("run", runDir.getFileName().toString());
        c.put("iteration", j.get("iteration"));
        c.put("engine_version", Checkpoint.projectVersion());
        ModelFile m = new ModelFile(c, stats, Files.readAllBytes(ck.resolve("model.safetensors")));
        m.network(ck.resolve("model.safetensors").toString());
        return m;
    }
}
