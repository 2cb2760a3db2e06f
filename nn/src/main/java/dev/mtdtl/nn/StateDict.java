package dev.mtdtl.nn;

import dev.mtdtl.tensor.Tensor;
import dev.mtdtl.tensor.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Saving and loading a model's named tensors as safetensors with PyTorch state_dict names.
 *
 * <p>In PyTorch: {@code model.load_state_dict(safetensors.torch.load_file("model.safetensors"))}
 * loads our file into the equivalent nn.Module (every BatchNorm also gets its int64
 * {@code num_batches_tracked}, which we write so that a strict load succeeds).
 */
public final class StateDict {

    private StateDict() {}

    /** Write {@code params} (values) plus each BatchNorm's num_batches_tracked, atomically. */
    public static void save(Path file, List<Param> params, List<BatchNorm> bns, Map<String, String> metadata)
            throws IOException {
        Safetensors.Writer w = new Safetensors.Writer();
        for (Param p : params) {
            w.put(p.name(), p.value().toCpu());   // downloads a GPU model's tensors
        }
        for (BatchNorm bn : bns) {
            w.putLong(bn.name() + ".num_batches_tracked", new long[]{bn.batchesTracked()});
        }
        w.metadata("format", "pt");
        metadata.forEach(w::metadata);
        w.write(file);
    }

    /**
     * Load values by name into {@code params}. Strict: every param must be present with its shape and
     * no float tensor may be left over (num_batches_tracked entries are applied to {@code bns}).
     */
    public static void load(Safetensors.Contents file, List<Param> params, List<BatchNorm> bns, String source) {
        Map<String, Tensor> floats = new LinkedHashMap<>(file.floats);
        Set<String> missing = new TreeSet<>();
        for (Param p : params) {
            Tensor t = floats.remove(p.name());
            if (t == null) {
                missing.add(p.name());
                continue;
            }
            try {
                p.load(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
            }
        }
        if (!missing.isEmpty() || !floats.isEmpty()) {
            throw new IllegalArgumentException(source + ": state dict does not match the model"
                    + (missing.isEmpty() ? "" : "; missing " + missing)
                    + (floats.isEmpty() ? "" : "; unexpected " + new TreeSet<>(floats.keySet())));
        }
        for (BatchNorm bn : bns) {
            long[] v = file.ints.get(bn.name() + ".num_batches_tracked");
            if (v != null && v.length == 1) {
                bn.setBatchesTracked(v[0]);
            }
        }
    }

    public static void load(Path file, List<Param> params, List<BatchNorm> bns) throws IOException {
        load(Safetensors.read(file), params, bns, file.toString());
    }
}
