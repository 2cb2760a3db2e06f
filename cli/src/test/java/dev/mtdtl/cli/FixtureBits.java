package dev.mtdtl.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pinned bits of the fixture cases (fixtures-bits.txt beside this class): the CRC each case must print under
 * {@code mtdtl fixtures --bits} at a lane count, and the check of a run's output against them.
 */
final class FixtureBits {

    private FixtureBits() {}

    /**
     * The table's column for a JVM with this many float lanes: case -> CRC (hex), or null where the table has no
     * column (a lane count it was not measured at).
     */
    static Map<String, String> expected(int lanes) throws IOException {
        int col = switch (lanes) {
            case 4 -> 1;
            case 8 -> 2;
            case 16 -> 3;
            default -> -1;
        };
        if (col < 0) {
            return null;
        }
        Map<String, String> m = new LinkedHashMap<>();
        try (InputStream in = FixtureBits.class.getResourceAsStream("fixtures-bits.txt")) {
            assertNotNull(in, "fixtures-bits.txt is missing from the test resources");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                assertEquals(4, f.length, "fixtures-bits.txt: " + line);
                m.put(f[0], f[col]);
            }
        }
        return m;
    }

    /** Asserts that every case line of a {@code fixtures --bits} run prints the CRC the table pins. */
    static void check(String runOutput, Map<String, String> want, String what) {
        Map<String, String> got = new LinkedHashMap<>();
        for (String l : runOutput.split("\n")) {
            if (l.matches("^(PASS|FAIL)  .*  bits [0-9a-f]{8}$")) {
                String[] f = l.trim().split("\\s+");
                got.put(f[1], f[f.length - 1]);
            }
        }
        assertTrue(got.size() >= 30, "only " + got.size() + " case lines with bits in:\n" + runOutput);
        StringBuilder diff = new StringBuilder();
        for (Map.Entry<String, String> e : want.entrySet()) {
            String g = got.get(e.getKey());
            if (!e.getValue().equals(g)) {
                diff.append(String.format("%n  %-28s pinned %s, computed %s", e.getKey(), e.getValue(), g));
            }
        }
        for (String k : got.keySet()) {
            if (!want.containsKey(k)) {
                diff.append(String.format("%n  %-28s computed %s, not pinned", k, got.get(k)));
            }
        }
        assertEquals("", diff.toString(), what + ": the engine's bits moved (fixtures-bits.txt: a deliberate change "
                + "updates the table and says so in bench/RESULTS.md)");
    }
}
