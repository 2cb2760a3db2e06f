package dev.mtdtl.bench;

import dev.mtdtl.tensor.Parallel;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Milliseconds per training epoch of the evaluation MLP ({@code dev.mtdtl.eval.Mlp}, (256, 256), sklearn's
 * settings) on MlpBench's data, for {@code bench/mlp_side_by_side.py}; optionally against another build of
 * the class in the same JVM, alternating, so that before and after see the same load.
 *
 * <p>{@code --before DIR}: a classes folder holding another {@code dev/mtdtl/eval/Mlp.class} (the script
 * compiles main's Mlp*.java and Metrics there); every dev.mtdtl.eval class in it is loaded child-first, so that
 * its Mlp and its package-private helpers share one runtime package (the engine's tensor classes, the thread pool
 * included, stay shared) and timed in turn with this build's. Both fits must give the same model (epochs, final
 * loss and the bits of the outputs on 200 rows): the line {@code identical true|false} says whether they did.
 * {@code --cpu}: one pool thread and the thread's CPU time (robust on a shared machine); else wall time with
 * {@code --threads} (default 2).
 *
 * <p>Prints {@code epoch <impl> <ms>} per fit, then {@code summary <impl> min <ms> median <ms>} and
 * {@code rss_peak_mb <VmHWM>} (the whole JVM).
 *
 * <p>Usage: {@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.mtdtl.bench.MlpEpochTimer [--n 5000] [--d 512] [--classes 10] [--epochs 5] [--rounds 8] [--warmup 2]
 * [--threads 2] [--cpu] [--before DIR]}
 */
public final class MlpEpochTimer {

    private MlpEpochTimer() {}

    /** One implementation of the MLP, called by reflection (the two builds are different classes). */
    private record Impl(String name, Method classifier, Method sklearn, Method withMaxEpochs, Method epochs,
                        Method finalLoss, Method predictRaw) {
        static Impl of(String name, ClassLoader cl) throws ReflectiveOperationException {
            Class<?> mlp = Class.forName("dev.mtdtl.eval.Mlp", true, cl);
            Class<?> opt = Class.forName("dev.mtdtl.eval.Mlp$Options", true, cl);
            return new Impl(name,
                    mlp.getMethod("classifier", float[].class, int.class, int.class, int[].class, int.class, opt),
                    opt.getMethod("sklearn", long.class), opt.getMethod("withMaxEpochs", int.class),
                    mlp.getMethod("epochs"), mlp.getMethod("finalLoss"), mlp.getMethod("predictRaw", float[].class, int.class));
        }

        Object fit(float[] x, int n, int d, int[] y, int k, int epochs) throws ReflectiveOperationException {
            Object o = withMaxEpochs.invoke(sklearn.invoke(null, 1L), epochs);
            return classifier.invoke(null, x, n, d, y, k, o);
        }

        /** Epochs, final loss and the output bits on the first rows: what "the same model" means here. */
        String fingerprint(Object model, float[] x, int rows, int d) throws ReflectiveOperationException {
            float[] out = (float[]) predictRaw.invoke(model, Arrays.copyOf(x, rows * d), rows);
            return epochs.invoke(model) + " " + finalLoss.invoke(model) + " " + Arrays.hashCode(out);
        }
    }

    /** Loads dev.mtdtl.eval.* from one folder first; everything else from the parent. */
    private static final class ChildFirst extends URLClassLoader {
        ChildFirst(URL dir, ClassLoader parent) {
            super(new URL[]{dir}, parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && name.startsWith("dev.mtdtl.eval.")) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        c = null;
                    }
                }
                if (c == null) {
                    return super.loadClass(name, resolve);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int n = 5000;
        int d = 512;
        int k = 10;
        int epochs = 5;
        int rounds = 8;
        int warmup = 2;
        int threads = 2;
        boolean cpu = false;
        Path before = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--n" -> n = Integer.parseInt(args[++i]);
                case "--d" -> d = Integer.parseInt(args[++i]);
                case "--classes" -> k = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--cpu" -> cpu = true;
                case "--before" -> before = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("MlpEpochTimer: unknown argument '" + a + "'");
            }
        }
        Parallel.setThreads(cpu ? 1 : threads);
        List<Impl> impls = new ArrayList<>();
        if (before != null) {
            if (!Files.isRegularFile(before.resolve("dev/mtdtl/eval/Mlp.class"))) {
                throw new IOException("--before " + before + ": no dev/mtdtl/eval/Mlp.class in it");
            }
            impls.add(Impl.of("before", new ChildFirst(before.toUri().toURL(), MlpEpochTimer.class.getClassLoader())));
        }
        impls.add(Impl.of("after", MlpEpochTimer.class.getClassLoader()));
        float[] x = MlpBench.features(n, d, 1);
        int[] y = MlpBench.labels(n, k, 2);
        ThreadMXBean tb = ManagementFactory.getThreadMXBean();
        List<List<Double>> ms = new ArrayList<>();
        List<String> prints = new ArrayList<>();
        for (int i = 0; i < impls.size(); i++) {
            ms.add(new ArrayList<>());
            prints.add(null);
        }
        for (int r = 0; r < warmup + rounds; r++) {
            for (int j = 0; j < impls.size(); j++) {
                int i = (r % 2 == 0) ? j : impls.size() - 1 - j;   // alternate which goes first
                Impl im = impls.get(i);
                long t0 = cpu ? tb.getCurrentThreadCpuTime() : System.nanoTime();
                Object model = im.fit(x, n, d, y, k, epochs);
                long t1 = cpu ? tb.getCurrentThreadCpuTime() : System.nanoTime();
                int done = (Integer) im.epochs.invoke(model);
                double perEpoch = (t1 - t0) / 1e6 / done;
                if (r >= warmup) {
                    ms.get(i).add(perEpoch);
                    System.out.printf("epoch %s %.2f%n", im.name, perEpoch);
                }
                prints.set(i, im.fingerprint(model, x, Math.min(n, 200), d));
            }
        }
        for (int i = 0; i < impls.size(); i++) {
            double[] v = ms.get(i).stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf("summary %s min %.2f median %.2f%n", impls.get(i).name, v[0], v[v.length / 2]);
        }
        if (impls.size() > 1) {
            System.out.println("identical " + prints.get(0).equals(prints.get(1)));
        }
        System.out.println("rss_peak_mb " + peakRssMb());
    }

    /** VmHWM of this process in MB (Linux), or -1. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
