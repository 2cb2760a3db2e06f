package dev.mtdtl.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's main source files, for the tests that hold rules by reading them (VectorShapesTest, PortableMathTest).
 */
final class MainSources {

    /** The checkout's root: the tests run in bench/. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private MainSources() {}

    /** Every main source file of every module. */
    static List<Path> all() throws IOException {
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path m : modules.filter(p -> Files.isDirectory(p.resolve("src/main/java"))).toList()) {
                try (Stream<Path> files = Files.walk(m.resolve("src/main/java"))) {
                    files.filter(f -> f.toString().endsWith(".java")).forEach(sources::add);
                }
            }
        }
        assertTrue(sources.size() > 100, "found only " + sources.size() + " main sources under " + ROOT);
        return sources;
    }

    /** f relative to the checkout's root, with forward slashes. */
    static String relative(Path f) {
        return ROOT.relativize(f).toString().replace('\\', '/');
    }
}
