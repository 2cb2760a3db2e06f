package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A shared trunk feeding named heads: head h computes {@code heads[h](trunk(x))}. This is the wiring
 * of the multi-source networks (a shared stem, then one branch per learning source). A forward selects
 * one head; the matching backward runs that head's backward and then the trunk's, so the trunk's
 * gradients accumulate from whichever heads were trained.
 */
public final class Branch {

    private final Layer trunk;
    private final Map<String, Layer> heads;
    private String active;

    public Branch(Layer trunk, Map<String, Layer> heads) {
        if (heads.isEmpty()) {
            throw new IllegalArgumentException("a branch needs at least one head");
        }
        this.trunk = trunk;
        this.heads = new LinkedHashMap<>(heads);
    }

    public Layer trunk() {
        return trunk;
    }

    public Layer head(String name) {
        Layer h = heads.get(name);
        if (h == null) {
            throw new IllegalArgumentException("no head '" + name + "' (have " + heads.keySet() + ")");
        }
        return h;
    }

    public List<String> headNames() {
        return List.copyOf(heads.keySet());
    }

    public Tensor forward(String head, Tensor x) {
        Layer h = head(head);
        active = head;
        return h.forward(trunk.forward(x));
    }

    /** Backward through the head used by the last forward, then the trunk; returns dL/dx. */
    public Tensor backward(Tensor dy) {
        if (active == null) {
            throw new IllegalStateException("backward before forward");
        }
        return trunk.backward(head(active).backward(dy));
    }

    /** The trunk's parameters (the shared group). */
    public List<Param> trunkParams() {
        return trunk.params();
    }

    /** All parameters: trunk first, then each head in insertion order. */
    public List<Param> params() {
        List<Param> ps = new ArrayList<>(trunk.params());
        for (Layer h : heads.values()) {
            ps.addAll(h.params());
        }
        return ps;
    }

    public List<Param> buffers() {
        List<Param> ps = new ArrayList<>(trunk.buffers());
        for (Layer h : heads.values()) {
            ps.addAll(h.buffers());
        }
        return ps;
    }

    public void setTraining(boolean training) {
        trunk.setTraining(training);
        for (Layer h : heads.values()) {
            h.setTraining(training);
        }
    }
}
