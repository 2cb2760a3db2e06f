package dev.mtdtl.nn;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.cpu.KlReduction;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.Safetensors;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BaseCnnTest {

    @TempDir
    Path tmp;

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** A narrow network on a small input: same structure as the paper's, fast enough for unit tests. */
    static BaseCnn tiny(long seed, float dropout) {
        return new BaseCnn(new BaseCnn.Spec(2, new int[]{4, 4, 6, 6, 8, 8, 8}, 8, 5, dropout), seed);
    }

    static Tensor input(long seed, int n, int t, int f) {
        Rng r = new Rng(seed);
        float[] x = new float[n * 2 * t * f];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return Tensor.of(x, n, 2, t, f);
    }

    static Tensor targets(long seed, int n, int k) {
        Rng r = new Rng(seed);
        float[] z = new float[n * k];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                z[i * k + j] = (float) r.nextDouble();
                s += z[i * k + j];
            }
            for (int j = 0; j < k; j++) {
                z[i * k + j] /= (float) s;
            }
        }
        return Tensor.of(z, n, k);
    }

    @Test
    void paperNetworkHasTheDigestParameterCountAndFixtureNames() throws Exception {
        BaseCnn net = new BaseCnn(BaseCnn.Spec.paper(50), 1);
        assertEquals(576_482, net.parameterCount()); // digest section 3: SS-R about 576.5k
        Map<String, Object> manifest = Json.parseObject(Files.readString(Fixtures.dir().resolve("manifest.json")), "m");
        List<?> cases = (List<?>) manifest.get("cases");
        List<?> order = null;
        for (Object c : cases) {
            Map<?, ?> m = (Map<?, ?>) c;
            if (m.get("name").equals("cnn_params")) {
                order = (List<?>) ((Map<?, ?>) m.get("params")).get("order");
            }
        }
        List<String> names = new ArrayList<>();
        for (Param p : net.stateDict()) {
            names.add(p.name());
        }
        assertEquals(order, names);
    }

    @Test
    void initialisationFollowsDecision10() {
        BaseCnn net = new BaseCnn(BaseCnn.Spec.paper(50), 7);
        for (Param p : net.stateDict()) {
            float[] v = p.value().data();
            double max = 0;
            for (float x : v) {
                max = Math.max(max, Math.abs(x));
            }
            String n = p.name();
            if (n.startsWith("bn") && n.endsWith(".weight") || n.endsWith("running_var")) {
                assertEquals(1.0, max, 0.0, n);
            } else if (n.startsWith("bn")) {
                assertEquals(0.0, max, 0.0, n);
            } else if (n.equals("conv1.weight")) {
                double bound = Math.sqrt(6.0 / (2 * 25 + 16 * 25)); // Glorot with kernel area in both fans
                assertTrue(max <= bound && max > 0.9 * bound, n + " max " + max + " bound " + bound);
            } else if (n.equals("fc_out.weight") || n.equals("fc_out.bias")) {
                assertTrue(max <= 0.0625 && max > 0.055, n + " max " + max); // U(+-1/sqrt(256))
            }
        }
    }

    @Test
    void sameSeedSameNetworkAndTrainingStepIsThreadCountIndependent() {
        float[][] results = new float[2][];
        int[] threads = {1, 3};
        for (int r = 0; r < 2; r++) {
            Parallel.setThreads(threads[r]);
            BaseCnn net = tiny(11, 0.5f);
            Adam adam = Adam.paper(net.params());
            KlLoss kl = new KlLoss(KlReduction.MEAN);
            for (int step = 0; step < 2; step++) {
                net.zeroGrad();
                Tensor logits = net.forward(input(5 + step, 4, 64, 32));
                kl.forward(logits, targets(9 + step, 4, 5));
                net.backward(kl.backward());
                adam.step();
            }
            List<Float> all = new ArrayList<>();
            for (Param p : net.stateDict()) {
                for (float v : p.value().data()) {
                    all.add(v);
                }
            }
            results[r] = new float[all.size()];
            for (int i = 0; i < all.size(); i++) {
                results[r][i] = all.get(i);
            }
        }
        assertArrayEquals(results[0], results[1], 0f, "training must be bit-identical for 1 and 3 threads");
    }

    @Test
    void trainingReducesTheLossOnAFixedBatch() {
        BaseCnn net = tiny(3, 0f);
        Adam adam = new Adam(net.params(), 1e-2f, 0.9f, 0.999f, 1e-8f, 0f);
        KlLoss kl = new KlLoss(KlReduction.BATCHMEAN);
        Tensor x = input(1, 8, 64, 32);
        Tensor z = targets(2, 8, 5);
        float first = 0;
        float last = 0;
        for (int step = 0; step < 30; step++) {
            net.zeroGrad();
            float loss = kl.forward(net.forward(x), z);
            if (step == 0) {
                first = loss;
            }
            last = loss;
            net.backward(kl.backward());
            adam.step();
        }
        assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
    }

    @Test
    void stateDictRoundTripsThroughSafetensorsWithNumBatchesTracked() throws Exception {
        BaseCnn a = tiny(1, 0f);
        a.forward(input(1, 2, 64, 32)); // one train-mode pass: running stats and num_batches_tracked move
        Path f = tmp.resolve("net.safetensors");
        StateDict.save(f, a.stateDict(), a.batchNorms(), Map.of("strategy", "SS-R"));
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(1L, c.ints.get("bn1.num_batches_tracked")[0]);
        assertEquals("SS-R", c.metadata.get("strategy"));
        BaseCnn b = new BaseCnn(BaseCnn.specOf(c.floats, 0f), 99);
        StateDict.load(c, b.stateDict(), b.batchNorms(), f.toString());
        a.setTraining(false);
        b.setTraining(false);
        Tensor x = input(4, 3, 64, 32);
        float[] ya = a.forward(x).data().clone();
        assertArrayEquals(ya, b.forward(x).data(), 0f);
        assertEquals(1L, b.batchNorms().get(0).batchesTracked());
    }

    @Test
    void loadingAMismatchedStateDictNamesTheParameter() throws Exception {
        BaseCnn a = tiny(1, 0f);
        Path f = tmp.resolve("a.safetensors");
        StateDict.save(f, a.stateDict(), a.batchNorms(), Map.of());
        BaseCnn wide = new BaseCnn(new BaseCnn.Spec(2, new int[]{5, 4, 6, 6, 8, 8, 8}, 8, 5, 0f), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StateDict.load(f, wide.stateDict(), wide.batchNorms()));
        assertTrue(e.getMessage().contains("conv1.weight") && e.getMessage().contains("a.safetensors"), e.getMessage());
    }

    @Test
    void badInputShapeIsNamed() {
        BaseCnn net = tiny(1, 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.forward(Tensor.zeros(2, 3, 64, 32)));
        assertTrue(e.getMessage().contains("(2, 3, 64, 32)"), e.getMessage());
    }

    @Test
    void dropoutIsReproducibleFromItsSeedAndIdentityInEval() {
        Dropout d1 = new Dropout(0.5f, 42);
        Dropout d2 = new Dropout(0.5f, 42);
        Tensor x = input(1, 2, 8, 8);
        float[] y1 = d1.forward(x).data().clone();
        assertArrayEquals(y1, d2.forward(x).data(), 0f);
        float[] y1b = d1.forward(x).data().clone();
        assertTrue(!java.util.Arrays.equals(y1, y1b), "a second call draws a new mask");
        d1.setTraining(false);
        assertTrue(d1.forward(x) == x);
    }
}
