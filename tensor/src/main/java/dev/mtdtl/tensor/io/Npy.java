package dev.mtdtl.tensor.io;

import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files, format versions 1.0, 2.0 and 3.0, C order.
 *
 * <p>Element types read: float32, float64, int32, int64 in either byte order ({@code <f4 >f4 <f8 >f8
 * <i4 >i4 <i8 >i8}). Anything else (Fortran order, booleans, unsigned, strings, object arrays, pickles)
 * is refused with a message that names the file and the dtype. Writes are atomic: a temporary file in
 * the same folder, then a rename, so a crash never leaves a half-written array behind.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Element type of an array. */
    public enum DType {
        F32("f4", 4), F64("f8", 8), I32("i4", 4), I64("i8", 8);

        final String code;
        final int size;

        DType(String code, int size) {
            this.code = code;
            this.size = size;
        }
    }

    /**
     * An array as read from disk: its dtype, shape, and values widened to double (exact for every
     * supported type except int64 beyond 2^53, which is refused).
     */
    public record Array(DType dtype, int[] shape, double[] values) {
        public int numel() {
            return values.length;
        }

        /** Values rounded to float32. */
        public float[] toFloat() {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return f;
        }

        /** Values as int; throws if any is not an integer that fits. */
        public int[] toInt() {
            int[] r = new int[values.length];
            for (int i = 0; i < r.length; i++) {
                double v = values[i];
                if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("value " + v + " at flat index " + i + " is not an int32");
                }
                r[i] = (int) v;
            }
            return r;
        }

        public Tensor toTensor() {
            return Tensor.of(toFloat(), shape);
        }
    }

    /** Read any supported array. */
    public static Array read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        return parse(all, file.toString());
    }

    /** Read a float array as a float32 tensor (float64 is rounded; integer dtypes are refused). */
    public static Tensor readTensor(Path file) throws IOException {
        Array a = read(file);
        if (a.dtype != DType.F32 && a.dtype != DType.F64) {
            throw new IOException(file + ": expected a float32 or float64 array, found " + a.dtype);
        }
        return a.toTensor();
    }

    /** Parse the bytes of a {@code .npy} file; {@code name} is used in error messages. */
    public static Array parse(byte[] b, String name) throws IOException {
        if (b.length < 10) {
            throw new IOException(name + ": not a .npy file (only " + b.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (b[i] != MAGIC[i]) {
                throw new IOException(name + ": not a .npy file (bad magic bytes)");
            }
        }
        int major = b[6] & 0xff;
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (b.length < 12) {
                throw new IOException(name + ": truncated .npy header");
            }
            headerLen = bb.getInt(8) & 0xffffffffL;
            headerStart = 12;
        } else {
            throw new IOException(name + ": unsupported .npy format version " + major);
        }
        if (headerStart + headerLen > b.length) {
            throw new IOException(name + ": truncated .npy header (declares " + headerLen + " bytes, file has "
                    + (b.length - headerStart) + ")");
        }
        String header = new String(b, headerStart, (int) headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new IOException(name + ": malformed .npy header: " + header.trim());
        }
        if (f.group(1).equals("True")) {
            throw new IOException(name + ": Fortran-order arrays are not supported (save with C order)");
        }
        String descr = d.group(1);
        if (descr.length() != 3 || "<>|=".indexOf(descr.charAt(0)) < 0) {
            throw new IOException(name + ": unsupported dtype '" + descr
                    + "' (supported: float32, float64, int32, int64)");
        }
        DType dtype = null;
        for (DType t : DType.values()) {
            if (t.code.equals(descr.substring(1))) {
                dtype = t;
            }
        }
        if (dtype == null) {
            throw new IOException(name + ": unsupported dtype '" + descr
                    + "' (supported: float32, float64, int32, int64)");
        }
        ByteOrder order = descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        int[] shape = parseShape(s.group(1), name);
        long need = dtype.size;   // bytes; overflow-checked, so a hostile shape cannot wrap to the file's size
        for (int dim : shape) {
            try {
                need = Math.multiplyExact(need, (long) dim);
            } catch (ArithmeticException e) {
                throw new IOException(name + ": .npy shape " + Shape.str(shape) + " is too large");
            }
        }
        long n = need / dtype.size;
        long dataStart = headerStart + headerLen;
        if (b.length - dataStart != need) {
            throw new IOException(name + ": data holds " + (b.length - dataStart) + " bytes, but shape "
                    + Shape.str(shape) + " of " + descr + " needs " + need);
        }
        ByteBuffer data = ByteBuffer.wrap(b, (int) dataStart, (int) need).slice().order(order);
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            switch (dtype) {
                case F32 -> v[i] = data.getFloat(4 * i);
                case F64 -> v[i] = data.getDouble(8 * i);
                case I32 -> v[i] = data.getInt(4 * i);
                case I64 -> {
                    long x = data.getLong(8 * i);
                    if (Math.abs(x) > (1L << 53)) {
                        throw new IOException(name + ": int64 value " + x + " at flat index " + i
                                + " is too large to represent exactly");
                    }
                    v[i] = x;
                }
            }
        }
        return new Array(dtype, shape, v);
    }

    private static int[] parseShape(String s, String name) throws IOException {
        List<Integer> dims = new ArrayList<>();
        for (String part : s.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (t.endsWith("L")) {
                t = t.substring(0, t.length() - 1);
            }
            int dim;
            try {
                dim = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                throw new IOException(name + ": bad dimension '" + t + "' in .npy shape (" + s + ")");
            }
            if (dim < 0) {
                throw new IOException(name + ": negative dimension " + dim + " in .npy shape (" + s + ")");
            }
            dims.add(dim);
        }
        int[] r = new int[dims.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = dims.get(i);
        }
        return r;
    }

    /** Write float32 values under {@code shape}. */
    public static void writeFloat(Path file, float[] values, int... shape) throws IOException {
        check(values.length, shape, file);
        ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : values) {
            bb.putFloat(x);
        }
        write(file, DType.F32, shape, bb.array());
    }

    public static void write(Path file, Tensor t) throws IOException {
        writeFloat(file, t.data(), t.shape());
    }

    /** Write float64 values under {@code shape}. */
    public static void writeDouble(Path file, double[] values, int... shape) throws IOException {
        check(values.length, shape, file);
        ByteBuffer bb = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : values) {
            bb.putDouble(x);
        }
        write(file, DType.F64, shape, bb.array());
    }

    /** Write int32 values under {@code shape}. */
    public static void writeInt(Path file, int[] values, int... shape) throws IOException {
        check(values.length, shape, file);
        ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : values) {
            bb.putInt(x);
        }
        write(file, DType.I32, shape, bb.array());
    }

    /** Write int64 values under {@code shape}. */
    public static void writeLong(Path file, long[] values, int... shape) throws IOException {
        check(values.length, shape, file);
        ByteBuffer bb = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : values) {
            bb.putLong(x);
        }
        write(file, DType.I64, shape, bb.array());
    }

    private static void check(int n, int[] shape, Path file) {
        if (Shape.numelLong(shape) != n) {
            throw new IllegalArgumentException(file + ": shape " + Shape.str(shape) + " does not hold " + n
                    + " values");
        }
    }

    /**
     * Write a (rows, cols) float32 array whose values {@code body} streams, row-major, as little-endian bytes:
     * for outputs too large to hold in memory. The file appears (atomically) only if body wrote exactly
     * rows x cols values.
     */
    public static void writeFloatRows(Path file, int rows, int cols, AtomicFiles.Writer body) throws IOException {
        writeFloatStream(file, new int[] {rows, cols}, body);
    }

    /**
     * Write a float32 array of any {@code shape} whose values {@code body} streams in C order as little-endian bytes;
     * the file appears (atomically) only if body wrote exactly as many values as the shape holds.
     */
    public static void writeFloatStream(Path file, int[] shape, AtomicFiles.Writer body) throws IOException {
        long want = 4L * Shape.numelLong(shape);
        write(file, DType.F32, shape, out -> {
            long[] n = {0};
            body.write(new java.io.FilterOutputStream(out) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    n[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    n[0] += len;
                }
            });
            if (n[0] != want) {
                throw new IOException(file + ": wrote " + n[0] + " bytes of values, the shape " + Shape.str(shape)
                        + " needs " + want);
            }
        });
    }

    private static void write(Path file, DType dtype, int[] shape, byte[] payload) throws IOException {
        write(file, dtype, shape, out -> out.write(payload));
    }

    private static void write(Path file, DType dtype, int[] shape, AtomicFiles.Writer payload) throws IOException {
        StringBuilder sh = new StringBuilder("(");
        for (int d : shape) {
            sh.append(d).append(", ");
        }
        if (shape.length > 1) {
            sh.setLength(sh.length() - 2);
        } else if (shape.length == 1) {
            sh.setLength(sh.length() - 1);
        }
        sh.append(")");
        String dict = "{'descr': '<" + dtype.code + "', 'fortran_order': False, 'shape': " + sh + ", }";
        // Header padded with spaces and a newline so that the data starts on a 64-byte boundary.
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] hb = header.getBytes(StandardCharsets.ISO_8859_1);
        if (hb.length > 65535) {
            throw new IOException(file + ": header too long for .npy version 1.0");
        }
        AtomicFiles.write(file, out -> {
            out.write(MAGIC);
            out.write(1);
            out.write(0);
            out.write(hb.length & 0xff);
            out.write((hb.length >>> 8) & 0xff);
            out.write(hb);
            payload.write(out);
        });
    }

    /** Read a {@code .npy} stream fully (for resources on the class path). */
    public static Array read(InputStream in, String name) throws IOException {
        return parse(in.readAllBytes(), name);
    }

}
