package dev.mtdtl.data.importers;

import dev.mtdtl.data.Tsv;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 * CSV (RFC 4180 without line breaks inside a field): comma-separated, a field in double quotes may hold commas and
 * doubled quotes ({@code "Rock, Pop"}, {@code "12"" single"}), white space around a field is trimmed; errors name
 * file:line.
 *
 * <p>Omitted: multi-label tasks (IRMAS's multi-instrument test set), artist-filtered splits.
 */
public final class FolderImporter {

    private FolderImporter() {}

    /** Folder-per-class import; returns the number of tracks. */
    public static int gtzan(Path root, Path corpus, String name, String labelColumn, long seed) throws IOException {
        CorpusBuilder.checkName(name);
        List<Path> files = CorpusBuilder.audioFiles(root);
        List<String> ids = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<Path> audio = new ArrayList<>();
        Map<String, Path> seen = new HashMap<>();
        for (Path f : files) {
            Path rel = root.relativize(f);
            if (rel.getNameCount() != 2) {
                continue;   // only CLASS/FILE
            }
            String id = CorpusBuilder.stem(f);
            Path was = seen.put(id, f);
            if (was != null) {
                throw new IOException(root + ": two audio files for track " + id + ": " + was + " and " + f);
            }
            ids.add(id);
            labels.add(rel.getName(0).toString());
            audio.add(f);
        }
        if (ids.isEmpty()) {
            throw new IOException(root + ": no audio files in class folders (expected ROOT/CLASS/FILE.wav)"
                    + dev.mtdtl.dsp.AudioFiles.notDecoded(root));
        }
        checkClassSizes(labels, root + ": class folder", "");
        int[] fold = CorpusBuilder.stratifiedFolds(labels, 5, seed);
        write(corpus, name, ids, audio, new String[] {labelColumn}, labels.stream().map(l -> new String[] {l}).toList(),
                splitsOf(fold), fold, true, "stratified-5-fold", "folder-per-class import of " + root);
        return ids.size();
    }

    /** Audio folder + labels CSV (+ optional split CSV); returns the number of tracks. */
    public static int labelled(Path root, Path labelsCsv, Path splitCsv, Path corpus, String name, long seed)
            throws IOException {
        CorpusBuilder.checkName(name);
        List<Row> lab = readCsv(labelsCsv);
        String[] header = lab.remove(0).fields();
        if (header.length < 2) {
            throw new IOException(labelsCsv + ":1: expected a file column and at least one label column");
        }
        Set<String> names = new HashSet<>(List.of("track_id"));
        for (int c = 1; c < header.length; c++) {
            if (!names.add(header[c])) {
                throw new IOException(labelsCsv + ":1: label column '" + header[c] + "' named twice (or 'track_id', "
                        + "the id column of labels.tsv)");
            }
        }
        if (lab.isEmpty()) {
            throw new IOException(labelsCsv + ": no rows after the header line");
        }
        Map<String, Path> byKey = new HashMap<>();
        for (Path f : CorpusBuilder.audioFiles(root)) {
            byKey.put(root.relativize(f).toString(), f);
            byKey.putIfAbsent(CorpusBuilder.stem(f), f);
        }
        List<String> ids = new ArrayList<>();
        List<Path> audio = new ArrayList<>();
        List<String[]> labels = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        for (Row row : lab) {
            String[] r = row.fields();
            Path f = byKey.get(r[0]);
            if (f == null) {
                throw new IOException(labelsCsv + ":" + row.line() + ": no audio file '" + r[0] + "' under " + root);
            }
            String id = CorpusBuilder.stem(f);
            if (index.put(id, ids.size()) != null) {
                throw new IOException(labelsCsv + ":" + row.line() + ": second row for " + r[0]);
            }
            ids.add(id);
            audio.add(f);
            labels.add(java.util.Arrays.copyOfRange(r, 1, header.length));
        }
        boolean numeric = lab.stream().allMatch(row -> java.util.Arrays.stream(row.fields(), 1, header.length)
                .allMatch(FolderImporter::isNumber));
        if (numeric) {
            // a regression: evaluate reads the labels as float32, where 1e39 is infinite and the MLP cannot fit it
            for (Row row : lab) {
                for (int c = 1; c < header.length; c++) {
                    if (!Float.isFinite(Float.parseFloat(row.fields()[c]))) {
                        throw new IOException(labelsCsv + ":" + row.line() + ": label " + header[c] + " '"
                                + row.fields()[c] + "' is not a finite float32 number (the columns are all numbers: "
                                + "a regression)");
                    }
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
            readSplit(splitCsv, byKey, index, ids, split, fold);
            protocol = "fixed-split";
        } else {
            if (!numeric) {
                checkClassSizes(labels.stream().map(l -> l[0]).toList(), labelsCsv + ": class",
                        mixedHint(labelsCsv, lab, header));
            }
            fold = CorpusBuilder.stratifiedFolds(numeric ? ids.stream().map(x -> "").toList()
                    : labels.stream().map(l -> l[0]).toList(), 5, seed);
            split = splitsOf(fold);
            protocol = "stratified-5-fold";
        }
        write(corpus, name, ids, audio, cols, labels, split, fold, !numeric, protocol,
                "audio folder " + root + " with labels " + labelsCsv);
        return ids.size();
    }

    /**
     * A classification without a fixed split is evaluated by stratified 5-fold cross-validation over the whole set
     * (TargetDataset), which needs every class in every fold: 5 tracks of each at least. Refused here, not after
     * the representations are trained.
     */
    private static void checkClassSizes(List<String> classOf, String where, String hint) throws IOException {
        Map<String, Integer> count = new LinkedHashMap<>();
        for (String c : classOf) {
            count.merge(c, 1, Integer::sum);
        }
        for (Map.Entry<String, Integer> e : count.entrySet()) {
            if (e.getValue() < 5) {
                throw new IOException(where + " '" + e.getKey() + "' has " + e.getValue() + " track(s); a stratified "
                        + "5-fold evaluation needs 5 of each class (give a split CSV, or merge small classes)" + hint);
            }
        }
    }

    /** When a label column mixes numbers and other values: where the first non-number is (a typo in a regression?). */
    private static String mixedHint(Path file, List<Row> rows, String[] header) {
        for (int c = 1; c < header.length; c++) {
            int numbers = 0;
            Row other = null;
            for (Row r : rows) {
                if (isNumber(r.fields()[c])) {
                    numbers++;
                } else if (other == null) {
                    other = r;
                }
            }
            if (numbers > 0 && other != null) {
                return "; column " + header[c] + " mixes numbers and other values (" + file + ":" + other.line() + ": '"
                        + other.fields()[c] + "'): a regression needs numbers only";
            }
        }
        return "";
    }

    private static boolean isNumber(String v) {
        try {
            Double.parseDouble(v);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * The split CSV ({@code file,split[,fold]}, a header line first) into {@code split} and {@code fold} by track
     * index: every labelled track once, a split of train, valid or test, a fold a nonnegative integer (0 when the
     * column is absent), and tracks on both sides of the test split (an evaluation needs both).
     */
    private static void readSplit(Path splitCsv, Map<String, Path> byKey, Map<String, Integer> index, List<String> ids,
                                  String[] split, int[] fold) throws IOException {
        List<Row> sp = readCsv(splitCsv);
        if (sp.remove(0).fields().length < 2) {
            throw new IOException(splitCsv + ":1: expected the columns file, split and optionally fold");
        }
        int tests = 0;
        for (Row row : sp) {
            String[] r = row.fields();
            Path f = byKey.get(r[0]);
            Integer at = f == null ? null : index.get(CorpusBuilder.stem(f));
            if (at == null) {
                throw new IOException(splitCsv + ":" + row.line() + ": '" + r[0] + "' is no labelled track");
            }
            if (split[at] != null) {
                throw new IOException(splitCsv + ":" + row.line() + ": second row for " + r[0]);
            }
            if (!List.of("train", "valid", "test").contains(r[1])) {
                throw new IOException(splitCsv + ":" + row.line() + ": split '" + r[1]
                        + "' is none of train, valid, test");
            }
            split[at] = r[1];
            tests += r[1].equals("test") ? 1 : 0;
            fold[at] = r.length > 2 ? foldOf(splitCsv, row.line(), r[2]) : 0;
        }
        for (int i = 0; i < split.length; i++) {
            if (split[i] == null) {
                throw new IOException(splitCsv + ": no split for " + ids.get(i));
            }
        }
        if (tests == 0 || tests == split.length) {
            throw new IOException(splitCsv + ": " + (tests == 0 ? "no" : "every") + " track is in 'test'; an "
                    + "evaluation needs tracks on both sides");
        }
    }

    private static int foldOf(Path file, int line, String v) throws IOException {
        try {
            int f = Integer.parseInt(v);
            if (f >= 0) {
                return f;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IOException(file + ":" + line + ": fold '" + v + "' is not a nonnegative integer");
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
        String dir = "targets/" + name;
        try (CorpusBuilder cb = new CorpusBuilder(corpus, name)) {
            Tsv.write(cb.stage(dir + "/tracks.tsv"), CorpusBuilder.TRACK_HEADER, tr);
            Tsv.write(cb.stage(dir + "/labels.tsv"), lh, lr);
            Tsv.write(cb.stage(dir + "/split.tsv"), new String[] {"track_id", "split", "fold"}, sr);
            cb.putTarget(name, entry(dir, ids.size(), labelCols, classes, classification, protocol, description));
            cb.commit();
        }
    }

    private static Map<String, Object> entry(String dir, int count, String[] labelCols, LinkedHashSet<String> classes,
                                             boolean classification, String protocol, String description) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("dir", dir);
        t.put("task", classification ? "classification" : "regression");
        t.put("description", description);
        t.put("tracks", dir + "/tracks.tsv");
        t.put("count", count);
        t.put("labels", dir + "/labels.tsv");
        t.put("label_columns", List.of(labelCols));
        if (classification) {
            t.put("classes", new ArrayList<>(classes));
        }
        t.put("split", dir + "/split.tsv");
        t.put("protocol", protocol);
        t.put("folds", 5);
        return t;
    }

    /** One CSV row: its fields and its line in the file (from 1; blank lines are skipped, not renumbered). */
    record Row(int line, String[] fields) {}

    /** A small CSV reader: rows of fields ({@link #fields}), header included, every row as wide as the first. */
    static List<Row> readCsv(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader r = dev.mtdtl.tensor.io.TextFiles.reader(file)) {
            String line;
            int n = 0;
            int width = -1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = fields(file, n, line);
                for (int i = 0; i < f.length; i++) {
                    if (f[i].isEmpty() || f[i].indexOf('\t') >= 0) {
                        throw new IOException(file + ":" + n + ": empty field or tab in field " + (i + 1));
                    }
                }
                if (width >= 0 && f.length != width) {
                    throw new IOException(file + ":" + n + ": " + f.length + " fields, header has " + width);
                }
                width = f.length;
                rows.add(new Row(n, f));
            }
        }
        if (rows.isEmpty()) {
            throw new IOException(file + ":1: empty file, expected a header line");
        }
        return rows;
    }

    /**
     * One CSV line's fields: split at commas outside double quotes; a quoted field's quotes are removed and a doubled
     * quote inside it is one quote; white space around a field (outside its quotes) is trimmed. A quote left open, or
     * text after a field's closing quote, is an error naming file:line (a line break inside a field is not supported).
     */
    static String[] fields(Path file, int line, String text) throws IOException {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (true) {
            while (i < n && text.charAt(i) <= ' ') {   // what String.trim removes
                i++;
            }
            StringBuilder f = new StringBuilder();
            if (i < n && text.charAt(i) == '"') {
                int open = i++;
                while (true) {
                    if (i >= n) {
                        throw new IOException(file + ":" + line + ": quote opened at column " + (open + 1)
                                + " is not closed (a line break inside a field is not supported)");
                    }
                    char c = text.charAt(i++);
                    if (c == '"') {
                        if (i < n && text.charAt(i) == '"') {
                            f.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        f.append(c);
                    }
                }
                while (i < n && text.charAt(i) <= ' ') {
                    i++;
                }
                if (i < n && text.charAt(i) != ',') {
                    throw new IOException(file + ":" + line + ": text after the quoted field that ends at column " + i);
                }
            } else {
                int end = text.indexOf(',', i);
                f.append(text, i, end < 0 ? n : end);
                i = end < 0 ? n : end;
                while (f.length() > 0 && f.charAt(f.length() - 1) <= ' ') {
                    f.setLength(f.length() - 1);
                }
            }
            out.add(f.toString());
            if (i >= n) {
                return out.toArray(String[]::new);
            }
            i++;   // the comma
        }
    }
}
