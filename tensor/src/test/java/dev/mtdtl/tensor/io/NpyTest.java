package dev.mtdtl.tensor.io;

import dev.mtdtl.tensor.test.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripsEveryDtype() throws IOException {
        Npy.writeFloat(tmp.resolve("f.npy"), new float[]{1.5f, -2f, 3f, 4f, 5f, 6f}, 2, 3);
        Npy.writeDouble(tmp.resolve("d.npy"), new double[]{Math.PI, -1e300}, 2);
        Npy.writeInt(tmp.resolve("i.npy"), new int[]{7, -8, 9}, 3);
        Npy.writeLong(tmp.resolve("l.npy"), new long[]{1L << 40}, 1, 1);
        Npy.Array f = Npy.read(tmp.resolve("f.npy"));
        assertEquals(Npy.DType.F32, f.dtype());
        assertArrayEquals(new int[]{2, 3}, f.shape());
        assertArrayEquals(new float[]{1.5f, -2f, 3f, 4f, 5f, 6f}, f.toFloat());
        assertArrayEquals(new double[]{Math.PI, -1e300}, Npy.read(tmp.resolve("d.npy")).values());
        assertArrayEquals(new int[]{7, -8, 9}, Npy.read(tmp.resolve("i.npy")).toInt());
        assertEquals((double) (1L << 40), Npy.read(tmp.resolve("l.npy")).values()[0]);
        // The header is padded so the data starts on a 64-byte boundary, as NumPy does.
        assertEquals(0, (Files.size(tmp.resolve("f.npy")) - 24) % 64);
    }

    @Test
    void atomicWritesLeaveNoTemporaryFilesAndUsualPermissions() throws IOException {
        Path f = tmp.resolve("p.npy");
        Npy.writeFloat(f, new float[]{1f}, 1);
        Npy.writeFloat(f, new float[]{2f}, 1);   // replaces atomically
        assertEquals(2f, Npy.read(f).toFloat()[0]);
        try (var s = Files.list(tmp)) {
            assertEquals(java.util.List.of(f), s.toList(), "no temporary file left behind");
        }
        if (f.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            var perms = Files.getPosixFilePermissions(f);
            assertTrue(perms.contains(java.nio.file.attribute.PosixFilePermission.OWNER_READ));
            // Files.createTempFile would have made it owner-only (600); the umask decides instead.
            Path plain = Files.writeString(tmp.resolve("plain.txt"), "x");
            assertEquals(Files.getPosixFilePermissions(plain), perms);
        }
    }

    @Test
    void scalarAndEmptyShapes() throws IOException {
        Npy.writeFloat(tmp.resolve("s.npy"), new float[]{42f});
        assertArrayEquals(new int[]{}, Npy.read(tmp.resolve("s.npy")).shape());
        Npy.writeFloat(tmp.resolve("e.npy"), new float[0], 0, 3);
        assertArrayEquals(new int[]{0, 3}, Npy.read(tmp.resolve("e.npy")).shape());
    }

    @Test
    void readsNumpyWrittenFixtures() {
        Npy.Array a = Fixtures.npy("cross_entropy_2class/target.npy");
        assertEquals(Npy.DType.I32, a.dtype());
        Npy.Array x = Fixtures.npy("relu/x.npy");
        assertArrayEquals(new int[]{2, 3, 5, 4}, x.shape());
        assertEquals(Npy.DType.F64, Fixtures.npy("relu/y_f64.npy").dtype());
    }

    @Test
    void refusesUnsupportedDtypeNamingFile() throws IOException {
        Path p = tmp.resolve("u8.npy");
        writeRaw(p, "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", new byte[2]);
        IOException e = assertThrows(IOException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains("u8.npy") && e.getMessage().contains("|u1"), e.getMessage());
    }

    @Test
    void refusesFortranOrderTruncatedDataAndBadMagic() throws IOException {
        Path f = tmp.resolve("fortran.npy");
        writeRaw(f, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", new byte[4]);
        assertTrue(assertThrows(IOException.class, () -> Npy.read(f)).getMessage().contains("Fortran"));
        Path t = tmp.resolve("trunc.npy");
        writeRaw(t, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new byte[8]);
        IOException e = assertThrows(IOException.class, () -> Npy.read(t));
        assertTrue(e.getMessage().contains("trunc.npy") && e.getMessage().contains("(3,)"), e.getMessage());
        Path m = tmp.resolve("magic.npy");
        Files.write(m, new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        assertTrue(assertThrows(IOException.class, () -> Npy.read(m)).getMessage().contains("magic"));
        Path h = tmp.resolve("header.npy");
        byte[] bad = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) 200, 0, '{'};
        Files.write(h, bad);
        assertTrue(assertThrows(IOException.class, () -> Npy.read(h)).getMessage().contains("truncated"));
    }

    private static void writeRaw(Path p, String dict, byte[] data) throws IOException {
        String header = dict + "\n";
        byte[] hb = header.getBytes();
        byte[] out = new byte[10 + hb.length + data.length];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
        System.arraycopy(magic, 0, out, 0, 8);
        out[8] = (byte) hb.length;
        out[9] = 0;
        System.arraycopy(hb, 0, out, 10, hb.length);
        System.arraycopy(data, 0, out, 10 + hb.length, data.length);
        Files.write(p, out);
    }

    @Test
    void streamedRowsAreTheArrayWrittenWholeAndAShortBodyWritesNothing() throws IOException {
        float[] v = new float[7 * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i) * 1e3f;
        }
        Path whole = tmp.resolve("whole.npy");
        Npy.writeFloat(whole, v, 7, 5);
        Path rows = tmp.resolve("rows.npy");
        Npy.writeFloatRows(rows, 7, 5, out -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            out.write(b.array(), 0, 12);    // in pieces, as a caller copying rows does
            out.write(b.array(), 12, b.capacity() - 12);
        });
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(rows));
        Path shortOne = tmp.resolve("short.npy");
        IOException e = assertThrows(IOException.class, () -> Npy.writeFloatRows(shortOne, 7, 5,
                out -> out.write(new byte[4 * 34])));
        assertTrue(e.getMessage().contains("needs 140"), e.getMessage());
        assertTrue(!Files.exists(shortOne), "a short body leaves no file");
    }
}
