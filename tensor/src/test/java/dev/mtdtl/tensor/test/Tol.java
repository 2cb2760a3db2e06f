package dev.mtdtl.tensor.test;

/**
 * Every tolerance of the test suite, in one place (EJML style).
 *
 * <p>Element-wise float32 ops are exact to a few ulps: rtol 1e-6. Reductions of length K accumulate
 * rounding that grows like sqrt(K) for random signs and like K in the worst case; the sums in our
 * kernels run in float32 with fixed order, so the relative error bound used is
 * {@code 2^-24 * K * safety}, i.e. {@link #reduction(int)}.
 */
public final class Tol {

    private Tol() {}

    /** Element-wise ops (ReLU, scaling, Adam update). */
    public static final double F32_ELEMENTWISE = 2e-6;

    /** Relative L2 error bound for the fixture cases that state no tolerance. */
    public static final double FIXTURE_DEFAULT = 1e-5;

    /** Central finite differences in double with h = 1e-6 on tiny shapes. */
    public static final double FINITE_DIFF = 1e-6;

    /** Relative L2 bound for a float32 reduction of length {@code k}: about 2^-24 * sqrt(k) * 16, at least 1e-6. */
    public static double reduction(int k) {
        return Math.max(1e-6, 16 * Math.sqrt(Math.max(1, k)) * 0x1p-24);
    }

    /** Adam fixture (manifest adam_3steps): the parameter after a step, relative L2. */
    public static final double ADAM_PARAM = 1e-6;

    /** Adam fixture: the update p_t - p0, limited by the float rounding of p (ulp(p)/|delta|). */
    public static final double ADAM_DELTA = 1e-4;
}
