package dev.mtdtl.factor.io;

import java.io.IOException;
import java.nio.file.Path;

/** A malformed line in a label file; the message starts with {@code file:line:} (1-based), like a compiler's. */
public final class FormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The file and 1-based line number of the problem. */
    public final transient Path file;
    public final int line;

    public FormatException(Path file, int line, String reason) {
        super(file + ":" + line + ": " + reason);
        this.file = file;
        this.line = line;
    }
}
