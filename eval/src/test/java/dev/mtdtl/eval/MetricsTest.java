package dev.mtdtl.eval;

import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MetricsTest {

    @Test
    void accuracyAndArgmaxMatchTheFixture() {
        float[] scores = Fixtures.f32("metrics_accuracy/scores.npy");
        int[] yTrue = Fixtures.npy("metrics_accuracy/y_true.npy").toInt();
        int[] yPred = Metrics.argmax(scores, 100, 5);
        assertArrayEquals(Fixtures.npy("metrics_accuracy/y_pred.npy").toInt(), yPred);
        assertEquals(Fixtures.f64("metrics_accuracy/accuracy_f64.npy")[0], Metrics.accuracy(yTrue, yPred), 1e-12);
    }

    @Test
    void r2MatchesTheFixtureIncludingMultiOutput() {
        assertEquals(Fixtures.f64("metrics_r2/r2_f64.npy")[0], Metrics.r2(Fixtures.f32("metrics_r2/y_true.npy"),
                Fixtures.f32("metrics_r2/y_pred.npy"), 50, 1), 1e-12);
        double[] raw = Metrics.r2Raw(Fixtures.f32("metrics_r2/y_true_2d.npy"), Fixtures.f32("metrics_r2/y_pred_2d.npy"),
                40, 3);
        assertArrayEquals(Fixtures.f64("metrics_r2/r2_2d_raw_f64.npy"), raw, 1e-12);
    }

    @Test
    void edgeCasesFollowScikitLearn() {
        assertEquals(1.0, Metrics.r2(new float[]{2, 2, 2}, new float[]{2, 2, 2}, 3, 1));
        assertEquals(0.0, Metrics.r2(new float[]{2, 2, 2}, new float[]{2, 2, 3}, 3, 1));
        assertEquals(1, Metrics.argmax(new float[]{0, 5, 5}, 1, 3)[0], "ties go to the first maximum");
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[]{1}, new int[]{1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.r2(new float[4], new float[4], 3, 1));
    }
}
