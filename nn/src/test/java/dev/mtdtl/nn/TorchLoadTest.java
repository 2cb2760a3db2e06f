package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A checkpoint loads into the PyTorch mirror module (src/test/python/multisource_torch.py) with
 * load_state_dict(strict=True) and gives the same eval-mode logits. Skipped without a python3 with torch
 * ($MTDTL_PYTHON, python3 or /usr/bin/python3).
 */
class TorchLoadTest {

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

    @Test
    void checkpointLoadsInPyTorchAndGivesTheSameLogits(@TempDir Path tmp) throws Exception {
        String py = pythonWithTorch();
        assumeTrue(py != null, "no python3 with torch (set MTDTL_PYTHON)");
        for (Strategy st : List.of(Strategy.MSCR4, Strategy.MSSRFC)) {
            Path run = tmp.resolve(st.id());
            Trainer t = new Trainer(TrainerTest.net(st, TrainerTest.THREE, 0.5f), TrainerTest.data(), TrainerTest.cfg());
            t.run(3, run, null);                             // running stats and weights away from their init
            MultiSourceNet net = t.net();
            net.setTraining(false);
            List<String> cmd = new ArrayList<>(List.of(py, "src/test/python/multisource_torch.py",
                    Checkpoint.latest(run).toString()));
            Tensor x = BaseCnnTest.input(5, 3, 64, 32);
            Tensor x2 = BaseCnnTest.input(6, 3, 64, 32);
            for (Source s : TrainerTest.THREE) {
                Tensor y = s.isSelf() ? net.forwardPair(x, x2) : net.forward(s, x);
                Safetensors.Writer w = new Safetensors.Writer().put("x", x).put("logits", y).metadata("source", s.id());
                if (s.isSelf()) {
                    w.put("x2", x2);
                }
                Path io = run.resolve(s.id() + ".io.safetensors");
                w.write(io);
                cmd.add(io.toString());
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(120, TimeUnit.SECONDS);
            System.out.print(st.id() + ": " + out);
            assertEquals(0, p.exitValue(), st.id() + ":\n" + out);
        }
    }

    /**
     * Two steps of Algorithm 1 (self, then tag) from an iteration-0 checkpoint, redone in PyTorch with
     * one torch.optim.Adam per group stepping only shared + the drawn source: same parameters, running
     * statistics and num_batches_tracked (self: both crops through BN, counted twice). Dropout 0.
     * Adam eps is 1e-3 here: a bias that feeds a BN (or a dead channel's beta) has a zero gradient up to
     * rounding, and with eps 1e-8 the first Adam steps turn that rounding noise into +-lr moves of
     * either sign in both implementations; eps 1e-3 keeps such moves ~1e-5 lr, and real gradients
     * still move their parameters by a visible, compared amount.
     */
    @Test
    void trainingStepsMatchPyTorch(@TempDir Path tmp) throws Exception {
        String py = pythonWithTorch();
        assumeTrue(py != null, "no python3 with torch (set MTDTL_PYTHON)");
        for (Strategy st : List.of(Strategy.MSCR4, Strategy.MSSRFC)) {
            Path run = tmp.resolve(st.id());
            InMemoryTrainingData d = TrainerTest.data();
            TrainConfig c = TrainerTest.cfg();
            c = new TrainConfig(c.batch(), c.lr(), c.beta1(), c.beta2(), 1e-3f, c.weightDecay(), c.reduction(),
                    c.balancedSelf(), c.seed(), c.validEvery(), c.checkpointEvery(), c.logEvery(), c.prefetch(),
                    c.keepCheckpoints());
            Trainer t = new Trainer(TrainerTest.net(st, TrainerTest.THREE, 0f), d, c);
            Path before = t.saveCheckpoint(run);
            BatchSampler s = new BatchSampler(d, TrainingData.Split.TRAIN, TrainerTest.THREE, 4, 11, false);
            List<String> cmd = new ArrayList<>(List.of(py, "src/test/python/multisource_torch.py", "--train",
                    before.toString(), ""));
            for (Source src : List.of(Source.SELF, Source.TAG)) {
                BatchSampler.Batch b = s.batch(0, src);
                Safetensors.Writer w = new Safetensors.Writer().put("x", b.x()).put("z", b.z())
                        .metadata("source", src.id());
                if (b.x2() != null) {
                    w.put("x2", b.x2());
                }
                Path io = run.resolve("step-" + src.id() + ".safetensors");
                w.write(io);
                cmd.add(io.toString());
                t.step(b);
            }
            cmd.set(4, t.saveCheckpoint(run).toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(120, TimeUnit.SECONDS);
            System.out.print(st.id() + ": " + out);
            assertEquals(0, p.exitValue(), st.id() + ":\n" + out);
        }
    }
}
