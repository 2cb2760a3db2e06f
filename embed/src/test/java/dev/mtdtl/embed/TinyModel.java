package dev.mtdtl.embed;

import dev.mtdtl.dsp.BandStats;
import dev.mtdtl.nn.BaseCnn;
import dev.mtdtl.nn.MultiSourceNet;
import dev.mtdtl.nn.Source;
import dev.mtdtl.nn.StateDict;
import dev.mtdtl.nn.Strategy;
import dev.mtdtl.tensor.Rng;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The embed tests' model: a small MS-CR@2 network (8-d features) with random weights and statistics. */
final class TinyModel {

    private TinyModel() {}

    /** Writes {@code dir/m.mtdtl} (and its parts) and returns its path. */
    static Path write(Path dir) throws IOException {
        BaseCnn.Spec spec = new BaseCnn.Spec(2, new int[]{4, 4, 4, 4, 4, 8, 8}, 8, 50, 0.5f);
        MultiSourceNet net = new MultiSourceNet(Strategy.of("mscr2"), List.of(Source.of("bpm"), Source.of("tag")), spec, 16, 3);
        Path w = dir.resolve("model.safetensors");
        StateDict.save(w, net.stateDict(), net.batchNorms(), Map.of());
        BandStats st = new BandStats(128);
        Rng r = new Rng(5);
        float[] frames = new float[100 * 128];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = (float) (-40 + 10 * r.nextGaussian());
        }
        st.add(frames, 0, 100);
        Path sf = dir.resolve("stats.npy");
        st.save(sf);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("format", ModelFile.FORMAT);
        c.put("strategy", "mscr2");
        c.put("sources", "bpm,tag");
        Map<String, Object> sp = new LinkedHashMap<>();
        sp.put("in_channels", 2);
        sp.put("conv_channels", List.of(4, 4, 4, 4, 4, 8, 8));
        sp.put("feature_dim", 8);
        sp.put("n_out", 50);
        sp.put("dropout", 0.5);
        sp.put("pair_hidden", 16);
        c.put("spec", sp);
        c.put("mel", "paper");
        c.put("slice_frames", ModelFile.SLICE);
        c.put("run", "tiny");
        Path model = dir.resolve("m.mtdtl");
        new ModelFile(c, Files.readAllBytes(sf), Files.readAllBytes(w)).write(model);
        return model;
    }
}
