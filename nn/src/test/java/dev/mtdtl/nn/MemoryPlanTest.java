package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15's memory planning: what the arena holds, that the batch ring reuses its tensors, and that a
 * recycled batch has the same contents as a fresh one. (That planned training gives the same bits as the
 * unfused, arena-placed path is DeviceSeamTest's job: the emulated device runs the unfused layers.)
 */
class MemoryPlanTest {

    @Test
    void cpuArenaHoldsNoFullSizeTransientAndTheGradSlotIsTheLargestPooledInput() {
        int n = 3;
        BaseCnn net = new BaseCnn(BaseCnn.Spec.paper(7), 5);
        Rng r = new Rng(2);
        float[] xs = new float[n * 2 * 216 * 128];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) r.nextGaussian();
        }
        Tensor logits = net.forward(Tensor.of(xs, n, 2, 216, 128));
        net.backward(Tensor.of(new float[logits.numel()], logits.shape()));
        Arena a = net.arena();
        // the fused batch norm + ReLU + pool never asks for the transient slot on the CPU
        assertEquals(0, a.elements(Arena.Slot.TRANSIENT));
        // conv2's input gradient, (N, 16, 54, 64), is the largest one written into GRAD
        assertEquals((long) n * 16 * 54 * 64, a.elements(Arena.Slot.GRAD));
        assertTrue(a.elements(Arena.Slot.WORKSPACE) > 0);
    }

    @Test
    void prefetchRingRecyclesItsTensorsAndRecycledBatchesEqualFreshOnes() {
        InMemoryTrainingData d = TrainerTest.data();
        BatchSampler s = new BatchSampler(d, TrainingData.Split.TRAIN, TrainerTest.THREE, 4, 17, false);
        BatchSampler fresh = new BatchSampler(d, TrainingData.Split.TRAIN, TrainerTest.THREE, 4, 17, false);
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        int depth = 2;
        List<BatchSampler.Batch> got = new ArrayList<>();
        try (Prefetcher pf = new Prefetcher(s, 0, 40, depth)) {
            for (int i = 0; i < 40; i++) {
                BatchSampler.Batch b = pf.next();
                BatchSampler.Batch f = fresh.batch(i);
                assertEquals(f.source(), b.source(), "source of " + i);
                assertArrayEquals(f.tracks(), b.tracks(), "tracks of " + i);
                assertArrayEquals(f.x().data(), b.x().data(), "x of " + i);
                assertArrayEquals(f.z().data(), b.z().data(), "z of " + i);
                if (f.x2() != null) {
                    assertArrayEquals(f.x2().data(), b.x2().data(), "x2 of " + i);
                }
                seen.put(b.x(), true);
                got.add(b);
            }
        }
        // queued + being built + in use: never more crop tensors than that
        assertTrue(seen.size() <= depth + 2, seen.size() + " distinct crop tensors for depth " + depth);
        assertSame(got.get(0).x(), got.stream().filter(b -> b.x() == got.get(0).x()).skip(1).findFirst()
                .orElseThrow().x());
    }
}
