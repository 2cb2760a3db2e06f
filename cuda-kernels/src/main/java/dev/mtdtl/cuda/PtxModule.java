package dev.mtdtl.cuda;

import static jcuda.driver.JCudaDriver.*;

import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code .cu} file's PTX, loaded into the current context once (jcuda-vec style: resource bytes plus
 * a trailing NUL, then cuModuleLoadDataEx, which JIT-compiles the compute_75 PTX for the device).
 * The text helpers ({@link #text}, {@link #header}, {@link #entries}) need no driver and are CPU-tested.
 */
public final class PtxModule {

    static final String RESOURCE_DIR = "/dev/mtdtl/cuda/";
    private static final Pattern HEADER = Pattern.compile("^// src-sha256=([0-9a-f]{64}) nvcc=(\\S+)");
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(");

    private final String name;
    private final CUmodule module;

    private PtxModule(String name, CUmodule module) {
        this.name = name;
        this.module = module;
    }

    /** Loads {@code <name>.ptx} (e.g. "relu") into the shared context. Call once per file (static holder). */
    public static PtxModule load(String name) {
        Cuda.context();
        byte[] ptx = bytes(name);
        byte[] z = new byte[ptx.length + 1];       // the driver reads the image as a C string
        System.arraycopy(ptx, 0, z, 0, ptx.length);
        CUmodule m = new CUmodule();
        cuModuleLoadDataEx(m, Pointer.to(z), 0, new int[0], Pointer.to(new int[0]));   // default JIT options (-O4)
        return new PtxModule(name, m);
    }

    /** The kernel {@code entry}; a missing name throws (CUDA_ERROR_NOT_FOUND) naming the file. */
    public CUfunction function(String entry) {
        CUfunction f = new CUfunction();
        try {
            cuModuleGetFunction(f, module, entry);
        } catch (RuntimeException e) {
            throw new IllegalStateException("kernel " + entry + " not found in " + name + ".ptx", e);
        }
        return f;
    }

    /** The PTX resource's bytes. */
    static byte[] bytes(String name) {
        try (InputStream in = PtxModule.class.getResourceAsStream(RESOURCE_DIR + name + ".ptx")) {
            if (in == null) {
                throw new IllegalStateException("PTX resource " + RESOURCE_DIR + name + ".ptx missing (run mvn -Pnvcc)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        return new String(bytes(name), StandardCharsets.US_ASCII);
    }

    /** {sha256 of the source, nvcc version} from the first line, or null if the header is missing. */
    static String[] header(String ptxText) {
        Matcher m = HEADER.matcher(ptxText);
        return m.find() ? new String[] {m.group(1), m.group(2)} : null;
    }

    /** The kernel entry points defined in a PTX text. */
    static List<String> entries(String ptxText) {
        List<String> out = new ArrayList<>();
        Matcher m = ENTRY.matcher(ptxText);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
