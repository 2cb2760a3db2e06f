package dev.mtdtl.tensor.io;

import dev.mtdtl.tensor.Shape;
import dev.mtdtl.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
 * header {@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"k": "v"}}}, then the raw little-endian tensor bytes.
 *
 * <p>Read: F32, F64 (rounded to float32), F16, BF16 (widened) as float tensors; I64, I32 as integer
 * tensors (PyTorch stores BatchNorm's {@code num_batches_tracked} as an I64 scalar). The header is
 * validated the way the reference implementation does: offsets inside the buffer, contiguous, no
 * overlap, byte counts matching the shapes. Every error names the file. Write: F32 and I64, header
 * padded with spaces to a multiple of 8 bytes, atomically (temp file and rename).
 */
public final class Safetensors {

    /** Hard cap on the JSON header (the reference implementation uses 100 MB). */
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** The content of a file: float tensors, integer tensors (with shapes) and metadata, in file order. */
    public static final class Contents {
        public final Map<String, Tensor> floats = new LinkedHashMap<>();
        public final Map<String, long[]> ints = new LinkedHashMap<>();
        public final Map<String, int[]> intShapes = new LinkedHashMap<>();
        public final Map<String, String> metadata = new LinkedHashMap<>();

        /** The float tensor {@code name}, or an exception naming the file's tensors. */
        public Tensor tensor(String name) {
            Tensor t = floats.get(name);
            if (t == null) {
                throw new IllegalArgumentException("no float tensor '" + name + "' (have " + floats.keySet() + ")");
            }
            return t;
        }
    }

    /** Read a whole file. */
    public static Contents read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        return parse(b, file.toString());
    }

    /** Parse the bytes of a safetensors file; {@code name} is used in messages. */
    @SuppressWarnings("unchecked")
    public static Contents parse(byte[] b, String name) throws IOException {
        if (b.length < 8) {
            throw new IOException(name + ": not a safetensors file (" + b.length + " bytes, no header length)");
        }
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER || 8 + n > b.length) {
            throw new IOException(name + ": bad safetensors header length " + n + " (file has " + b.length
                    + " bytes)");
        }
        String headerText = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        Map<String, Object> header;
        try {
            header = Json.parseObject(headerText.strip(), name + " (header)");
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        int dataStart = 8 + (int) n;
        long bufLen = b.length - (long) dataStart;
        Contents c = new Contents();
        List<long[]> ranges = new ArrayList<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            String key = e.getKey();
            if (key.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) {
                    throw new IOException(name + ": __metadata__ must be an object of strings");
                }
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String)) {
                        throw new IOException(name + ": __metadata__ value of '" + m.getKey() + "' is not a string");
                    }
                    c.metadata.put((String) m.getKey(), (String) m.getValue());
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info)) {
                throw new IOException(name + ": entry '" + key + "' is not an object");
            }
            Object dt = info.get("dtype");
            Object sh = info.get("shape");
            Object off = info.get("data_offsets");
            if (!(dt instanceof String dtype) || !(sh instanceof List<?> shapeList) || !(off instanceof List<?> offList)
                    || offList.size() != 2) {
                throw new IOException(name + ": entry '" + key + "' needs dtype, shape and data_offsets [begin, end]");
            }
            int[] shape = new int[shapeList.size()];
            for (int k = 0; k < shape.length; k++) {
                shape[k] = toInt(shapeList.get(k), name, key);
            }
            long begin = toLong(offList.get(0), name, key);
            long end = toLong(offList.get(1), name, key);
            if (begin < 0 || end < begin || end > bufLen) {
                throw new IOException(name + ": entry '" + key + "' has data_offsets [" + begin + ", " + end
                        + "] outside the " + bufLen + "-byte buffer");
            }
            int size = dtypeSize(dtype, name, key);
            long count = 1;
            for (int dim : shape) {   // bounded (each factor < 2^31, count < 2^31): cannot wrap to the span
                count *= dim;
                if (count > Integer.MAX_VALUE) {
                    break;
                }
            }
            if (count > Integer.MAX_VALUE) {
                throw new IOException(name + ": entry '" + key + "' has a shape " + Shape.str(shape) + " too large "
                        + "for one tensor");
            }
            if (count * size != end - begin) {
                throw new IOException(name + ": entry '" + key + "' of " + dtype + " " + Shape.str(shape) + " needs "
                        + count * size + " bytes, data_offsets span " + (end - begin));
            }
            ranges.add(new long[]{begin, end});
            ByteBuffer bb = ByteBuffer.wrap(b, dataStart + (int) begin, (int) (end - begin)).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            int cnt = (int) count;
            switch (dtype) {
                case "F32", "F64", "F16", "BF16" -> {
                    float[] v = new float[cnt];
                    for (int k = 0; k < cnt; k++) {
                        v[k] = switch (dtype) {
                            case "F32" -> bb.getFloat(4 * k);
                            case "F64" -> (float) bb.getDouble(8 * k);
                            case "F16" -> Half.toFloat(bb.getShort(2 * k));
                            default -> Float.intBitsToFloat((bb.getShort(2 * k) & 0xffff) << 16);
                        };
                    }
                    c.floats.put(key, Tensor.of(v, shape));
                }
                default -> {
                    long[] v = new long[cnt];
                    for (int k = 0; k < cnt; k++) {
                        v[k] = dtype.equals("I64") ? bb.getLong(8 * k) : bb.getInt(4 * k);
                    }
                    c.ints.put(key, v);
                    c.intShapes.put(key, shape);
                }
            }
        }
        // The buffer must be covered exactly: sorted ranges contiguous from 0 to the end.
        ranges.sort((x, y) -> Long.compare(x[0], y[0]));
        long pos = 0;
        for (long[] r : ranges) {
            if (r[0] != pos) {
                throw new IOException(name + ": tensor data is not contiguous (gap or overlap at byte " + pos + ")");
            }
            pos = r[1];
        }
        if (pos != bufLen) {
            throw new IOException(name + ": " + (bufLen - pos) + " trailing bytes after the last tensor");
        }
        return c;
    }

    private static int dtypeSize(String dtype, String name, String key) throws IOException {
        return switch (dtype) {
            case "F32", "I32" -> 4;
            case "F64", "I64" -> 8;
            case "F16", "BF16" -> 2;
            default -> throw new IOException(name + ": entry '" + key + "' has unsupported dtype " + dtype
                    + " (supported: F32, F64, F16, BF16, I32, I64)");
        };
    }

    private static long toLong(Object o, String name, String key) throws IOException {
        if (o instanceof Long l) {
            return l;
        }
        throw new IOException(name + ": entry '" + key + "' has a non-integer offset or dimension: " + o);
    }

    private static int toInt(Object o, String name, String key) throws IOException {
        long v = toLong(o, name, key);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IOException(name + ": entry '" + key + "' has a bad dimension " + v);
        }
        return (int) v;
    }

    /** Collects tensors, then writes them in insertion order. */
    public static final class Writer {
        private final Map<String, Object> entries = new LinkedHashMap<>();
        private final Map<String, int[]> shapes = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        public Writer put(String name, Tensor t) {
            return put(name, t.data(), t.shape());
        }

        public Writer put(String name, float[] values, int... shape) {
            if (Shape.numelLong(shape) != values.length) {
                throw new IllegalArgumentException(name + ": shape " + Shape.str(shape) + " does not hold "
                        + values.length + " values");
            }
            add(name, values, shape);
            return this;
        }

        /** An int64 tensor (shape {} for a scalar such as num_batches_tracked). */
        public Writer putLong(String name, long[] values, int... shape) {
            if (Shape.numelLong(shape) != values.length) {
                throw new IllegalArgumentException(name + ": shape " + Shape.str(shape) + " does not hold "
                        + values.length + " values");
            }
            add(name, values, shape);
            return this;
        }

        public Writer metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        private void add(String name, Object values, int[] shape) {
            if (name.equals("__metadata__") || entries.containsKey(name)) {
                throw new IllegalArgumentException("duplicate or reserved tensor name '" + name + "'");
            }
            entries.put(name, values);
            shapes.put(name, shape.clone());
        }

        public void write(Path file) throws IOException {
            Map<String, Object> header = new LinkedHashMap<>();
            if (!metadata.isEmpty()) {
                header.put("__metadata__", metadata);
            }
            long pos = 0;
            for (Map.Entry<String, Object> e : entries.entrySet()) {
                boolean f = e.getValue() instanceof float[];
                long bytes = f ? 4L * ((float[]) e.getValue()).length : 8L * ((long[]) e.getValue()).length;
                Map<String, Object> info = new LinkedHashMap<>();
                info.put("dtype", f ? "F32" : "I64");
                info.put("shape", shapes.get(e.getKey()));
                info.put("data_offsets", List.of(pos, pos + bytes));
                header.put(e.getKey(), info);
                pos += bytes;
            }
            byte[] hb = Json.write(header, 0).getBytes(StandardCharsets.UTF_8);
            int pad = (8 - hb.length % 8) % 8;
            byte[] padded = Arrays.copyOf(hb, hb.length + pad);
            Arrays.fill(padded, hb.length, padded.length, (byte) ' ');
            final long total = pos;
            AtomicFiles.write(file, out -> {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                len.putLong(padded.length);
                out.write(len.array());
                out.write(padded);
                ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                for (Object v : entries.values()) {
                    if (v instanceof float[] fa) {
                        for (float x : fa) {
                            if (chunk.remaining() < 8) {
                                out.write(chunk.array(), 0, chunk.position());
                                chunk.clear();
                            }
                            chunk.putFloat(x);
                        }
                    } else {
                        for (long x : (long[]) v) {
                            if (chunk.remaining() < 8) {
                                out.write(chunk.array(), 0, chunk.position());
                                chunk.clear();
                            }
                            chunk.putLong(x);
                        }
                    }
                }
                out.write(chunk.array(), 0, chunk.position());
                if (total < 0) {
                    throw new IOException("negative size");
                }
            });
        }
    }
}
