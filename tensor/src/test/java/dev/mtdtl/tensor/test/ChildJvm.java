package dev.mtdtl.tensor.test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A class's main in a child JVM on the test's class path: another JVM configuration (an AVX2 machine emulated by
 * {@code -XX:UseAVX=2}: {@link Avx2Jvm}) or another java altogether (an AArch64 one under QEMU: AArch64BitsTest).
 */
public final class ChildJvm {

    private ChildJvm() {}

    /** A started child: {@link #await} it. */
    public record Child(Process process, Path log, String what) {

        /**
         * Waits for the child and returns its output (stdout and stderr); fails when it does not end within
         * timeoutSeconds (and kills it) or exits with a non-zero status, the output in the message.
         */
        public String await(int timeoutSeconds) throws IOException, InterruptedException {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(what + " did not finish within " + timeoutSeconds + " s:\n"
                        + Files.readString(log));
            }
            String out = Files.readString(log);
            if (process.exitValue() != 0) {
                throw new AssertionError(what + " exited with " + process.exitValue() + ":\n" + out);
            }
            return out;
        }
    }

    /**
     * Starts {@code java flags... -cp <this class path> main args...} with env added to the environment, its output
     * in log; what names it in failures.
     */
    public static Child start(String java, List<String> flags, Map<String, String> env, Class<?> main, Path log,
                              String what, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().putAll(env);
        return new Child(pb.start(), log, what);
    }

    /** This JVM's own java launcher. */
    public static String thisJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
