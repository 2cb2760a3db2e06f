package dev.mtdtl.tensor.io;

import dev.mtdtl.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripKeepsOrderShapesMetadataAndInt64() throws IOException {
        Path f = tmp.resolve("m.safetensors");
        new Safetensors.Writer()
                .put("conv1.weight", Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3, 1, 1))
                .put("conv1.bias", new float[]{-1f, 0.5f}, 2)
                .putLong("bn1.num_batches_tracked", new long[]{7})
                .metadata("format", "pt")
                .write(f);
        byte[] b = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(java.util.List.of("conv1.weight", "conv1.bias"), java.util.List.copyOf(c.floats.keySet()));
        assertArrayEquals(new int[]{2, 3, 1, 1}, c.tensor("conv1.weight").shape());
        assertArrayEquals(new float[]{-1f, 0.5f}, c.tensor("conv1.bias").data());
        assertArrayEquals(new long[]{7}, c.ints.get("bn1.num_batches_tracked"));
        assertArrayEquals(new int[]{}, c.intShapes.get("bn1.num_batches_tracked"));
        assertEquals("pt", c.metadata.get("format"));
    }

    @Test
    void readsF64F16AndBf16() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[8,10]},"
                + "\"c\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[10,12]}}";
        ByteBuffer data = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        data.putDouble(0.25);
        data.putShort(Half.fromFloat(1.5f));
        data.putShort((short) (Float.floatToRawIntBits(-2f) >>> 16));
        Path f = tmp.resolve("x.safetensors");
        Files.write(f, file(h, data.array()));
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(0.25f, c.tensor("a").data()[0]);
        assertEquals(1.5f, c.tensor("b").data()[0]);
        assertEquals(-2f, c.tensor("c").data()[0]);
    }

    @Test
    void badHeadersNameTheFile() throws IOException {
        Path shortFile = tmp.resolve("short.safetensors");
        Files.write(shortFile, new byte[]{1, 2});
        assertMessage(shortFile, "short.safetensors");
        Path badLen = tmp.resolve("len.safetensors");
        Files.write(badLen, file("{}", new byte[0], 1000));
        assertMessage(badLen, "header length");
        Path badJson = tmp.resolve("json.safetensors");
        Files.write(badJson, file("{\"a\":", new byte[0]));
        assertMessage(badJson, "invalid JSON");
        Path mismatch = tmp.resolve("mismatch.safetensors");
        Files.write(mismatch, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));
        assertMessage(mismatch, "(3,)");
        Path gap = tmp.resolve("gap.safetensors");
        Files.write(gap, file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]));
        assertMessage(gap, "contiguous");
        Path dtype = tmp.resolve("dtype.safetensors");
        Files.write(dtype, file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", new byte[1]));
        assertMessage(dtype, "U8");
    }

    private static void assertMessage(Path f, String part) {
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains(part) && e.getMessage().contains(f.getFileName().toString()), e.getMessage());
    }

    private static byte[] file(String header, byte[] data) {
        return file(header, data, -1);
    }

    private static byte[] file(String header, byte[] data, long declared) {
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(declared >= 0 ? declared : hb.length);
        bb.put(hb);
        bb.put(data);
        return bb.array();
    }
}
