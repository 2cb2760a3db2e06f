package dev.mtdtl.bench.parity;

import dev.mtdtl.nn.Checkpoint;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.nn.Trainer;
import dev.mtdtl.tensor.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The training-trajectory parity harness (docs/parity.md): what it records is the trainer's own run, and
 * PyTorch replaying a short recording follows mtdtl's trajectory within the stated tolerances.
 */
class ParityRecordTest {

    private static final List<Source> THREE = List.of(Source.SELF, Source.TAG, Source.BPM);

    private static ParityRecord.Settings settings(Strategy st, int iterations) {
        return new ParityRecord.Settings(st, st == Strategy.SSR ? List.of(Source.SELF) : THREE, iterations, 8, 7,
                2.5e-4f, "cpu");
    }

    /**
     * The harness steps (its own sampler + {@link Trainer#step}) give bit for bit the state of
     * {@link Trainer#run} (prefetch thread, its own sampler) from the same start: parameters, BN statistics,
     * Adam moments and steps, dropout stream positions. So the replay checks the trainer, not a copy of it.
     */
    @Test
    void recordingIsTheTrainersOwnRun(@TempDir Path tmp) throws IOException {
        ParityRecord.Settings s = settings(Strategy.MSSRFC, 6);
        float[] losses = ParityRecord.record(s, tmp.resolve("rec"));
        Trainer t = new Trainer(ParityRecord.net(s), ParityRecord.data(s), ParityRecord.config(s));
        t.run(6, tmp.resolve("run"), null);
        Path a = Checkpoint.latest(tmp.resolve("rec").resolve("run"));
        Path b = Checkpoint.latest(tmp.resolve("run"));
        assertEquals(b.getFileName(), a.getFileName());
        for (String f : List.of("model.safetensors", "optim.safetensors")) {
            Safetensors.Contents x = Safetensors.read(a.resolve(f));
            Safetensors.Contents y = Safetensors.read(b.resolve(f));
            assertEquals(y.floats.keySet(), x.floats.keySet(), f);
            assertEquals(y.ints.keySet(), x.ints.keySet(), f);
            for (String k : y.floats.keySet()) {
                assertArrayEquals(y.floats.get(k).data(), x.floats.get(k).data(), f + " " + k);
            }
            for (String k : y.ints.keySet()) {
                assertArrayEquals(y.ints.get(k), x.ints.get(k), f + " " + k);
            }
        }
        // every step file holds the batch, the loss and one mask per dropout call (self: 3, factor: 1)
        for (int i = 0; i < 6; i++) {
            Safetensors.Contents c = Safetensors.read(tmp.resolve("rec/steps").resolve(String.format("it-%06d.safetensors", i)));
            boolean self = c.metadata.get("source").equals("self");
            assertEquals(self ? 3 : 1, c.floats.keySet().stream().filter(k -> k.startsWith("mask.")).count());
            assertEquals(losses[i], c.tensor("loss").data()[0]);
            assertEquals(self, c.floats.containsKey("x2"));
            for (float m : c.tensor("mask.0").data()) {
                assertTrue(m == 0f || m == 2f, "mask value " + m);
            }
        }
    }

    /**
     * PyTorch replays 30 recorded iterations of MS-CR@4 (shared trunk + three branches) and MS-SR@FC (all
     * shared, the trunk's dropout and BNs called twice per self pair) from mtdtl's initial weights: the loss
     * of every iteration and, at the end, every parameter, BN statistic, Adam moment and step count agree
     * within the tolerances of bench/parity/replay_torch.py. Skipped without a python3 with torch.
     */
    @Test
    void pytorchFollowsTheSameTrajectory(@TempDir Path tmp) throws Exception {
        String py = pythonWithTorch();
        assumeTrue(py != null, "no python3 with torch ($MTDTL_PYTHON, python3, /usr/bin/python3): parity replay skipped");
        List<String> cmd = new ArrayList<>(List.of(py, rootPath("bench/parity/replay_torch.py").toString()));
        for (Strategy st : List.of(Strategy.MSCR4, Strategy.MSSRFC)) {
            Path rec = tmp.resolve(st.id());
            ParityRecord.record(settings(st, 30), rec);
            cmd.add(rec.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "replay did not finish:\n" + out);
        System.out.print(out);
        assertEquals(0, p.exitValue(), out);
        assertEquals(2, out.lines().filter(l -> l.contains(" iterations; ") && l.endsWith("OK")).count(), out);
    }

    /** A path of the repository (tests run in the module directory, bench/). */
    private static Path rootPath(String rel) {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve(rel)) ? here.resolve(rel) : here.getParent().resolve(rel);
    }

    /** The first of $MTDTL_PYTHON, python3, /usr/bin/python3 that imports torch, or null. */
    static String pythonWithTorch() {
        List<String> candidates = new ArrayList<>();
        if (System.getenv("MTDTL_PYTHON") != null) {
            candidates.add(System.getenv("MTDTL_PYTHON"));
        }
        candidates.addAll(List.of("python3", "/usr/bin/python3"));
        for (String py : candidates) {
            try {
                Process p = new ProcessBuilder(py, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return py;
                }
            } catch (IOException | InterruptedException e) {
                // try the next one
            }
        }
        return null;
    }
}
