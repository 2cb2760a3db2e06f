package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultiSourceNetTest {

    static final List<Source> ALL = List.of(Source.values());

    /** A narrow network on small inputs (2 x 64 x 32 crops) for fast tests. */
    static MultiSourceNet tiny(Strategy st, List<Source> sources, long seed) {
        return new MultiSourceNet(st, sources, new BaseCnn.Spec(2, new int[]{4, 4, 6, 6, 8, 8, 8}, 8, 5, 0.5f), 4, seed);
    }

    @Test
    void parameterCountsMatchTheDigest() {
        long ssr = MultiSourceNet.paper(Strategy.SSR, List.of(Source.TAG), 1).parameterCount();
        assertEquals(576.5e3, ssr, 0.05e3, "SS-R");
        assertEquals(new BaseCnn(BaseCnn.Spec.paper(50), 1).parameterCount(), ssr);
        long self = MultiSourceNet.paper(Strategy.MSSRFC, List.of(Source.SELF), 1).parameterCount()
                - (ssr - 12_850);
        assertEquals(66_178, self, "self head (2*256*128+128 + 2*128 + 128*2+2)");
        double[][] ratios = {{Strategy.MSSRFC.ordinal(), 1.25}, {Strategy.MSCR6.ordinal(), 6.45},
                {Strategy.MSCR4.ordinal(), 7.8}, {Strategy.MSCR2.ordinal(), 8.08}, {Strategy.MSSCR.ordinal(), 8.09}};
        for (double[] r : ratios) {
            Strategy st = Strategy.values()[(int) r[0]];
            double got = (double) MultiSourceNet.paper(st, ALL, 1).parameterCount() / ssr;
            assertEquals(r[1], got, 0.006, st.id() + " with 8 sources: " + got + "x SS-R");
        }
    }

    @Test
    void namesFollowTheDocumentedScheme() {
        MultiSourceNet net = tiny(Strategy.MSCR4, List.of(Source.SELF, Source.TAG), 3);
        List<String> names = net.stateDict().stream().map(Param::name).toList();
        assertEquals("shared.conv1.weight", names.get(0));
        assertTrue(names.contains("shared.bn3.running_var"));
        assertTrue(names.contains("branches.tag.conv4.weight"));
        assertTrue(names.contains("branches.tag.fc_out.bias"));
        assertTrue(names.contains("branches.self.fc_pair.weight"));
        assertTrue(names.contains("branches.self.bn_pair.running_mean"));
        assertFalse(names.contains("branches.tag.conv3.weight"));
        assertEquals(names.size(), new HashSet<>(names).size(), "unique names");
        List<String> bns = net.batchNorms().stream().map(BatchNorm::name).toList();
        assertEquals(3 + 2 * 5 + 1, bns.size(), bns.toString());
        MultiSourceNet fc = tiny(Strategy.MSSRFC, List.of(Source.BPM), 3);
        assertTrue(fc.stateDict().stream().anyMatch(p -> p.name().equals("shared.bn_feature.weight")));
        assertEquals(List.of("branches.bpm.fc_out.weight", "branches.bpm.fc_out.bias"),
                fc.branchParams(Source.BPM).stream().map(Param::name).toList());
    }

    @Test
    void gradientsReachOnlyTheTrunkAndTheActiveBranch() {
        for (Strategy st : List.of(Strategy.MSSCR, Strategy.MSCR2, Strategy.MSCR6, Strategy.MSSRFC)) {
            for (Source active : List.of(Source.TAG, Source.SELF)) {
                MultiSourceNet net = tiny(st, List.of(Source.SELF, Source.TAG, Source.YEAR), 5);
                Tensor dl;
                if (active.isSelf()) {
                    Tensor y = net.forwardPair(BaseCnnTest.input(1, 4, 64, 32), BaseCnnTest.input(2, 4, 64, 32));
                    dl = BaseCnnTest.targets(3, 4, 2);
                    assertArrayEquals(new int[]{4, 2}, y.shape());
                } else {
                    net.forward(active, BaseCnnTest.input(1, 4, 64, 32));
                    dl = BaseCnnTest.targets(3, 4, 5);
                }
                net.backward(dl);
                Set<Param> live = new HashSet<>(net.sharedParams());
                live.addAll(net.branchParams(active));
                for (Param p : net.params()) {
                    boolean nonzero = false;
                    for (float g : p.grad().data()) {
                        nonzero |= g != 0f;
                    }
                    assertEquals(live.contains(p), nonzero, st.id() + "/" + active.id() + ": " + p.name());
                }
            }
        }
    }

    @Test
    void selfPairUsesTwoBatchStatisticsAndUpdatesRunningStatsTwice() {
        MultiSourceNet net = tiny(Strategy.MSCR2, List.of(Source.SELF), 7);
        BatchNorm bn1 = net.batchNorms().get(0);
        assertEquals("shared.bn1", bn1.name());
        Tensor a = BaseCnnTest.input(1, 3, 64, 32);
        Tensor b = BaseCnnTest.input(2, 3, 64, 32);
        net.forwardPair(a, b);
        assertEquals(2, bn1.batchesTracked());
        float[] twice = bn1.runningMean().value().data().clone();
        // The same two updates by hand: the original layers called on a, then on b.
        MultiSourceNet ref = tiny(Strategy.MSCR2, List.of(Source.SELF), 7);
        ref.representation(Source.SELF, a);
        ref.representation(Source.SELF, b);
        for (int i = 0; i < net.batchNorms().size() - 1; i++) {   // the last one is bn_pair
            BatchNorm x = net.batchNorms().get(i);
            BatchNorm y = ref.batchNorms().get(i);
            assertArrayEquals(y.runningMean().value().data(), x.runningMean().value().data(), 0f, x.name());
            assertArrayEquals(y.runningVar().value().data(), x.runningVar().value().data(), 0f, x.name());
        }
        assertNotEquals(Arrays.toString(new float[twice.length]), Arrays.toString(twice));
        assertThrows(IllegalArgumentException.class, () -> net.forward(Source.SELF, a));
        MultiSourceNet three = tiny(Strategy.MSSCR, List.of(Source.SELF, Source.TAG, Source.YEAR), 7);
        assertTrue(three.sharesScratch(Source.TAG, Source.YEAR) && three.sharesScratch(Source.SELF, Source.YEAR));
        assertThrows(IllegalArgumentException.class, () -> net.forward(Source.TAG, a));
    }

    @Test
    void representationsRunTheTrunkOnceAndGiveEachSourceItsOwnBits() {
        Tensor x = BaseCnnTest.input(5, 3, 64, 32);
        Tensor warm = BaseCnnTest.input(6, 3, 64, 32);
        for (Strategy st : Strategy.values()) {
            List<Source> srcs = st == Strategy.SSR ? List.of(Source.TAG) : List.of(Source.TAG, Source.SELF, Source.BPM);
            MultiSourceNet net = tiny(st, srcs, 11);
            for (Source s : srcs) {   // running statistics away from their initial (0, 1)
                net.representation(s, warm);
            }
            net.setTraining(false);
            List<float[]> each = new ArrayList<>();
            for (Source s : srcs) {
                each.add(net.representation(s, x).data().clone());
            }
            List<Source> seen = new ArrayList<>();
            List<float[]> shared = new ArrayList<>();
            net.representations(srcs, x, (s, r) -> {
                seen.add(s);
                shared.add(r.data().clone());
            });
            assertEquals(srcs, seen, st.id());
            for (int i = 0; i < srcs.size(); i++) {
                assertArrayEquals(each.get(i), shared.get(i), 0f, st.id() + " " + srcs.get(i).id());
            }
            if (st != Strategy.SSR && st != Strategy.MSSRFC) {   // the branches differ: not one vector thrice
                assertFalse(Arrays.equals(shared.get(0), shared.get(2)), st.id());
            }
            List<Source> none = new ArrayList<>();
            assertThrows(IllegalArgumentException.class,
                    () -> net.representations(List.of(Source.TAG, Source.YEAR), x, (s, r) -> none.add(s)));
            assertTrue(none.isEmpty(), "a source not in the model is refused before any branch runs");
        }
        MultiSourceNet train = tiny(Strategy.MSCR4, List.of(Source.TAG, Source.BPM, Source.YEAR), 11);
        BatchNorm bn1 = train.batchNorms().get(0);
        assertEquals("shared.bn1", bn1.name());
        train.representations(train.sources(), x, (s, r) -> { });
        assertEquals(1, bn1.batchesTracked(), "the trunk ran once for three sources");
    }

    /**
     * In evaluation mode a crop's representation does not depend on which crops share its batch nor on the batch
     * size: every op is per sample there (batch norm uses the running statistics; a convolution or linear layer
     * computes each sample's outputs by the same chains whichever images share its GEMM or tile). Feature
     * extraction packs the slices of several tracks into one batch on this (Extractor.extract). The paper-size
     * network, so that the real kernels' paths (direct, im2col, their image groups) are the ones checked.
     */
    @Test
    void evalRepresentationOfACropDoesNotDependOnItsBatch() {
        MultiSourceNet net = MultiSourceNet.paper(Strategy.MSCR2, List.of(Source.TAG, Source.BPM), 3);
        net.setTraining(false);
        int per = 2 * 216 * 128;
        Tensor big = BaseCnnTest.input(8, 32, 216, 128);   // (32, 2, 216, 128)
        for (int[] range : new int[][]{{5, 12}, {31, 1}}) {   // crops 5..16 alone; the last crop alone
            int from = range[0], n = range[1];
            Tensor small = Tensor.of(Arrays.copyOfRange(big.data(), from * per, (from + n) * per), n, 2, 216, 128);
            for (Source s : net.sources()) {
                float[] alone = net.representation(s, small).data().clone();
                float[] within = net.representation(s, big).data();
                int d = alone.length / n;
                assertArrayEquals(alone, Arrays.copyOfRange(within, from * d, (from + n) * d), 0f, s.id() + " " + n);
            }
        }
    }
}
