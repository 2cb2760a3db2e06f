package dev.mtdtl.nn;

import dev.mtdtl.tensor.Rng;
import dev.mtdtl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Layer#infer}: in evaluation mode a conv and the pooled block after it run as one op on the CPU
 * (tensor's ConvPoolEvalCpu) with the same bits as the two forwards; in training mode infer is forward (the batch
 * statistics and the running ones move); after an inference pass no backward may run (the conv output it would
 * need never existed), and one says so instead of computing from stale buffers.
 */
class InferTest {

    /** conv1 of the base CNN (5 x 5, row stride 2) and conv2's shape, their pooled blocks; crops of 2 x 64 x 32. */
    private static Sequential twoBlocks(long seed) {
        Rng rng = new Rng(seed);
        Conv2d c1 = new Conv2d("conv1", 2, 16, 5, 2, 1, 2, true).setInputGrad(false);
        Conv2d c2 = new Conv2d("conv2", 16, 32, 3, 1, 1, 1, true);
        for (Conv2d c : new Conv2d[]{c1, c2}) {
            Init.glorotUniform(c.weight().value(), c.fanIn(), c.fanOut(), rng);
            Init.torchDefault(c.bias().value(), c.fanIn(), rng);
        }
        return new Sequential(new Sequential(c1, new BatchNormReluPool(new BatchNorm("bn1", 16), new ReluPool())),
                new Sequential(c2, new BatchNormReluPool(new BatchNorm("bn2", 32), new ReluPool())));
    }

    @Test
    void evalInferenceIsForwardBitForBitAndLeavesNothingToBackward() {
        Sequential net = twoBlocks(4);
        Tensor warm = BaseCnnTest.input(1, 6, 64, 32);
        net.infer(warm);   // training mode: a forward, the running statistics move
        BatchNorm bn1 = ((BatchNormReluPool) ((Sequential) net.layers().get(0)).layers().get(1)).batchNorm();
        assertEquals(1, bn1.batchesTracked(), "infer in training mode is forward");
        net.setTraining(false);
        Tensor x = BaseCnnTest.input(2, 5, 64, 32);
        float[] byForward = net.forward(x).data().clone();
        float[] byInfer = net.infer(x).data().clone();
        assertArrayEquals(byForward, byInfer, 0f);
        assertEquals(1, bn1.batchesTracked(), "evaluation mode moves nothing");
        Tensor dy = Tensor.zeros(5, 32, 8, 8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.backward(dy));
        assertEquals(true, e.getMessage().contains("inference"), e.getMessage());
        net.forward(x);   // a forward makes a backward possible again
        net.backward(dy);
    }
}
