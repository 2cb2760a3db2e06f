package dev.mtdtl.data.importers;

import dev.mtdtl.tensor.io.AtomicFiles;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Streams a dataset's text file into a corpus TSV line by line (bounded memory: the Taste Profile's 48 M
 * lines never sit in memory here), written atomically. The per-line function sees the line and its
 * number and emits zero or more rows; it throws {@link IOException} with {@code file:line} on bad input.
 */
final class LineConverter {

    /** Turns one input line into output rows. */
    @FunctionalInterface
    interface Fn {
        void apply(String line, int lineNo, Emit out) throws IOException;
    }

    /** Receives output rows. */
    @FunctionalInterface
    interface Emit {
        void row(String... values) throws IOException;
    }

    private LineConverter() {}

    /** Convert {@code in} to the TSV {@code out} with {@code header}; returns the number of rows written. */
    static long convert(Path in, Path out, String[] header, Fn fn) throws IOException {
        long[] n = {0};
        AtomicFiles.write(out, os -> {
            // buffered as chars: an OutputStreamWriter encodes each write, and a row is many small ones (a tab, a
            // value); unbuffered, the encoder's per-call cost was 60 % of a 5 M-line Taste Profile import
            Writer w = new java.io.BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
            w.write(String.join("\t", header));
            w.write('\n');
            try (BufferedReader r = dev.mtdtl.tensor.io.TextFiles.reader(in)) {
                String line;
                int ln = 0;
                while ((line = r.readLine()) != null) {
                    ln++;
                    if (line.isBlank()) {
                        continue;
                    }
                    final int lineNo = ln;
                    fn.apply(line, ln, values -> {
                        if (values.length != header.length) {
                            throw new IOException(in + ":" + lineNo + ": " + values.length + " values for "
                                    + header.length + " columns");
                        }
                        for (int i = 0; i < values.length; i++) {
                            String v = values[i];
                            if (v.isEmpty() || v.indexOf('\t') >= 0) {
                                throw new IOException(in + ":" + lineNo + ": empty value or tab in " + header[i]);
                            }
                            if (i > 0) {
                                w.write('\t');
                            }
                            w.write(v);
                        }
                        w.write('\n');
                        n[0]++;
                    });
                }
            }
            w.flush();
        });
        return n[0];
    }

    /**
     * Split on a separator (literal text, every occurrence, empty fields kept); fail with file:line unless there are
     * at least {@code min} fields. By {@code indexOf}, not {@code String.split}: a quoted pattern misses split's
     * one-character fast path and compiled a regex per line (the Taste Profile has 48 M lines).
     */
    static String[] fields(Path file, int ln, String line, String sep, int min) throws IOException {
        java.util.ArrayList<String> parts = new java.util.ArrayList<>(4);
        int from = 0;
        for (int at = line.indexOf(sep); at >= 0; at = line.indexOf(sep, from)) {
            parts.add(line.substring(from, at));
            from = at + sep.length();
        }
        parts.add(line.substring(from));
        String[] f = parts.toArray(String[]::new);
        if (f.length < min) {
            throw new IOException(file + ":" + ln + ": " + f.length + " fields separated by '" + sep + "', expected "
                    + min);
        }
        return f;
    }

    /** A number field, or an error naming file:line. */
    static double number(Path file, int ln, String s, String what) throws IOException {
        try {
            double x = Double.parseDouble(s.trim());
            if (!Double.isFinite(x) || x < 0) {
                throw new NumberFormatException();
            }
            return x;
        } catch (NumberFormatException e) {
            throw new IOException(file + ":" + ln + ": " + what + " '" + s + "' is not a nonnegative number");
        }
    }
}
