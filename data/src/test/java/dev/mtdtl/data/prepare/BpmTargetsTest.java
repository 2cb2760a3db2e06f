package dev.mtdtl.data.prepare;

import dev.mtdtl.factor.Gmm1d;
import dev.mtdtl.tensor.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bpm targets: on a few hundred tempi the reference's 50-component GMM posteriors are one-hot, so tempi 2%
 * apart (the labels' own jitter) get unrelated targets; with the relative label uncertainty
 * ({@link LearningTargets#BPM_NOISE}) neighbouring tempi share their targets and an octave apart do not.
 */
class BpmTargetsTest {

    private static final int K = 50;

    // 400 tempi shaped like the built-in learning corpus's (most in 60-170 BPM, a few fast ones).
    private static double[] tempi() {
        Rng r = new Rng(17);
        double[] t = new double[400];
        for (int i = 0; i < t.length; i++) {
            t[i] = i % 25 == 0 ? 170 + 60 * r.nextDouble() : Math.exp(Math.log(60) + Math.log(170 / 60.0) * r.nextDouble());
        }
        return t;
    }

    private static double[] posterior(Gmm1d.Params p, double x) {
        double[] out = new double[K];
        Gmm1d.predictProba(out, p, new double[]{x});
        return out;
    }

    // Bhattacharyya coefficient: 1 for equal distributions, 0 for disjoint ones.
    private static double overlap(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.sqrt(a[i] * b[i]);
        }
        return s;
    }

    @Test
    void neighbouringTempiShareTheirTargetsOnlyWithTheLabelUncertainty() {
        double[] t = tempi();
        Gmm1d.Params raw = Gmm1d.fit(t, Gmm1d.Options.defaults().withComponents(K).withSeed(3)).params();
        Gmm1d.Params soft = LearningTargets.widened(raw, LearningTargets.BPM_NOISE);
        double rawMax = 0;
        double softMax = 0;
        double rawNear = 0;
        double softNear = 0;
        double softOctave = 0;
        int n = 0;
        for (double x : t) {
            if (x > 150) {
                continue;                                   // keep 2x inside the fitted range's tail, not beyond it
            }
            double[] r0 = posterior(raw, x);
            double[] s0 = posterior(soft, x);
            rawMax += java.util.Arrays.stream(r0).max().getAsDouble();
            softMax += java.util.Arrays.stream(s0).max().getAsDouble();
            rawNear += overlap(r0, posterior(raw, 1.02 * x));
            softNear += overlap(s0, posterior(soft, 1.02 * x));
            softOctave += overlap(s0, posterior(soft, 2 * x));
            n++;
        }
        rawMax /= n;
        softMax /= n;
        rawNear /= n;
        softNear /= n;
        softOctave /= n;
        assertTrue(rawMax > 0.8, "the reference's posteriors are nearly one-hot here: mean max " + rawMax);
        assertTrue(rawNear < 0.6, "tempi 2% apart get different raw targets: overlap " + rawNear);
        assertTrue(softMax < 0.5, "widened posteriors spread: mean max " + softMax);
        assertTrue(softNear > 0.9, "tempi 2% apart share widened targets: overlap " + softNear);
        assertTrue(softOctave < 0.1, "an octave apart stays apart: overlap " + softOctave);
    }

    @Test
    void wideningKeepsWeightsAndMeansAndAddsTheRelativeVariance() {
        Gmm1d.Params p = new Gmm1d.Params(new double[]{0.5, 0.5}, new double[]{100, 200}, new double[]{4, 9});
        Gmm1d.Params w = LearningTargets.widened(p, 0.05);
        assertEquals(p.weights(), w.weights());
        assertEquals(p.means(), w.means());
        assertEquals(4 + 25, w.variances()[0], 1e-12);
        assertEquals(9 + 100, w.variances()[1], 1e-12);
    }
}
