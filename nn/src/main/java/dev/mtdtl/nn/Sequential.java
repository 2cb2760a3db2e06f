package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Layers applied in order; backward calls them in reverse. */
public final class Sequential implements Layer {

    private final List<Layer> layers;

    public Sequential(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    public Sequential(Layer... layers) {
        this(List.of(layers));
    }

    public List<Layer> layers() {
        return layers;
    }

    @Override
    public List<Layer> children() {
        return layers;
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Layer l : layers) {
            x = l.forward(x);
        }
        return x;
    }

    /**
     * {@link #forward} for inference: a conv followed by a {@link BatchNormReluPool} in evaluation mode runs as one
     * op where the device offers it (the CPU, for conv1-conv4 of the base CNN: {@code ConvPoolEvalCpu}), so the
     * conv's full output never goes to memory; the same bits as forward. Everything else as forward.
     */
    @Override
    public Tensor infer(Tensor x) {
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            Layer next = i + 1 < layers.size() ? layers.get(i + 1) : null;
            if (l instanceof Conv2d conv && next instanceof BatchNormReluPool block) {
                Tensor y = conv.inferThroughPool(x, block);
                if (y != null) {
                    x = y;
                    i++;
                    continue;
                }
            }
            x = l.infer(x);
        }
        return x;
    }

    @Override
    public Tensor backward(Tensor dy) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            dy = layers.get(i).backward(dy);
        }
        return dy;
    }

    @Override
    public List<Param> params() {
        List<Param> ps = new ArrayList<>();
        for (Layer l : layers) {
            ps.addAll(l.params());
        }
        return ps;
    }

    @Override
    public List<Param> buffers() {
        List<Param> ps = new ArrayList<>();
        for (Layer l : layers) {
            ps.addAll(l.buffers());
        }
        return ps;
    }

    @Override
    public void setTraining(boolean training) {
        for (Layer l : layers) {
            l.setTraining(training);
        }
    }
}
