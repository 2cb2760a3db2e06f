package dev.mtdtl.factor;

import jdk.incubator.vector.DoubleVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VecExpTest {

    @Test
    void withinTwoUlpOfMathExpAndVectorEqualsScalar() {
        SplittableRandom r = new SplittableRandom(1);
        int lanes = VecExp.S.length();   // 8 on AVX-512; 4 and 2 in the narrow-vector runs (factor/pom.xml)
        double[] t = new double[lanes];
        double[] out = new double[lanes];
        for (int n = 0; n < 50_000; n++) {
            for (int l = 0; l < lanes; l++) {
                t[l] = n < 100 ? -n * 0.01 * l : -r.nextDouble() * (n % 2 == 0 ? 1.0 : 720.0);
            }
            VecExp.expNonPositive(DoubleVector.fromArray(VecExp.S, t, 0)).intoArray(out, 0);
            for (int l = 0; l < lanes; l++) {
                double want = Math.exp(t[l]);
                double got = out[l];
                assertEquals(VecExp.expNonPositive(t[l]), got, 0.0, "vector vs scalar twin at " + t[l]);
                if (t[l] < -708.0) {
                    assertEquals(0.0, got, 0.0);
                } else {
                    assertTrue(Math.abs(got - want) <= 2 * Math.ulp(want), "exp(" + t[l] + ") = " + got + " vs " + want);
                }
            }
        }
        assertEquals(1.0, VecExp.expNonPositive(0.0), 0.0);
        assertEquals(0.0, VecExp.expNonPositive(Double.NEGATIVE_INFINITY), 0.0);
    }
}
