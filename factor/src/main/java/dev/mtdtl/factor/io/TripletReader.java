package dev.mtdtl.factor.io;

import dev.mtdtl.factor.Csr;
import it.unimi.dsi.fastutil.doubles.DoubleArrayList;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads the label files of {@code ./mtdtl factor}: a triplet TSV {@code row<TAB>column<TAB>value} into a
 * {@link Csr} with row and column ids, and a one-column value file for the GMM.
 *
 * <p>Ids are arbitrary strings (track ids, tag names) and are numbered in order of first appearance, so
 * the output order is that of the file. An optional header is recognised on line 1 only, when its value
 * field is not a number. Blank lines are skipped. Duplicated (row, column) pairs are summed and entries
 * summing to 0 are dropped ({@link Csr#fromTriplets}); a row id that only occurs with value 0 still gets
 * its (empty) row, so every id in the file has an output row. Anything else (wrong field count, empty id,
 * a value that is not a finite number, no data line at all) is a {@link FormatException} naming {@code file:line}.
 */
public final class TripletReader {

    /** A file without one data line: nothing to factorise or fit (found by the fuzzing suite: a cut file). */
    private static final String NO_DATA = "no data lines (the file is empty, or has a header only)";

    private TripletReader() {}

    /** A labelled sparse matrix: rows and columns named by the ids of the file. */
    public record Labeled(Csr matrix, List<String> rowIds, List<String> colIds) {}

    /** A labelled vector of scalars (one per row id). */
    public record Values(double[] values, List<String> ids) {}

    /** Read a {@code row<TAB>column<TAB>value} file. */
    public static Labeled readTriplets(Path file) throws IOException {
        return readTriplets(file, false);
    }

    /**
     * Read a {@code row<TAB>column<TAB>value} file of counts or nonnegative weights (pLSA's and TF-IDF's input): a
     * negative value is a {@link FormatException} naming its line, not an error of the model without a file.
     */
    public static Labeled readCounts(Path file) throws IOException {
        return readTriplets(file, true);
    }

    private static Labeled readTriplets(Path file, boolean nonNegative) throws IOException {
        Object2IntOpenHashMap<String> rowIx = new Object2IntOpenHashMap<>();
        Object2IntOpenHashMap<String> colIx = new Object2IntOpenHashMap<>();
        rowIx.defaultReturnValue(-1);
        colIx.defaultReturnValue(-1);
        List<String> rowIds = new ArrayList<>();
        List<String> colIds = new ArrayList<>();
        IntArrayList rs = new IntArrayList();
        IntArrayList cs = new IntArrayList();
        DoubleArrayList vs = new DoubleArrayList();
        try (BufferedReader in = dev.mtdtl.tensor.io.TextFiles.reader(file)) {
            String s;
            int line = 0;
            while ((s = in.readLine()) != null) {
                line++;
                if (s.isBlank()) {
                    continue;
                }
                String[] f = s.split("\t", -1);
                if (f.length != 3) {
                    throw new FormatException(file, line, "expected 3 tab-separated fields (row, column, value), got "
                            + f.length + ": '" + clip(s) + "'");
                }
                Double v = parse(f[2].trim());
                if (v == null) {
                    if (line == 1) {
                        continue;   // header
                    }
                    throw new FormatException(file, line, "value '" + clip(f[2]) + "' is not a number");
                }
                if (!Double.isFinite(v)) {
                    throw new FormatException(file, line, "value " + f[2].trim() + " is not finite");
                }
                if (nonNegative && v < 0) {
                    throw new FormatException(file, line, "value " + f[2].trim()
                            + " is negative (counts or nonnegative weights expected)");
                }
                String r = f[0].trim();
                String c = f[1].trim();
                if (r.isEmpty() || c.isEmpty()) {
                    throw new FormatException(file, line, "empty " + (r.isEmpty() ? "row" : "column") + " id");
                }
                rs.add(intern(rowIx, rowIds, r));
                cs.add(intern(colIx, colIds, c));
                vs.add(v.doubleValue());
            }
            if (vs.isEmpty()) {
                throw new FormatException(file, Math.max(1, line), NO_DATA);
            }
        }
        Csr m = Csr.fromTriplets(rowIds.size(), colIds.size(), rs.elements(), cs.elements(), vs.elements(), rs.size());
        return new Labeled(m, Collections.unmodifiableList(rowIds), Collections.unmodifiableList(colIds));
    }

    /**
     * Read a value file: one value per line ({@code value}, ids are then the 0-based line numbers among
     * the data lines) or {@code id<TAB>value}. Optional header on line 1.
     */
    public static Values readValues(Path file) throws IOException {
        DoubleArrayList vs = new DoubleArrayList();
        List<String> ids = new ArrayList<>();
        int columns = -1;
        try (BufferedReader in = dev.mtdtl.tensor.io.TextFiles.reader(file)) {
            String s;
            int line = 0;
            while ((s = in.readLine()) != null) {
                line++;
                if (s.isBlank()) {
                    continue;
                }
                String[] f = s.split("\t", -1);
                if (f.length > 2) {
                    throw new FormatException(file, line, "expected 'value' or 'id<TAB>value', got " + f.length
                            + " fields");
                }
                Double v = parse(f[f.length - 1].trim());
                if (v == null && line == 1) {
                    continue;   // header
                }
                if (columns < 0) {
                    columns = f.length;
                } else if (f.length != columns) {
                    throw new FormatException(file, line, "expected " + columns + " field(s) as on the first data line, got "
                            + f.length);
                }
                if (v == null || !Double.isFinite(v)) {
                    throw new FormatException(file, line, "value '" + clip(f[f.length - 1]) + "' is not a finite number");
                }
                if (f.length == 2 && f[0].trim().isEmpty()) {
                    throw new FormatException(file, line, "empty id");
                }
                ids.add(f.length == 2 ? f[0].trim() : Integer.toString(vs.size()));
                vs.add(v.doubleValue());
            }
            if (vs.isEmpty()) {
                throw new FormatException(file, Math.max(1, line), NO_DATA);
            }
        }
        return new Values(vs.toDoubleArray(), Collections.unmodifiableList(ids));
    }

    private static int intern(Object2IntOpenHashMap<String> map, List<String> ids, String id) {
        int k = map.getInt(id);
        if (k < 0) {
            k = ids.size();
            map.put(id, k);
            ids.add(id);
        }
        return k;
    }

    private static Double parse(String s) {
        if (s.isEmpty()) {
            return null;
        }
        try {
            return Double.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
