package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The weight-tied Siamese gradient. A path P and its twin Q run on crops a and b, both forwards first,
 * then both backwards (the order MultiSourceNet uses). The accumulated gradient must equal the sum of
 * the gradients of two separate forward/backward passes of one path on a and on b, and the running
 * statistics, batch counters and dropout masks must be those of two consecutive calls. This catches a
 * twin that reads or clobbers the other's caches. (Finite differences are too noisy on this
 * max-pool/ReLU network in float to pin a factor of two.)
 */
class SiameseGradTest {

    static Sequential path(long seed) {
        Rng r = new Rng(seed);
        Conv2d c1 = new Conv2d("c1", 2, 4, 3, 1, 1, 1, true);
        Conv2d c2 = new Conv2d("c2", 4, 6, 3, 1, 1, 1, true);
        Linear fc = new Linear("fc", 6, 5, true);
        for (Param p : List.of(c1.weight(), c1.bias(), c2.weight(), c2.bias(), fc.weight(), fc.bias())) {
            Init.uniform(p.value(), 0.3, r);
        }
        return new Sequential(c1, new BatchNorm("bn1", 4), new Relu(true), new MaxPool2d(), c2,
                new BatchNorm("bn2", 6), new Relu(true), new GlobalAvgPool(), fc, new BatchNorm("bnf", 5),
                new Relu(true), new Dropout(0.5f, 77));
    }

    @Test
    void twinPassesAccumulateLikeTwoSeparatePasses() {
        Tensor a = BaseCnnTest.input(1, 3, 8, 6);
        Tensor b = BaseCnnTest.input(2, 3, 8, 6);
        Tensor ga = BaseCnnTest.targets(3, 3, 5);
        Tensor gb = BaseCnnTest.targets(4, 3, 5);

        Sequential p = path(9);
        Sequential q = (Sequential) Twins.of(p);
        Tensor ya = p.forward(a).copy();
        Tensor yb = q.forward(b).copy();
        p.backward(ga);
        q.backward(gb);

        Sequential r = path(9);
        Tensor ra = r.forward(a).copy();
        r.backward(ga);
        List<Param> rp = r.params();
        float[][] gradA = new float[rp.size()][];
        for (int i = 0; i < rp.size(); i++) {
            gradA[i] = rp.get(i).grad().data().clone();
            rp.get(i).zeroGrad();
        }
        Tensor rb = r.forward(b).copy();
        r.backward(gb);

        assertArrayEquals(ra.data(), ya.data(), 0f);
        assertArrayEquals(rb.data(), yb.data(), 0f, "second call: its own BN statistics and the next dropout mask");
        List<Param> pp = p.params();
        assertEquals(rp.size(), pp.size());
        for (int i = 0; i < pp.size(); i++) {
            float[] want = gradA[i].clone();
            float[] gotB = rp.get(i).grad().data();
            for (int j = 0; j < want.length; j++) {
                want[j] += gotB[j];
            }
            float[] got = pp.get(i).grad().data();
            for (int j = 0; j < want.length; j++) {
                assertEquals(want[j], got[j], 1e-5f * (1 + Math.abs(want[j])), pp.get(i).name() + "[" + j + "]");
            }
        }
        for (int i = 0; i < p.buffers().size(); i++) {
            assertArrayEquals(r.buffers().get(i).value().data(), p.buffers().get(i).value().data(), 0f,
                    "running statistics moved twice: " + p.buffers().get(i).name());
        }
        BatchNorm bn = (BatchNorm) p.layers().get(1);
        assertEquals(2, bn.batchesTracked());
        assertEquals(2, ((Dropout) p.layers().get(11)).calls());
    }
}
