package dev.mtdtl.cli.conformance;

import dev.mtdtl.tensor.Shape;

/**
 * A numpy basic-slice region such as {@code "[:, 64:-64]"} over a C-order array: one {@code start:stop}
 * per axis (empty bounds mean the whole axis, negative ones count from the end, a missing trailing
 * axis means all of it; no steps). Used for manifest tolerances that apply to part of an output.
 */
final class Region {

    private Region() {}

    /** A mask over the flattened array that is true inside the region. */
    static boolean[] mask(String region, int[] shape) {
        if (region == null) {
            throw new IllegalArgumentException("no region given for the independent tolerance");
        }
        String s = region.trim();
        if (!s.startsWith("[") || !s.endsWith("]")) {
            throw new IllegalArgumentException("region '" + region + "' is not of the form [a:b, ...]");
        }
        String[] parts = s.substring(1, s.length() - 1).split(",");
        if (parts.length > shape.length) {
            throw new IllegalArgumentException("region '" + region + "' has more axes than shape " + Shape.str(shape));
        }
        int[] lo = new int[shape.length];
        int[] hi = shape.clone();
        for (int a = 0; a < parts.length; a++) {
            String p = parts[a].trim();
            int colon = p.indexOf(':');
            if (colon < 0) {
                int i = norm(Integer.parseInt(p), shape[a]);
                lo[a] = i;
                hi[a] = i + 1;
                continue;
            }
            String l = p.substring(0, colon).trim();
            String h = p.substring(colon + 1).trim();
            lo[a] = l.isEmpty() ? 0 : norm(Integer.parseInt(l), shape[a]);
            hi[a] = h.isEmpty() ? shape[a] : norm(Integer.parseInt(h), shape[a]);
        }
        boolean[] m = new boolean[Shape.numel(shape)];
        int[] idx = new int[shape.length];
        for (int flat = 0; flat < m.length; flat++) {
            int r = flat;
            boolean in = true;
            for (int a = shape.length - 1; a >= 0; a--) {
                idx[a] = r % shape[a];
                r /= shape[a];
                in &= idx[a] >= lo[a] && idx[a] < hi[a];
            }
            m[flat] = in;
        }
        return m;
    }

    private static int norm(int i, int n) {
        return Math.max(0, Math.min(n, i < 0 ? n + i : i));
    }
}
