package dev.mtdtl.tensor.cpu;

import dev.mtdtl.tensor.Shape;

/**
 * Geometry of a 2-D convolution, NCHW: input x (N, C, H, W), weight w (OC, C, KH, KW), output
 * y (N, OC, HO, WO) with stride (SH, SW) and zero padding (PH, PW) on both sides of each axis;
 * HO = floor((H + 2 PH - KH) / SH) + 1 and likewise WO. Validated on construction, so an op that
 * receives one never sees an impossible shape.
 */
public record ConvGeom(int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int ph, int pw) {

    public ConvGeom {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || oc <= 0 || kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0
                || ph < 0 || pw < 0) {
            throw new IllegalArgumentException("bad conv geometry: " + describe(n, c, h, w, oc, kh, kw, sh, sw, ph, pw)
                    + " (sizes, kernel and stride must be positive, padding >= 0)");
        }
        if (h + 2L * ph < kh || w + 2L * pw < kw) {
            throw new IllegalArgumentException("kernel " + kh + "x" + kw + " does not fit input " + h + "x" + w
                    + " with padding (" + ph + ", " + pw + "): " + describe(n, c, h, w, oc, kh, kw, sh, sw, ph, pw));
        }
        if ((long) n * c * h * w > Integer.MAX_VALUE || (long) n * oc * ((h + 2L * ph - kh) / sh + 1)
                * ((w + 2L * pw - kw) / sw + 1) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv tensors too large for a Java array: "
                    + describe(n, c, h, w, oc, kh, kw, sh, sw, ph, pw));
        }
    }

    /** Stride 1, "same" padding (k-1)/2 for an odd square kernel k. */
    public static ConvGeom same(int n, int c, int h, int w, int oc, int k) {
        return new ConvGeom(n, c, h, w, oc, k, k, 1, 1, (k - 1) / 2, (k - 1) / 2);
    }

    public int ho() {
        return Shape.convOut(h, kh, sh, ph);
    }

    public int wo() {
        return Shape.convOut(w, kw, sw, pw);
    }

    /** Elements of x (N, C, H, W). */
    public int xSize() {
        return n * c * h * w;
    }

    /** Elements of w (OC, C, KH, KW). */
    public int wSize() {
        return oc * c * kh * kw;
    }

    /** Elements of y (N, OC, HO, WO). */
    public int ySize() {
        return n * oc * ho() * wo();
    }

    /** Multiply-adds x 2 of one direction (forward, backward-data and backward-filter each cost this). */
    public long flops() {
        return 2L * n * oc * ho() * wo() * c * kh * kw;
    }

    @Override
    public String toString() {
        return describe(n, c, h, w, oc, kh, kw, sh, sw, ph, pw);
    }

    private static String describe(int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int ph, int pw) {
        return "x (" + n + ", " + c + ", " + h + ", " + w + ") w (" + oc + ", " + c + ", " + kh + ", " + kw
                + ") stride (" + sh + ", " + sw + ") pad (" + ph + ", " + pw + ")";
    }
}
