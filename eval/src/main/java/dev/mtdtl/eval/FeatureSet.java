package dev.mtdtl.eval;

import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.Npy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Extracted features on disk, one folder per (representation, dataset):
 * <pre>
 *   features.npy    (N, D) float32, row i = track i of tracks.csv
 *   tracks.csv      header "track_id", then one id per line
 *   features.json   name, strategy, sources (a+b), dataset, dims, tracks, seconds (written last: complete)
 * </pre>
 * The sidecar is what {@code evaluate} and {@code report} read to label results, and its presence is what a
 * re-run of {@code extract} checks to skip finished work (resume).
 */
public record FeatureSet(String name, String strategy, String sources, String dataset, List<String> ids,
                         float[] x, int dims) {

    public FeatureSet {
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("feature set " + name + " on " + dataset + " holds no tracks");
        }
        if (x.length != (long) ids.size() * dims) {
            throw new IllegalArgumentException("feature set " + name + ": " + x.length + " values for "
                    + ids.size() + " tracks × " + dims + " dims");
        }
    }

    public int size() {
        return ids.size();
    }

    /** True if dir holds a complete feature set. */
    public static boolean complete(Path dir) {
        return Files.isRegularFile(dir.resolve("features.json"));
    }

    public void write(Path dir, double seconds) throws IOException {
        Files.createDirectories(dir);
        Npy.writeFloat(dir.resolve("features.npy"), x, ids.size(), dims);
        StringBuilder sb = new StringBuilder("track_id\n");
        ids.forEach(i -> sb.append(i).append('\n'));
        AtomicFiles.writeString(dir.resolve("tracks.csv"), sb.toString());
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("format", "mtdtl-features");
        j.put("name", name);
        j.put("strategy", strategy);
        j.put("sources", sources);
        j.put("dataset", dataset);
        j.put("dims", (long) dims);
        j.put("tracks", (long) ids.size());
        j.put("seconds", seconds);
        AtomicFiles.writeString(dir.resolve("features.json"), Json.write(j, 2) + "\n");
    }

    public static FeatureSet read(Path dir) throws IOException {
        Path side = dir.resolve("features.json");
        if (!Files.isRegularFile(side)) {
            throw new IllegalArgumentException(dir + ": not a feature folder (no features.json; run 'mtdtl extract')");
        }
        Map<String, Object> j = Json.parseObject(Files.readString(side), side.toString());
        Npy.Array a = Npy.read(dir.resolve("features.npy"));
        if (a.shape().length != 2) {
            throw new IllegalArgumentException(dir.resolve("features.npy") + ": expected (N, D), got "
                    + java.util.Arrays.toString(a.shape()));
        }
        List<String> ids = new ArrayList<>();
        List<String> lines = Files.readAllLines(dir.resolve("tracks.csv"));
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                ids.add(lines.get(i).trim());
            }
        }
        if (ids.size() != a.shape()[0]) {
            throw new IllegalArgumentException(dir + ": tracks.csv lists " + ids.size() + " tracks, features.npy has "
                    + a.shape()[0] + " rows");
        }
        return new FeatureSet(String.valueOf(j.get("name")), String.valueOf(j.get("strategy")),
                String.valueOf(j.get("sources")), String.valueOf(j.get("dataset")), ids, a.toFloat(), a.shape()[1]);
    }
}
