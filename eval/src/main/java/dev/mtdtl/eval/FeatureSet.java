package dev.mtdtl.eval;

import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Checksums;
import dev.mtdtl.tensor.io.Json;
import dev.mtdtl.tensor.io.JsonFields;
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
 *   features.json   name, strategy, sources (a+b), dataset, dims, tracks, crc32 of both files
 *                   (written last: complete; {@link #read} verifies the CRCs)
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

    /** Write the folder: the arrays atomically, then the sidecar with their CRCs (no timings: byte-deterministic). */
    public void write(Path dir) throws IOException {
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
        Map<String, Object> crc = new LinkedHashMap<>();
        crc.put("features.npy", Checksums.crc32(dir.resolve("features.npy")));
        crc.put("tracks.csv", Checksums.crc32(dir.resolve("tracks.csv")));
        j.put("crc32", crc);
        AtomicFiles.writeString(dir.resolve("features.json"), Json.write(j, 2) + "\n");
    }

    /**
     * Read a feature folder, verifying the CRC-32 of features.npy and tracks.csv that features.json records
     * (folders written before checksums were recorded are read unverified). Errors name the file and line
     * or field.
     */
    public static FeatureSet read(Path dir) throws IOException {
        Path side = dir.resolve("features.json");
        if (!Files.isRegularFile(side)) {
            throw new IllegalArgumentException(dir + ": not a feature folder (no features.json; run 'mtdtl extract')");
        }
        Map<String, Object> j = JsonFields.read(side);
        if (!"mtdtl-features".equals(j.get("format"))) {
            throw new IllegalArgumentException(side + ": field format is not mtdtl-features");
        }
        Path npy = dir.resolve("features.npy");
        Path csv = dir.resolve("tracks.csv");
        for (Path p : List.of(npy, csv)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(p + ": missing from the feature folder (re-run 'mtdtl extract')");
            }
        }
        if (j.containsKey("crc32")) {
            Map<String, Object> crc = JsonFields.obj(j, "crc32", side);
            Checksums.verify(npy, JsonFields.lng(crc, "features.npy", 0, 0xFFFFFFFFL, side), side, "crc32.features.npy");
            Checksums.verify(csv, JsonFields.lng(crc, "tracks.csv", 0, 0xFFFFFFFFL, side), side, "crc32.tracks.csv");
        }
        Npy.Array a = Npy.read(npy);
        if (a.shape().length != 2 || a.shape()[0] < 1 || a.shape()[1] < 1) {
            throw new IllegalArgumentException(npy + ": expected (N, D) with N, D >= 1, got "
                    + java.util.Arrays.toString(a.shape()));
        }
        List<String> lines = dev.mtdtl.tensor.io.TextFiles.lines(csv);
        if (lines.isEmpty() || !lines.get(0).equals("track_id")) {
            throw new IllegalArgumentException(csv + ":1: expected the header track_id");
        }
        List<String> ids = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 1; i < lines.size(); i++) {
            String id = lines.get(i).trim();
            if (id.isEmpty() || !seen.add(id)) {
                throw new IllegalArgumentException(csv + ":" + (i + 1) + ": " + (id.isEmpty() ? "empty track id"
                        : "track id " + id + " listed twice"));
            }
            ids.add(id);
        }
        if (ids.size() != a.shape()[0]) {
            throw new IllegalArgumentException(dir + ": tracks.csv lists " + ids.size() + " tracks, features.npy has "
                    + a.shape()[0] + " rows");
        }
        float[] x = a.toFloat();
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException(npy + ": non-finite value " + x[i] + " at row " + i / a.shape()[1]
                        + ", column " + i % a.shape()[1]);
            }
        }
        return new FeatureSet(JsonFields.str(j, "name", side), JsonFields.str(j, "strategy", side),
                JsonFields.str(j, "sources", side), JsonFields.str(j, "dataset", side), ids, x, a.shape()[1]);
    }
}
