package dev.mtdtl.study.analysis;

import dev.mtdtl.tensor.Rng;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A linear mixed model with independent variance components, fitted by REML:
 * <pre>
 *   y = X beta + sum_k Z_k u_k + e,   u_k ~ N(0, sigma_k^2 I),   e ~ N(0, sigma^2 I)
 * </pre>
 * n rows, p fixed effects, q random-effect columns, each column belonging to one of K components.
 * This covers the paper's two hierarchical models (section 5.2: per-dataset random intercepts and
 * slopes) and the crossed per-source components of Table 6.
 *
 * <p><b>Objective</b> (Bates et al.'s profiled REML, the same quantity statsmodels' MixedLM reports as
 * llf): with relative variances psi_k = sigma_k^2 / sigma^2, V = I + Z Psi Z^T,
 * <pre>
 *   -2 l_R(psi) = log|V| + log|X^T V^-1 X| + (n-p) (1 + log(2 pi r^2 / (n-p))),
 *   r^2 = y^T P y,  P = V^-1 - V^-1 X (X^T V^-1 X)^-1 X^T V^-1,  sigma^2 = r^2 / (n-p).
 * </pre>
 * Everything is computed in q-space from sufficient statistics (X^T X, Z^T Z, Z^T X, X^T y, Z^T y,
 * y^T y), by Woodbury with U = Z Lambda, Lambda = diag(sqrt psi): V^-1 = I - U (U^T U + I)^-1 U^T and
 * log|V| = log|U^T U + I|. Z^T Z is block diagonal over groups of columns that share no row (one block
 * per dataset in the paper's models), so each evaluation costs sum over blocks of m^3.
 *
 * <p><b>Gradient</b> (d(-2 l_R)/d psi_k = tr(Z_k^T P Z_k) - (n-p) |Z_k^T P y|^2 / r^2, from
 * d log|V| + d log|X^T V^-1 X| = tr(P dV) and d(y^T P y) = -y^T P dV P y) drives a BFGS search over
 * theta_k = sqrt(psi_k) (unconstrained: the objective is even in theta, so the bound psi >= 0 holds by
 * construction and a component whose optimum is 0 is approached quadratically).
 *
 * <p>Omits: correlated random effects (the paper's components are independent), ML fitting.
 */
public final class Lmm {

    /** The design, with its y-free sufficient statistics. */
    public static final class Design {
        final int n;
        final int p;
        final int q;
        final int k;
        final double[] x;            // (n, p)
        final int[][] zCol;          // per row: its non-zero Z columns
        final double[][] zVal;       // per row: their values
        final int[] vcOf;            // (q) component of each Z column
        final List<String> fixedNames;
        final List<String> vcNames;
        final int[][] blocks;        // Z columns of each independent block
        final int[] blockOf;         // (q)
        final int[] posInBlock;      // (q)
        final double[] xtx;          // (p, p)
        final double[][] ztz;        // per block (m, m)
        final double[][] ztx;        // per block (m, p)

        /**
         * x: (n, p) row-major. zCol/zVal: per row, the Z columns (0..q-1) and values. vcOf: (q) the
         * component (0..K-1) of each column. Names label the fixed effects and the components.
         */
        public Design(double[] x, int n, List<String> fixedNames, int[][] zCol, double[][] zVal, int[] vcOf,
                      List<String> vcNames) {
            this.n = n;
            this.p = fixedNames.size();
            this.q = vcOf.length;
            this.k = vcNames.size();
            if (x.length != n * p || zCol.length != n || zVal.length != n) {
                throw new IllegalArgumentException("design: X is " + x.length + " values for " + n + " rows x " + p
                        + " columns, Z has " + zCol.length + " rows");
            }
            this.x = x;
            this.zCol = zCol;
            this.zVal = zVal;
            this.vcOf = vcOf;
            this.fixedNames = List.copyOf(fixedNames);
            this.vcNames = List.copyOf(vcNames);
            // Blocks: connected components of the columns that share a row (union-find).
            int[] parent = new int[q];
            for (int j = 0; j < q; j++) {
                parent[j] = j;
            }
            for (int[] cols : zCol) {
                for (int a = 1; a < cols.length; a++) {
                    int r1 = find(parent, cols[0]);
                    int r2 = find(parent, cols[a]);
                    if (r1 != r2) {
                        parent[r2] = r1;
                    }
                }
            }
            List<List<Integer>> bl = new ArrayList<>();
            int[] rootBlock = new int[q];
            Arrays.fill(rootBlock, -1);
            blockOf = new int[q];
            posInBlock = new int[q];
            for (int j = 0; j < q; j++) {
                int r = find(parent, j);
                if (rootBlock[r] < 0) {
                    rootBlock[r] = bl.size();
                    bl.add(new ArrayList<>());
                }
                blockOf[j] = rootBlock[r];
                posInBlock[j] = bl.get(rootBlock[r]).size();
                bl.get(rootBlock[r]).add(j);
            }
            blocks = new int[bl.size()][];
            ztz = new double[bl.size()][];
            ztx = new double[bl.size()][];
            for (int b = 0; b < blocks.length; b++) {
                blocks[b] = bl.get(b).stream().mapToInt(Integer::intValue).toArray();
                ztz[b] = new double[blocks[b].length * blocks[b].length];
                ztx[b] = new double[blocks[b].length * p];
            }
            xtx = new double[p * p];
            for (int i = 0; i < n; i++) {
                for (int a = 0; a < p; a++) {
                    double xa = x[i * p + a];
                    if (xa == 0) {
                        continue;
                    }
                    for (int c = 0; c < p; c++) {
                        xtx[a * p + c] += xa * x[i * p + c];
                    }
                }
                int[] cols = zCol[i];
                for (int a = 0; a < cols.length; a++) {
                    int b = blockOf[cols[a]];
                    int m = blocks[b].length;
                    int pa = posInBlock[cols[a]];
                    for (int c = 0; c < cols.length; c++) {
                        ztz[b][pa * m + posInBlock[cols[c]]] += zVal[i][a] * zVal[i][c];
                    }
                    for (int c = 0; c < p; c++) {
                        ztx[b][pa * p + c] += zVal[i][a] * x[i * p + c];
                    }
                }
            }
        }

        private static int find(int[] parent, int j) {
            while (parent[j] != j) {
                parent[j] = parent[parent[j]];
                j = parent[j];
            }
            return j;
        }

        public int rows() {
            return n;
        }

        public List<String> fixedNames() {
            return fixedNames;
        }

        public List<String> vcNames() {
            return vcNames;
        }
    }

    /** The y-dependent sufficient statistics. */
    static final class Stats {
        final double[] xty;      // (p)
        final double[][] zty;    // per block (m)
        final double yty;

        Stats(Design d, double[] y) {
            xty = new double[d.p];
            zty = new double[d.blocks.length][];
            for (int b = 0; b < d.blocks.length; b++) {
                zty[b] = new double[d.blocks[b].length];
            }
            double s = 0;
            for (int i = 0; i < d.n; i++) {
                s += y[i] * y[i];
                for (int c = 0; c < d.p; c++) {
                    xty[c] += d.x[i * d.p + c] * y[i];
                }
                for (int a = 0; a < d.zCol[i].length; a++) {
                    int j = d.zCol[i][a];
                    zty[d.blockOf[j]][d.posInBlock[j]] += d.zVal[i][a] * y[i];
                }
            }
            yty = s;
        }
    }

    /** A REML fit. Variances are absolute (sigma_k^2, sigma^2), as statsmodels' vcomp and scale. */
    public record Fit(List<String> fixedNames, double[] beta, double[] se, double[] cov, List<String> vcNames,
                      double[] vc, double residualVariance, double remlLogLik, boolean converged, int iterations) {

        public double beta(String name) {
            int i = fixedNames.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("no fixed effect '" + name + "' in " + fixedNames);
            }
            return beta[i];
        }

        public double vc(String name) {
            int i = vcNames.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("no variance component '" + name + "' in " + vcNames);
            }
            return vc[i];
        }
    }

    /** Thrown when X^T V^-1 X is singular: some fixed effect cannot be estimated from these rows. */
    public static final class SingularException extends IllegalArgumentException {
        SingularException(String m) {
            super(m);
        }
    }

    private Lmm() {}

    // One evaluation of the profiled REML deviance (and its gradient in psi when grad != null).
    private static final class Eval {
        double dev;
        double[] beta;
        double[] cInv;     // (X^T V^-1 X)^-1, (p, p)
        double r2;
    }

    static Eval evaluate(Design d, Stats s, double[] psi, double[] grad) {
        int p = d.p;
        double logDetV = 0;
        double[] xvx = d.xtx.clone();
        double[] xvy = s.xty.clone();
        double yvy = s.yty;
        int nb = d.blocks.length;
        double[][] lb = new double[nb][];
        double[][] sol = new double[nb][];    // per block M^-1 [Lambda Z^T X | Lambda Z^T y], (m, p+1)
        double[][] lam = new double[nb][];
        for (int b = 0; b < nb; b++) {
            int[] cols = d.blocks[b];
            int m = cols.length;
            double[] l = new double[m];
            for (int a = 0; a < m; a++) {
                l[a] = Math.sqrt(Math.max(0, psi[d.vcOf[cols[a]]]));
            }
            lam[b] = l;
            double[] mm = new double[m * m];
            for (int a = 0; a < m; a++) {
                for (int c = 0; c < m; c++) {
                    mm[a * m + c] = l[a] * d.ztz[b][a * m + c] * l[c] + (a == c ? 1 : 0);
                }
            }
            double[] lm = new double[m * m];
            if (!Dense.cholesky(lm, mm, m)) {
                throw new IllegalStateException("I + Lambda Z^T Z Lambda not positive definite (cannot happen)");
            }
            lb[b] = lm;
            logDetV += Dense.logDet(lm, m);
            int w = p + 1;
            double[] rhs = new double[m * w];
            for (int a = 0; a < m; a++) {
                for (int c = 0; c < p; c++) {
                    rhs[a * w + c] = l[a] * d.ztx[b][a * p + c];
                }
                rhs[a * w + p] = l[a] * s.zty[b][a];
            }
            double[] sl = rhs.clone();
            Dense.cholSolve(lm, m, sl, w);
            sol[b] = sl;
            for (int c1 = 0; c1 < p; c1++) {
                for (int a = 0; a < m; a++) {
                    double wa = rhs[a * w + c1];
                    if (wa == 0) {
                        continue;
                    }
                    for (int c2 = 0; c2 < p; c2++) {
                        xvx[c1 * p + c2] -= wa * sl[a * w + c2];
                    }
                    xvy[c1] -= wa * sl[a * w + p];
                }
            }
            for (int a = 0; a < m; a++) {
                yvy -= rhs[a * w + p] * sl[a * w + p];
            }
        }
        double[] lc = new double[p * p];
        if (!Dense.cholesky(lc, xvx, p)) {
            throw new SingularException("X^T V^-1 X is singular: the fixed effects are not all estimable from these "
                    + "rows (a level without observations, or collinear columns)");
        }
        Eval e = new Eval();
        e.beta = xvy.clone();
        Dense.cholSolve(lc, p, e.beta, 1);
        double r2 = yvy;
        for (int c = 0; c < p; c++) {
            r2 -= xvy[c] * e.beta[c];
        }
        int dfr = d.n - p;
        r2 = Math.max(r2, 1e-300);
        e.r2 = r2;
        e.cInv = Dense.inverse(lc, p);
        e.dev = logDetV + Dense.logDet(lc, p) + dfr * (1 + StrictMath.log(2 * Math.PI * r2 / dfr));
        if (grad == null) {
            return e;
        }
        Arrays.fill(grad, 0);
        for (int b = 0; b < nb; b++) {
            int[] cols = d.blocks[b];
            int m = cols.length;
            int w = p + 1;
            double[] a = d.ztz[b];
            double[] l = lam[b];
            // (Lambda A) as m right-hand sides: M^-1 Lambda A gives diag(Z^T V^-1 Z) = A_jj - (Lambda A)_.j^T M^-1 (Lambda A)_.j
            double[] la = new double[m * m];
            for (int r = 0; r < m; r++) {
                for (int c = 0; c < m; c++) {
                    la[r * m + c] = l[r] * a[r * m + c];
                }
            }
            double[] mla = la.clone();
            Dense.cholSolve(lb[b], m, mla, m);
            for (int j = 0; j < m; j++) {
                double zvz = a[j * m + j];
                for (int r = 0; r < m; r++) {
                    zvz -= la[r * m + j] * mla[r * m + j];
                }
                // g_j = (Z^T V^-1 X)_j = ztx_j - (A Lambda M^-1 Lambda Z^T X)_j ; same for y.
                double[] g = new double[p];
                double zvy = s.zty[b][j];
                for (int c = 0; c < p; c++) {
                    g[c] = d.ztx[b][j * p + c];
                }
                for (int r = 0; r < m; r++) {
                    double alr = a[j * m + r] * l[r];
                    if (alr == 0) {
                        continue;
                    }
                    for (int c = 0; c < p; c++) {
                        g[c] -= alr * sol[b][r * w + c];
                    }
                    zvy -= alr * sol[b][r * w + p];
                }
                double gcg = 0;
                double gb = 0;
                for (int c1 = 0; c1 < p; c1++) {
                    gb += g[c1] * e.beta[c1];
                    for (int c2 = 0; c2 < p; c2++) {
                        gcg += g[c1] * e.cInv[c1 * p + c2] * g[c2];
                    }
                }
                double zpz = zvz - gcg;
                double zpy = zvy - gb;
                grad[d.vcOf[cols[j]]] += zpz - dfr * zpy * zpy / r2;
            }
        }
        return e;
    }

    /**
     * Fit by REML: BFGS from every theta = 1 and from every theta = 0.3, the better optimum kept (a flat
     * REML surface can hold a shallow local optimum; two starts make its choice less likely).
     */
    public static Fit fit(Design d, double[] y) {
        double[] a = new double[d.k];
        double[] b = new double[d.k];
        Arrays.fill(a, 1.0);
        Arrays.fill(b, 0.3);
        return fit(d, y, a, b);
    }

    /** Fit by REML, BFGS on theta = sqrt(psi) from each start (K values each); the best optimum is kept. */
    public static Fit fit(Design d, double[] y, double[]... starts) {
        if (y.length != d.n) {
            throw new IllegalArgumentException("y has " + y.length + " values for " + d.n + " rows");
        }
        if (d.n <= d.p) {
            throw new SingularException(d.n + " rows for " + d.p + " fixed effects: REML needs more rows than "
                    + "fixed effects");
        }
        Stats s = new Stats(d, y);
        Opt best = null;
        for (double[] st : starts) {
            Opt o = bfgs(d, s, st.clone());
            if (best == null || o.f < best.f - 1e-9) {
                best = o;
            }
        }
        double[] psi = new double[d.k];
        for (int c = 0; c < d.k; c++) {
            psi[c] = best.theta[c] * best.theta[c];
        }
        Eval e = evaluate(d, s, psi, null);
        double sigma2 = e.r2 / (d.n - d.p);
        double[] cov = new double[d.p * d.p];
        double[] se = new double[d.p];
        for (int i = 0; i < d.p * d.p; i++) {
            cov[i] = sigma2 * e.cInv[i];
        }
        for (int i = 0; i < d.p; i++) {
            se[i] = Math.sqrt(cov[i * d.p + i]);
        }
        double[] vc = new double[d.k];
        for (int c = 0; c < d.k; c++) {
            vc[c] = sigma2 * psi[c];
        }
        return new Fit(d.fixedNames, e.beta, se, cov, d.vcNames, vc, sigma2, -e.dev / 2, best.converged, best.iterations);
    }

    private record Opt(double[] theta, double f, boolean converged, int iterations) {}

    // f(theta) = -2 l_R(theta^2); its gradient by the chain rule d/dtheta = 2 theta d/dpsi.
    private static double objective(Design d, Stats s, double[] theta, double[] g) {
        int k = theta.length;
        double[] psi = new double[k];
        for (int c = 0; c < k; c++) {
            psi[c] = theta[c] * theta[c];
        }
        double[] gpsi = g == null ? null : new double[k];
        Eval e = evaluate(d, s, psi, gpsi);
        if (g != null) {
            for (int c = 0; c < k; c++) {
                g[c] = 2 * theta[c] * gpsi[c];
            }
        }
        return e.dev;
    }

    // BFGS with an Armijo backtracking line search; stops when the gradient (scaled by the size of
    // f) is below 1e-9 or f stops moving for 5 iterations.
    private static Opt bfgs(Design d, Stats s, double[] theta) {
        int k = theta.length;
        double[] g = new double[k];
        double f = objective(d, s, theta, g);
        if (k == 0) {
            return new Opt(theta, f, true, 0);
        }
        double[] h = new double[k * k];
        for (int i = 0; i < k; i++) {
            h[i * k + i] = 1;
        }
        boolean first = true;
        int stall = 0;
        int it;
        boolean converged = false;
        for (it = 0; it < 1000; it++) {
            double gmax = 0;
            for (double v : g) {
                gmax = Math.max(gmax, Math.abs(v));
            }
            if (gmax < 1e-9 * Math.max(1, Math.abs(f)) || stall >= 5) {
                converged = true;
                break;
            }
            double[] dir = new double[k];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    dir[i] -= h[i * k + j] * g[j];
                }
            }
            double slope = 0;
            for (int i = 0; i < k; i++) {
                slope += dir[i] * g[i];
            }
            if (slope >= 0) {                      // not a descent direction: restart from steepest descent
                for (int i = 0; i < k * k; i++) {
                    h[i] = i % (k + 1) == 0 ? 1 : 0;
                }
                for (int i = 0; i < k; i++) {
                    dir[i] = -g[i];
                }
                slope = -dot(g, g);
            }
            double step = 1;
            if (first) {                           // first step: at most 0.5 in theta
                double dmax = 0;
                for (double v : dir) {
                    dmax = Math.max(dmax, Math.abs(v));
                }
                step = Math.min(1, 0.5 / Math.max(dmax, 1e-300));
                first = false;
            }
            double[] tn = new double[k];
            double[] gn = new double[k];
            double fn = Double.NaN;
            boolean accepted = false;
            for (int ls = 0; ls < 60; ls++) {
                for (int i = 0; i < k; i++) {
                    tn[i] = theta[i] + step * dir[i];
                }
                fn = objective(d, s, tn, gn);
                if (Double.isFinite(fn) && fn <= f + 1e-4 * step * slope) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) {
                converged = true;                  // no decrease possible along a descent direction: at a minimum to precision
                break;
            }
            stall = (f - fn) < 1e-12 * Math.max(1, Math.abs(f)) ? stall + 1 : 0;
            double[] sv = new double[k];
            double[] yv = new double[k];
            for (int i = 0; i < k; i++) {
                sv[i] = tn[i] - theta[i];
                yv[i] = gn[i] - g[i];
            }
            double sy = dot(sv, yv);
            if (sy > 1e-12 * Math.sqrt(dot(sv, sv) * dot(yv, yv))) {
                // H+ = (I - rho s y^T) H (I - rho y s^T) + rho s s^T
                double rho = 1 / sy;
                double[] hy = new double[k];
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        hy[i] += h[i * k + j] * yv[j];
                    }
                }
                double yhy = dot(yv, hy);
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        h[i * k + j] += -rho * (hy[i] * sv[j] + sv[i] * hy[j]) + (rho * rho * yhy + rho) * sv[i] * sv[j];
                    }
                }
            }
            theta = tn;
            g = gn;
            f = fn;
        }
        for (int i = 0; i < k; i++) {
            theta[i] = Math.abs(theta[i]);
        }
        return new Opt(theta, f, converged, it);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * One draw from the fitted model (the parametric bootstrap's resample, as lme4's bootMer):
     * y = X beta + sum_k Z_k u_k + e with u_k ~ N(0, sigma_k^2), e ~ N(0, sigma^2), from rng.
     */
    public static double[] simulate(Design d, Fit f, Rng rng) {
        double[] u = new double[d.q];
        for (int j = 0; j < d.q; j++) {
            u[j] = Math.sqrt(Math.max(0, f.vc()[d.vcOf[j]])) * rng.nextGaussian();
        }
        double se = Math.sqrt(f.residualVariance());
        double[] y = new double[d.n];
        for (int i = 0; i < d.n; i++) {
            double v = 0;
            for (int c = 0; c < d.p; c++) {
                v += d.x[i * d.p + c] * f.beta()[c];
            }
            for (int a = 0; a < d.zCol[i].length; a++) {
                v += d.zVal[i][a] * u[d.zCol[i][a]];
            }
            y[i] = v + se * rng.nextGaussian();
        }
        return y;
    }

    /** The theta (sqrt of relative variance) of a fit, a good start for refits of resamples. */
    public static double[] theta(Fit f) {
        double[] t = new double[f.vc().length];
        for (int c = 0; c < t.length; c++) {
            t[c] = Math.max(0.05, Math.sqrt(Math.max(0, f.vc()[c] / f.residualVariance())));
        }
        return t;
    }
}
