package dev.mtdtl.tensor.test;

import dev.mtdtl.tensor.JitFlags;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
        return ChildJvm.start(ChildJvm.thisJava(), List.of("-XX:UseAVX=2", "--add-modules=jdk.incubator.vector",
                JitFlags.OPTION, "-Xmx1g"), Map.of(), main, log, main.getSimpleName() + " under -XX:UseAVX=2", args)
                .await(timeoutSeconds);
    }
}
