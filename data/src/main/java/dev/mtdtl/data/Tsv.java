package dev.mtdtl.data;

import dev.mtdtl.tensor.io.AtomicFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The corpus's tables: UTF-8, tab-separated, one header line naming the columns, then one row per
 * line, no quoting (values never contain tabs or newlines: writing one fails). Written atomically;
 * read with errors that name the file and line.
 *
 * <p>Omitted: quoting and escaping (CSV's), comments, streaming writes (tables here fit in memory;
 * the largest, taste triplets, is ~1 M rows at the biggest sizes).
 */
public final class Tsv {

    /** A read table: its header and rows (each row has exactly the header's width). */
    public record Table(Path file, String[] header, List<String[]> rows) {
        /** Index of a column, or an exception naming the file and the missing column. */
        public int column(String name) {
            for (int i = 0; i < header.length; i++) {
                if (header[i].equals(name)) {
                    return i;
                }
            }
            throw new IllegalArgumentException(file + ": no column '" + name + "' (has " + Arrays.toString(header) + ")");
        }
    }

    private Tsv() {}

    /** Write header and rows atomically. */
    public static void write(Path file, String[] header, List<String[]> rows) throws IOException {
        for (String h : header) {
            check(file, h);
        }
        AtomicFiles.write(file, out -> {
            // buffered as chars: an OutputStreamWriter encodes each write, and a row is many small ones
            Writer w = new java.io.BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            w.write(String.join("\t", header));
            w.write('\n');
            for (String[] r : rows) {
                if (r.length != header.length) {
                    throw new IOException(file + ": row of " + r.length + " values for " + header.length + " columns");
                }
                for (int i = 0; i < r.length; i++) {
                    check(file, r[i]);
                    if (i > 0) {
                        w.write('\t');
                    }
                    w.write(r[i]);
                }
                w.write('\n');
            }
            w.flush();
        });
    }

    /** Read a table; a row whose width differs from the header's fails with file:line. */
    public static Table read(Path file) throws IOException {
        List<String[]> rows = new ArrayList<>();
        String[] header;
        try (BufferedReader r = dev.mtdtl.tensor.io.TextFiles.reader(file)) {
            String h = r.readLine();
            if (h == null) {
                throw new IOException(file + ":1: empty file, expected a header line");
            }
            header = h.split("\t", -1);
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isEmpty()) {
                    continue;
                }
                String[] v = line.split("\t", -1);
                if (v.length != header.length) {
                    throw new IOException(file + ":" + n + ": " + v.length + " values, header has " + header.length);
                }
                rows.add(v);
            }
        }
        return new Table(file, header, rows);
    }

    private static void check(Path file, String v) throws IOException {
        if (v == null || v.indexOf('\t') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
            throw new IOException(file + ": value " + (v == null ? "null" : "'" + v + "'") + " cannot go in a TSV cell");
        }
    }
}
