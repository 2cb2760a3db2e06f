package dev.mtdtl.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Twins of layers: instances that share parameters, running statistics and dropout counters with the
 * original but keep their own activation caches.
 *
 * <p>Why: layers cache per-call state (input, argmax, batch statistics) for their backward. The
 * Siamese self source runs the same representation path on two crops before a single backward, so
 * the second call must not overwrite the first call's caches. A twin path does the second call; both
 * backwards accumulate (+=) into the same gradient tensors, which is exactly the gradient of the
 * weight-tied network. BatchNorm twins normalise with their own batch statistics and update the shared
 * running statistics once each, as two calls of one PyTorch module (digest section 3).
 */
final class Twins {

    private Twins() {}

    /** A twin of {@code l}: recurses into {@link Sequential}; parameter-free layers get fresh instances. */
    static Layer of(Layer l) {
        if (l instanceof Conv2d c) {
            return c.twin();
        } else if (l instanceof BatchNorm b) {
            return b.twin();
        } else if (l instanceof Linear f) {
            return f.twin();
        } else if (l instanceof Dropout d) {
            return d.twin();
        } else if (l instanceof Relu r) {
            return r.twin();
        } else if (l instanceof BatchNormReluPool f) {
            return f.twin();
        } else if (l instanceof ReluPool rp) {
            return rp.twin();
        } else if (l instanceof MaxPool2d) {
            return new MaxPool2d();
        } else if (l instanceof GlobalAvgPool) {
            return new GlobalAvgPool();
        } else if (l instanceof Sequential s) {
            List<Layer> ls = new ArrayList<>();
            for (Layer x : s.layers()) {
                ls.add(of(x));
            }
            return new Sequential(ls);
        }
        throw new IllegalArgumentException("no twin for layer type " + l.getClass().getSimpleName());
    }
}
