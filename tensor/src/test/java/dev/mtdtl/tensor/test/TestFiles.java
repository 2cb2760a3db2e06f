package dev.mtdtl.tensor.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** File chores the modules' tests share (through tensor's test-jar). */
public final class TestFiles {

    private TestFiles() {}

    /** A copy of the folder {@code from} at {@code to} (created), every file and subfolder. */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }
}
