package dev.mtdtl.dsp;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file could not be decoded into audio: the message names the file and what is wrong with it
 * ("truncated data chunk", "unsupported codec", "NaN sample", ...). Decoders throw it before any
 * output is handed out, so a caller never sees partial audio; a batch job catches it, lists the
 * file in its report and goes on with the next one.
 */
public final class AudioDecodeException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String reason;

    public AudioDecodeException(Path file, String reason) {
        this(file, reason, null);
    }

    public AudioDecodeException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
        this.reason = reason;
    }

    /** The file that failed (as given by the caller). */
    public Path file() {
        return file;
    }

    /** What is wrong, without the file name. */
    public String reason() {
        return reason;
    }
}
