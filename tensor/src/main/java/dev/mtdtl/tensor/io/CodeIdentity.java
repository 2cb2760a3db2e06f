package dev.mtdtl.tensor.io;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Which build of mtdtl is running: a name for the code that a study records beside each run, so that results
 * made by two builds (a source edited, a {@code git pull} between two {@code study run}s, a Slurm array whose
 * tasks started before and after a rebuild) are told apart instead of silently pooled.
 *
 * <p>The identity of a jar is {@code "jar:" + 16 hex digits}: the start of the SHA-256 of its entries' names,
 * sizes and CRC-32s, sorted by name, as the zip's central directory records them. So it depends on what the jar
 * holds (every class, resource and native library), not on when it was built: Maven stamps each entry with the
 * build time, and the jar's own bytes differ between two builds of the same sources while this does not. Reading
 * the central directory inflates nothing (16,000 entries of the 32 MB shaded jar in a few milliseconds). CRC-32
 * and the first 64 bits of SHA-256 tell builds apart; they are not a defence against a deliberate forgery.
 *
 * <p>Code run from class folders (tests, an IDE) is {@link #UNPACKAGED}: no identity, since the folders change
 * under it.
 */
public final class CodeIdentity {

    /** What {@link #current()} says when the code is not running from a jar. */
    public static final String UNPACKAGED = "unpackaged";

    private static volatile String current;

    private CodeIdentity() {}

    /** The identity of a jar file (see the class comment); an IOException naming it if it is not a zip. */
    public static String of(Path jar) throws IOException {
        List<ZipEntry> entries = new ArrayList<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            z.stream().filter(e -> !e.isDirectory()).forEach(entries::add);
        } catch (ZipException e) {
            throw new IOException(jar + ": not a jar (" + e.getMessage() + ")", e);
        }
        entries.sort(Comparator.comparing(ZipEntry::getName));
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
        for (ZipEntry e : entries) {
            sha.update((e.getName() + '\0' + e.getSize() + '\0' + e.getCrc() + '\n').getBytes(StandardCharsets.UTF_8));
        }
        return "jar:" + HexFormat.of().formatHex(sha.digest(), 0, 8);
    }

    /** The jar this class was loaded from, or null when it was loaded from a class folder (or cannot be told). */
    public static Path runningJar() {
        try {
            var src = CodeIdentity.class.getProtectionDomain().getCodeSource();
            if (src == null || src.getLocation() == null) {
                return null;
            }
            Path p = Path.of(src.getLocation().toURI());
            return Files.isRegularFile(p) ? p : null;
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The identity of the running code: its jar's ({@link #of}), computed once, or {@link #UNPACKAGED}. */
    public static String current() {
        String c = current;
        if (c == null) {
            Path jar = runningJar();
            try {
                c = jar == null ? UNPACKAGED : of(jar);
            } catch (IOException e) {
                c = UNPACKAGED;   // a code source that is a file but not a zip: nothing to name it by
            }
            current = c;
        }
        return c;
    }
}
