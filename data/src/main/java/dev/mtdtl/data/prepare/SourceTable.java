package dev.mtdtl.data.prepare;

import dev.mtdtl.factor.Csr;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one learning source's table (a corpus TSV with a header line, columns named in the manifest) into
 * what the factor models take: a document x term weight matrix for the pLSA sources (rows = tracks or,
 * for taste, tracks x users), or one scalar per track for the GMM sources.
 *
 * <p>Streaming, line by line: every error names {@code file:line} (a missing column, a wrong number of
 * values, an empty id, a value that is not a finite nonnegative number). Ids are numbered in order of
 * first appearance, so results follow the file's order. A scalar given twice for one track is an error
 * (the corpus format has one value per track).
 *
 * <p>Omitted: quoting (the corpus TSVs never quote), gzip.
 */
public final class SourceTable {

    /** A labelled sparse matrix. */
    public record Matrix(Csr matrix, List<String> rowIds, List<String> colIds) {}

    /** One value per id. */
    public record Scalars(double[] values, List<String> ids) {}

    private SourceTable() {}

    /**
     * Read (row, term, weight) rows; {@code valueCol} null means weight 1 (pairs). Weights below
     * {@code floor} are raised to it (the tag source's intensity 0 -&gt; 1, digest section 2).
     */
    public static Matrix readMatrix(Path file, String rowCol, String termCol, String valueCol, double floor)
            throws IOException {
        Map<String, Integer> rows = new HashMap<>();
        Map<String, Integer> cols = new HashMap<>();
        List<String> rowIds = new ArrayList<>();
        List<String> colIds = new ArrayList<>();
        // Sized by the file's line count (one entry a line at most) rather than grown by doubling: at the Taste
        // Profile's 48.4 M lines doubling ends at 67 M slots, 300 MB of them unused while the CSR is built, the peak
        // of a paper-size prepare's memory. Counting the lines reads the file once more, from the page cache: lost in
        // the noise of a taste-only prepare (97.5 s against 97.7 s before, bench/RESULTS.md "Session 46").
        int cap = (int) Math.max(16, Math.min(Integer.MAX_VALUE - 8, lineCount(file)));
        int[] r = new int[cap];
        int[] c = new int[cap];
        double[] v = new double[cap];
        int n = 0;
        try (BufferedReader in = dev.mtdtl.tensor.io.TextFiles.reader(file)) {
            String[] header = header(file, in);
            int ri = col(file, header, rowCol);
            int ti = col(file, header, termCol);
            int vi = valueCol == null ? -1 : col(file, header, valueCol);
            String line;
            int ln = 1;
            while ((line = in.readLine()) != null) {
                ln++;
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = fields(file, ln, line, header.length);
                String rid = id(file, ln, f[ri], rowCol);
                String tid = id(file, ln, f[ti], termCol);
                double w = vi < 0 ? 1.0 : number(file, ln, f[vi], valueCol);
                if (w < 0) {
                    throw new IOException(file + ":" + ln + ": negative " + valueCol + " " + f[vi]);
                }
                if (n == r.length) {   // the file grew since it was counted
                    int more = (int) Math.min(Integer.MAX_VALUE - 8, 2L * n);
                    r = Arrays.copyOf(r, more);
                    c = Arrays.copyOf(c, more);
                    v = Arrays.copyOf(v, more);
                }
                r[n] = rows.computeIfAbsent(rid, k -> { rowIds.add(k); return rowIds.size() - 1; });
                c[n] = cols.computeIfAbsent(tid, k -> { colIds.add(k); return colIds.size() - 1; });
                v[n] = Math.max(w, floor);
                n++;
            }
        }
        return new Matrix(Csr.fromTriplets(rowIds.size(), colIds.size(), r, c, v, n), rowIds, colIds);
    }

    /** Read one scalar per id. */
    public static Scalars readScalars(Path file, String idCol, String valueCol) throws IOException {
        Map<String, Integer> seen = new HashMap<>();
        List<String> ids = new ArrayList<>();
        double[] v = new double[1024];
        try (BufferedReader in = dev.mtdtl.tensor.io.TextFiles.reader(file)) {
            String[] header = header(file, in);
            int ii = col(file, header, idCol);
            int vi = col(file, header, valueCol);
            String line;
            int ln = 1;
            while ((line = in.readLine()) != null) {
                ln++;
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = fields(file, ln, line, header.length);
                String id = id(file, ln, f[ii], idCol);
                double x = number(file, ln, f[vi], valueCol);
                if (seen.put(id, ids.size()) != null) {
                    throw new IOException(file + ":" + ln + ": second " + valueCol + " for " + id);
                }
                if (ids.size() == v.length) {
                    v = Arrays.copyOf(v, 2 * v.length);
                }
                v[ids.size()] = x;
                ids.add(id);
            }
        }
        return new Scalars(Arrays.copyOf(v, ids.size()), ids);
    }

    /** Newline bytes in a file, plus one for a last line without one (the header included). */
    static long lineCount(Path file) throws IOException {
        long n = 0;
        byte last = '\n';
        byte[] b = new byte[1 << 16];
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            for (int k; (k = in.read(b)) > 0; ) {
                for (int i = 0; i < k; i++) {
                    if (b[i] == '\n') {
                        n++;
                    }
                }
                last = b[k - 1];
            }
        }
        return last == '\n' ? n : n + 1;
    }

    private static String[] header(Path file, BufferedReader in) throws IOException {
        String h = in.readLine();
        if (h == null) {
            throw new IOException(file + ":1: empty file, expected a header line");
        }
        return h.split("\t", -1);
    }

    private static int col(Path file, String[] header, String name) throws IOException {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        throw new IOException(file + ":1: no column '" + name + "' (header " + Arrays.toString(header) + ")");
    }

    private static String[] fields(Path file, int ln, String line, int width) throws IOException {
        String[] f = line.split("\t", -1);
        if (f.length != width) {
            throw new IOException(file + ":" + ln + ": " + f.length + " values, header has " + width);
        }
        return f;
    }

    private static String id(Path file, int ln, String s, String col) throws IOException {
        if (s.isEmpty()) {
            throw new IOException(file + ":" + ln + ": empty " + col);
        }
        return s;
    }

    private static double number(Path file, int ln, String s, String col) throws IOException {
        double x;
        try {
            x = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IOException(file + ":" + ln + ": " + col + " '" + s + "' is not a number");
        }
        if (!Double.isFinite(x)) {
            throw new IOException(file + ":" + ln + ": " + col + " '" + s + "' is not finite");
        }
        return x;
    }
}
