package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BranchAndAdamTest {

    @Test
    void branchRoutesGradientsThroughTheActiveHeadAndTheTrunk() {
        Linear trunk = new Linear("trunk", 3, 4, true);
        Linear a = new Linear("a", 4, 2, true);
        Linear b = new Linear("b", 4, 2, true);
        for (Linear l : List.of(trunk, a, b)) {
            float[] w = l.weight().value().data();
            for (int i = 0; i < w.length; i++) {
                w[i] = 0.1f * (i + 1);
            }
        }
        Branch net = new Branch(trunk, Map.of("a", a, "b", b));
        Tensor x = Tensor.of(new float[]{1, 2, 3, -1, 0, 1}, 2, 3);
        net.forward("a", x);
        net.backward(Tensor.of(new float[]{1, 0, 0, 1}, 2, 2));
        float[] zero = new float[8];
        assertArrayEquals(zero, b.weight().grad().data(), 0f, "the idle head gets no gradient");
        // d trunk.bias = sum_n dy_n W_a, with W_a rows (0.1..0.4) and (0.5..0.8)
        assertArrayEquals(new float[]{0.6f, 0.8f, 1.0f, 1.2f}, trunk.bias().grad().data(), 1e-6f);
        assertEquals(List.of("trunk.weight", "trunk.bias"), net.trunkParams().stream().map(Param::name).toList());
        assertThrows(IllegalArgumentException.class, () -> net.forward("c", x));
    }

    @Test
    void adamMatchesHandComputedFirstStepAndRefusesBuffers() {
        Param p = Param.trainable("p", 2);
        p.value().data()[0] = 1f;
        p.value().data()[1] = -2f;
        p.grad().data()[0] = 0.5f;
        p.grad().data()[1] = 0f;
        Adam adam = new Adam(List.of(p), 0.1f, 0.9f, 0.999f, 1e-8f, 0.01f);
        adam.step();
        // step 1: m_hat = g', v_hat = g'^2, so the update is lr * g'/(|g'| + eps) = lr * sign(g')
        assertEquals(1f - 0.1f, p.value().data()[0], 1e-6f);
        assertEquals(-2f + 0.1f, p.value().data()[1], 1e-6f); // g' = 0 + 0.01 * (-2): decay alone moves it
        assertEquals(1, adam.steps());
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(Param.buffer("b", 1)), 0.1f, 0.9f,
                0.999f, 1e-8f, 0f));
    }
}
