package dev.mtdtl.tensor.ref;

/** torch.optim.Adam (coupled L2 decay, eps after the bias correction) in double, in place on p, m, v. */
public final class AdamRef {

    private AdamRef() {}

    public static void step(double[] p, double[] g, double[] m, double[] v, int t,
                            double lr, double b1, double b2, double eps, double wd) {
        double bc1 = 1 - Math.pow(b1, t);
        double bc2 = 1 - Math.pow(b2, t);
        for (int i = 0; i < p.length; i++) {
            double gi = g[i] + wd * p[i];
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            p[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
        }
    }
}
