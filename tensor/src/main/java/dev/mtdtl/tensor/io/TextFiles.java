package dev.mtdtl.tensor.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reading the engine's text inputs (JSON sidecars and manifests, TSV and CSV tables) as strict UTF-8,
 * with an error that names the file and the line of the first invalid byte. The JDK's readers report
 * only "Input length = 1" (a MalformedInputException without the file), which is no help to a user
 * holding a folder of tables.
 */
public final class TextFiles {

    private TextFiles() {}

    private static CharsetDecoder strict() {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** The whole file as a string. */
    public static String read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(b);
        CharBuffer out = CharBuffer.allocate(b.length);   // UTF-8 never gives more chars than bytes
        CoderResult r = strict().decode(in, out, true);
        if (r.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                if (b[i] == '\n') {
                    line++;
                }
            }
            throw invalid(file, line);
        }
        return out.flip().toString();
    }

    /** The file's lines, without terminators (\n or \r\n), like Files.readAllLines. */
    public static List<String> lines(Path file) throws IOException {
        String s = read(file);
        if (s.isEmpty()) {
            return List.of();
        }
        String[] l = s.split("\r?\n", -1);
        return Arrays.asList(s.endsWith("\n") ? Arrays.copyOf(l, l.length - 1) : l);
    }

    /** A buffered line reader for large files: streaming, with the same error. */
    public static BufferedReader reader(Path file) throws IOException {
        Reader base = new InputStreamReader(Files.newInputStream(file), strict());
        return new BufferedReader(new Reader() {
            private int line = 1;

            @Override
            public int read(char[] cbuf, int off, int len) throws IOException {
                int n;
                try {
                    n = base.read(cbuf, off, len);
                } catch (CharacterCodingException e) {
                    throw invalid(file, line);
                }
                for (int i = 0; i < n; i++) {
                    if (cbuf[off + i] == '\n') {
                        line++;
                    }
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                base.close();
            }
        }, 1 << 16);
    }

    private static IOException invalid(Path file, int line) {
        return new IOException(file + ":" + line + ": not valid UTF-8 text (the file must be UTF-8; is it binary, or "
                + "damaged?)");
    }
}
