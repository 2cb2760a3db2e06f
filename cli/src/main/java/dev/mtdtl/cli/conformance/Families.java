package dev.mtdtl.cli.conformance;

import java.util.ArrayList;
import java.util.List;

/** Every family the engine implements, in the order they are tried. */
public final class Families {

    private Families() {}

    /** Run the layer, loss and network families on {@code d} (dsp and factor families stay on the CPU). */
    public static void onDevice(dev.mtdtl.tensor.Device d) {
        OnDevice.set(d);
    }

    public static List<Family> all() {
        List<Family> f = new ArrayList<>();
        f.addAll(LayerFamilies.all());
        f.addAll(LossFamilies.all());
        f.addAll(CnnFamily.all());
        f.addAll(ModuleFamily.all());
        return f;
    }
}
