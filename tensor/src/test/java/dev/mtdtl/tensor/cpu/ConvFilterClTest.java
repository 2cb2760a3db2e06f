package dev.mtdtl.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mtdtl.tensor.Parallel;
import dev.mtdtl.tensor.test.Close;
import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The channel-last filter gradient ({@link ConvFilterCl}): which layers take it, that it keeps every
 * layer's workspace within main's (the memory goal of issue 15), and that its bits do not depend on the
 * thread count. Its values are checked against the double reference and the PyTorch fixtures by
 * Conv2dCpuTest (base-CNN layers and two awkward shapes that take this path).
 */
class ConvFilterClTest {

    private final int threads0 = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threads0);
    }

    /** The base CNN's layers (conv1 .. conv62) at batch n. */
    private static ConvGeom[] cnn(int n) {
        return new ConvGeom[] {
            new ConvGeom(n, 2, 216, 128, 16, 5, 5, 2, 1, 2, 2), ConvGeom.same(n, 16, 54, 64, 32, 3),
            ConvGeom.same(n, 32, 27, 32, 64, 3), ConvGeom.same(n, 64, 13, 16, 64, 3), ConvGeom.same(n, 64, 6, 8, 128, 3),
            ConvGeom.same(n, 128, 3, 4, 256, 3), ConvGeom.same(n, 256, 3, 4, 256, 1),
        };
    }

    @Test
    void takesConv2ToConv5AndKeepsEveryWorkspaceWithinMains() {
        Assumptions.assumeTrue(Gemm.VL == 16 || Gemm.VL == 8, "main's figures below are those of 8 and 16 lanes");
        ConvGeom[] g = cnn(128);
        // conv2-conv5 at 8 and 16 lanes, on every JDK (at 8, JDK 21+ runs the tiles in smaller passes)
        boolean[] expected = {false, true, true, true, true, false, false};
        // main (adc397c) at batch 128, 16 lanes: workspaceFloats(g, true) and (g, false), floats; conv61 and conv62
        // since session 27's batch split of the im2col forward and data gradient (one GEMM scratch per task, up to 4
        // tasks): 2.86 -> 3.75 M and 1.25 -> 1.45 M, still far below conv2's 15.9 M, which sizes the network's
        // one workspace slot (nn.Arena), so the process holds no more than before
        long[][] mains16 = {{31275808L, 7613216L}, {15946240L, 7934464L}, {8996864L, 4580352L}, {3065856L, 3065856L},
            {3095552L, 3095552L}, {3753984L, 3753984L}, {1448448L, 1448448L}};
        // 8 lanes (-XX:UseAVX=2), session 38's start (ef8ed03), where conv2-conv5 took ConvFilter's row tile
        long[][] mains8 = {{7555520L, 7555520L}, {7836800L, 7836800L}, {4428288L, 4428288L}, {2761728L, 2761728L},
            {1380864L, 1380864L}, {3749376L, 3749376L}, {1447296L, 1447296L}};
        long[][] mains = Gemm.VL == 16 ? mains16 : mains8;
        for (int i = 0; i < g.length; i++) {
            assertEquals(expected[i], Conv2dCpu.channelLastFilter(g[i]), "channel-last filter path of " + g[i]);
            long all = Conv2dCpu.workspaceFloats(g[i], true), noData = Conv2dCpu.workspaceFloats(g[i], false);
            if (all > mains[i][0] || noData > mains[i][1]) {
                throw new AssertionError("workspace of " + g[i] + " grew: " + all + " / " + noData + " floats, main "
                        + mains[i][0] + " / " + mains[i][1]);
            }
        }
    }

    /**
     * The two tilings of a 4-channel tile, {@code tile4} (JDK 17-20 at 8 lanes) and {@code tile4InPasses}, {@code tile2} twice (JDK 21+),
     * give the same sums bit for bit: each accumulator is the same FMA chain. Run at this JVM's width (the code does
     * not depend on it), for 1 to 4 valid channels and 1 to 3 valid taps, rows with a skip (stride 2).
     */
    @Test
    void twoPassesOfTwoChannelsGiveTheFourChannelTilesBits() {
        int vl = Gemm.VL, cin = 2 * vl, wp = 11, ho = 5, wo = 7, sh = 2, hp = (ho - 1) * sh + 3;
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        float[] xt = new float[hp * wp * cin];
        float[] dy = new float[4 * ho * wo];
        for (int i = 0; i < xt.length; i++) {
            xt[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < dy.length; i++) {
            dy[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (int nOut = 1; nOut <= 4; nOut++) {
            for (int nTaps = 1; nTaps <= 3; nTaps++) {
                float[] four = new float[12 * vl], two = new float[12 * vl];
                int xOff = vl;          // the second input-channel vector
                ConvFilterCl.tile4(four, 0, dy, 0, nOut, xt, xOff, nTaps, cin, wp, ho, wo, sh);
                ConvFilterCl.tile4InPasses(two, 0, dy, 0, nOut, xt, xOff, nTaps, cin, wp, ho, wo, sh);
                for (int i = 0; i < four.length; i++) {
                    assertEquals(Float.floatToRawIntBits(four[i]), Float.floatToRawIntBits(two[i]),
                            "nOut " + nOut + " nTaps " + nTaps + " slot " + i);
                }
            }
        }
    }

    @Test
    void bitIdenticalForOneTwoAndThreeThreads() {
        ConvGeom[] geoms = {
            ConvGeom.same(2, 16, 54, 64, 32, 3),                 // conv2: 4 chunks
            ConvGeom.same(3, 64, 6, 8, 128, 3),                  // conv5: narrow rows
            new ConvGeom(3, 32, 8, 20, 11, 3, 4, 2, 1, 0, 1),    // edge block, stride 2, 3 + 1 taps
        };
        for (ConvGeom g : geoms) {
            Assumptions.assumeTrue(Conv2dCpu.channelLastFilter(g), "path of " + g);
            float[] x = Fixtures.uniform(11, g.xSize(), -1, 1), dy = Fixtures.uniform(12, g.ySize(), -1, 1);
            float[] dw0 = Fixtures.uniform(13, g.wSize(), -1, 1);
            float[] first = null;
            for (int t : new int[] {1, 2, 3}) {
                Parallel.setThreads(t);
                float[] dw = dw0.clone();
                Conv2dCpu.backwardFilter(dw, null, dy, x, g, null);
                if (first == null) {
                    first = dw;
                } else {
                    Close.assertExact(first, dw, "channel-last dw of " + g + ", " + t + " threads against 1");
                }
            }
        }
    }

    /**
     * Image by image (conv2- and conv3-like: at most 16 chunks a block) gives the block walk's bits, onto a dW that
     * is not zero, on 1 to 3 threads (one participant per thread for 5 and 7 images on 2 threads; groups on 3
     * threads for 5), with a partial output-channel block (12 = 8 + 4), two input-channel vectors (conv3-like) and a
     * block walk of several blocks (the 1 MB block holds 6 conv2 images).
     */
    @Test
    void byImagesGivesTheBlockWalksBits() {
        ConvGeom[] geoms = {ConvGeom.same(7, 16, 54, 64, 32, 3), ConvGeom.same(5, 16, 9, 20, 12, 3),
            new ConvGeom(5, 32, 8, 20, 16, 3, 4, 2, 1, 0, 1), ConvGeom.same(5, 32, 9, 20, 64, 3)};
        int walked = 0;
        for (ConvGeom g : geoms) {
            Assumptions.assumeTrue(Conv2dCpu.channelLastFilter(g), "path of " + g);
            if (Gemm.VL == 8 && !ConvFilterCl.byImages(g)) {
                continue;       // 4-channel tiles: the last shape has 64 chunks a block at 8 lanes
            }
            org.junit.jupiter.api.Assertions.assertTrue(ConvFilterCl.byImages(g), "image by image: " + g);
            walked++;
            float[] x = Fixtures.uniform(21, g.xSize(), -1, 1), dy = Fixtures.uniform(22, g.ySize(), -1, 1);
            float[] dw0 = Fixtures.uniform(23, g.wSize(), -1, 1);
            Parallel.setThreads(1);
            float[] blocks = dw0.clone();
            ConvFilterCl.filterByBlocks(blocks, dy, x, g, new float[(int) (ConvFilterCl.paddedInput(g)
                    + ConvFilterCl.scratch(g))]);
            for (int t = 1; t <= 3; t++) {
                Parallel.setThreads(t);
                float[] images = dw0.clone();
                Conv2dCpu.backwardFilter(images, null, dy, x, g, new float[(int) Conv2dCpu.workspaceFloats(g, true)]);
                Close.assertExact(blocks, images, "dw of " + g + " by images on " + t + " threads against blocks");
            }
        }
        assertEquals(Gemm.VL == 8 ? 3 : 4, walked, "shapes walked image by image");
    }

    /**
     * Element by element (C = 3, W = 3) and by 16 x 16 register blocks (C = 32, W = 32: two blocks each way, as
     * conv3 of the base CNN; at 16 lanes); every element, the zero borders and a block of one image.
     */
    @ParameterizedTest
    @CsvSource({"3, 2, 3, 1, 2", "32, 3, 32, 1, 1"})
    void channelLastPadIsATransposeWithZeroBorders(int c, int h, int w, int ph, int pw) {
        int n = 2, hp = h + 2 * ph, wp = w + 2 * pw;
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        float[] xt = new float[n * hp * wp * c];
        java.util.Arrays.fill(xt, Float.NaN);
        ConvFilterCl.padChannelLast(xt, x, 0, n, c, h, w, ph, pw, hp, wp);
        float[] second = new float[hp * wp * c];                 // image 1 alone, as a block of one
        ConvFilterCl.padChannelLast(second, x, 1, 1, c, h, w, ph, pw, hp, wp);
        assertArrayEquals(java.util.Arrays.copyOfRange(xt, hp * wp * c, 2 * hp * wp * c), second);
        float[] expected = new float[xt.length];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < c; ci++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        expected[((b * hp + i + ph) * wp + j + pw) * c + ci] = x[((b * c + ci) * h + i) * w + j];
                    }
                }
            }
        }
        assertArrayEquals(expected, xt);
    }
}
