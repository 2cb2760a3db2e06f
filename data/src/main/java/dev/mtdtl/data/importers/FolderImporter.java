package dev.mtdtl.data.importers;

import dev.mtdtl.data.Tsv;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Target datasets from audio folders, written into a corpus folder as {@code targets/NAME/} with
 * tracks.tsv, labels.tsv and split.tsv ({@code track_id split fold}) and a manifest entry:
 * <ul>
 *   <li>{@link #gtzan}: GTZAN-style folder per class ({@code ROOT/blues/blues.00000.wav}): track id =
 *       file stem, label = folder name; protocol stratified-5-fold (seeded), split = test for fold 0.</li>
 *   <li>{@link #labelled}: a generic audio folder plus a labels CSV (header; first column the file name
 *       relative to the folder or its stem, the others label columns) and an optional split CSV
 *       ({@code file,split[,fold]}); without it, stratified 5 folds as above. One non-numeric label
 *       column makes a classification task; numeric columns a regression task.</li>
 * </ul>
 * CSV: comma-separated, optional double quotes around a field (no embedded quotes); errors name file:line.
 *
 * <p>Omitted: multi-label tasks (IRMAS's multi-instrument test set), artist-filtered splits.
 */
public final class FolderImporter {

    private FolderImporter() {}

    /** Folder-per-class import; returns the number of tracks. */
    public static int gtzan(Path root, Path corpus, String name, String labelColumn, long seed) throws IOException {
        List<Path> files = CorpusBuilder.audioFiles(root);
        List<String> ids = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Path> audio = new ArrayList<>();
        for (Path f : files) {
            Path rel = root.relativize(f);
            if (rel.getNameCount() != 2) {
                continue;   // only CLASS/FILE
            }
            ids.add(CorpusBuilder.stem(f));
            labels.add(rel.getName(0).toString());
            audio.add(f);
        }
        if (ids.isEmpty()) {
            throw new IOException(root + ": no audio files in class folders (expected ROOT/CLASS/FILE.wav)");
        }
        int[] fold = CorpusBuilder.stratifiedFolds(labels, 5, seed);
        write(corpus, name, ids, audio, new String[] {labelColumn}, labels.stream().map(l -> new String[] {l}).toList(),
                splitsOf(fold), fold, true, "stratified-5-fold", "folder-per-class import of " + root);
        return ids.size();
    }

    /** Audio folder + labels CSV (+ optional split CSV); returns the number of tracks. */
    public static int labelled(Path root, Path labelsCsv, Path splitCsv, Path corpus, String name, long seed)
            throws IOException {
        List<String[]> lab = readCsv(labelsCsv);
        String[] header = lab.remove(0);
        if (header.length < 2) {
            throw new IOException(labelsCsv + ":1: expected a file column and at least one label column");
        }
        Map<String, Path> byKey = new HashMap<>();
        for (Path f : CorpusBuilder.audioFiles(root)) {
            byKey.put(root.relativize(f).toString(), f);
            byKey.putIfAbsent(CorpusBuilder.stem(f), f);
        }
        List<String> ids = new ArrayList<>();
        List<Path> audio = new ArrayList<>();
        List<String[]> labels = new ArrayList<>();
        Map<String, Integer> line = new HashMap<>();
        for (int i = 0; i < lab.size(); i++) {
            String[] r = lab.get(i);
            Path f = byKey.get(r[0]);
            if (f == null) {
                throw new IOException(labelsCsv + ":" + (i + 2) + ": no audio file '" + r[0] + "' under " + root);
            }
            String id = CorpusBuilder.stem(f);
            if (line.put(id, i) != null) {
                throw new IOException(labelsCsv + ":" + (i + 2) + ": second row for " + r[0]);
            }
            ids.add(id);
            audio.add(f);
            String[] l = new String[header.length - 1];
            System.arraycopy(r, 1, l, 0, l.length);
            labels.add(l);
        }
        boolean numeric = true;
        for (String[] l : labels) {
            for (String v : l) {
                try {
                    Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    numeric = false;
                }
            }
        }
        String[] cols = java.util.Arrays.copyOfRange(header, 1, header.length);
        String[] split;
        int[] fold;
        String protocol;
        if (splitCsv != null) {
            split = new String[ids.size()];
            fold = new int[ids.size()];
            List<String[]> sp = readCsv(splitCsv);
            sp.remove(0);
            for (int i = 0; i < sp.size(); i++) {
                String[] r = sp.get(i);
                Path f = byKey.get(r[0]);
                Integer at = f == null ? null : line.get(CorpusBuilder.stem(f));
                if (at == null || r.length < 2) {
                    throw new IOException(splitCsv + ":" + (i + 2) + ": unknown file '" + r[0] + "' or no split");
                }
                split[at] = r[1];
                fold[at] = r.length > 2 ? Integer.parseInt(r[2].trim()) : 0;
            }
            for (int i = 0; i < split.length; i++) {
                if (split[i] == null) {
                    throw new IOException(splitCsv + ": no split for " + ids.get(i));
                }
            }
            protocol = "fixed-split";
        } else {
            fold = CorpusBuilder.stratifiedFolds(numeric ? ids.stream().map(x -> "").toList()
                    : labels.stream().map(l -> l[0]).toList(), 5, seed);
            split = splitsOf(fold);
            protocol = "stratified-5-fold";
        }
        write(corpus, name, ids, audio, cols, labels, split, fold, !numeric, protocol,
                "audio folder " + root + " with labels " + labelsCsv);
        return ids.size();
    }

    private static String[] splitsOf(int[] fold) {
        String[] s = new String[fold.length];
        for (int i = 0; i < fold.length; i++) {
            s[i] = fold[i] == 0 ? "test" : "train";
        }
        return s;
    }

    private static void write(Path corpus, String name, List<String> ids, List<Path> audio, String[] labelCols,
                              List<String[]> labels, String[] split, int[] fold, boolean classification,
                              String protocol, String description) throws IOException {
        CorpusBuilder cb = new CorpusBuilder(corpus, name);
        Path d = corpus.resolve("targets").resolve(name);
        List<String[]> tr = new ArrayList<>();
        List<String[]> lr = new ArrayList<>();
        List<String[]> sr = new ArrayList<>();
        LinkedHashSet<String> classes = new LinkedHashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            tr.add(CorpusBuilder.trackRow(ids.get(i), "", audio.get(i)));
            String[] l = new String[labelCols.length + 1];
            l[0] = ids.get(i);
            System.arraycopy(labels.get(i), 0, l, 1, labelCols.length);
            lr.add(l);
            sr.add(new String[] {ids.get(i), split[i], Integer.toString(fold[i])});
            if (classification) {
                classes.add(labels.get(i)[0]);
            }
        }
        String[] lh = new String[labelCols.length + 1];
        lh[0] = "track_id";
        System.arraycopy(labelCols, 0, lh, 1, labelCols.length);
        Tsv.write(d.resolve("tracks.tsv"), CorpusBuilder.TRACK_HEADER, tr);
        Tsv.write(d.resolve("labels.tsv"), lh, lr);
        Tsv.write(d.resolve("split.tsv"), new String[] {"track_id", "split", "fold"}, sr);
        String dir = "targets/" + name;
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("dir", dir);
        t.put("task", classification ? "classification" : "regression");
        t.put("description", description);
        t.put("tracks", dir + "/tracks.tsv");
        t.put("count", ids.size());
        t.put("labels", dir + "/labels.tsv");
        t.put("label_columns", List.of(labelCols));
        if (classification) {
            t.put("classes", new ArrayList<>(classes));
        }
        t.put("split", dir + "/split.tsv");
        t.put("protocol", protocol);
        t.put("folds", 5);
        cb.putTarget(name, t);
        cb.write();
    }

    /** A small CSV reader: rows of fields, header included; fields trimmed of one pair of quotes. */
    static List<String[]> readCsv(Path file) throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (BufferedReader r = dev.mtdtl.tensor.io.TextFiles.reader(file)) {
            String line;
            int n = 0;
            int width = -1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                for (int i = 0; i < f.length; i++) {
                    String v = f[i].trim();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    if (v.isEmpty() || v.indexOf('\t') >= 0) {
                        throw new IOException(file + ":" + n + ": empty field or tab in field " + (i + 1));
                    }
                    f[i] = v;
                }
                if (width >= 0 && f.length != width) {
                    throw new IOException(file + ":" + n + ": " + f.length + " fields, header has " + width);
                }
                width = f.length;
                rows.add(f);
            }
        }
        if (rows.isEmpty()) {
            throw new IOException(file + ":1: empty file, expected a header line");
        }
        return rows;
    }
}
