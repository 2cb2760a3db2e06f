package dev.mtdtl.tensor.test;

import dev.mtdtl.tensor.JitFlags;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A class's main in a child JVM started with {@code -XX:UseAVX=2}: an AVX2 machine emulated on an AVX-512 one, where
 * the preferred vector shape, and so every CPU kernel's, is 256 bits (8 float lanes). For the tests that check the
 * 8-lane code paths when the suite itself runs with 16 lanes. Same java, same class path.
 */
public final class Avx2Jvm {

    private Avx2Jvm() {}

    /**
     * Runs {@code main}'s main with args, its output (stdout and stderr) in log; returns that output. Fails when it
     * does not end within timeoutSeconds or exits with a non-zero status (the output in the message).
     */
    public static String run(Class<?> main, Path log, int timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:UseAVX=2", "--add-modules=jdk.incubator.vector", JitFlags.OPTION, "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(main.getSimpleName() + " under -XX:UseAVX=2 did not finish within "
                    + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        if (p.exitValue() != 0) {
            throw new AssertionError(main.getSimpleName() + " under -XX:UseAVX=2 exited with " + p.exitValue()
                    + ":\n" + out);
        }
        return out;
    }
}
