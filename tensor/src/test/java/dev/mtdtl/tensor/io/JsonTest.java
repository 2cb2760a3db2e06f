package dev.mtdtl.tensor.io;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void parsesAndWritesRoundTrip() {
        String text = "{\"a\": [1, 2.5, -3e2, true, false, null], \"s\": \"q\\\"\\n\\u00e9\", \"o\": {}}";
        Map<String, Object> m = Json.parseObject(text, "t");
        assertEquals(List.of(1L, 2.5, -300.0, true, false), ((List<?>) m.get("a")).subList(0, 5));
        assertEquals("q\"\né", m.get("s"));
        assertEquals(m, Json.parseObject(Json.write(m, 2), "t2"));
        assertEquals(m, Json.parseObject(Json.write(m, 0), "t3"));
    }

    @Test
    void errorsNameSourceLineAndColumn() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Json.parse("{\n  \"a\": tru\n}", "manifest.json"));
        assertTrue(e.getMessage().startsWith("manifest.json:2:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,\"a\":2}", "dup"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1,]", "comma"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x", "trail"));
    }

    /** Keys in the order given, whatever the JVM's salt (Map.of's order changes from run to run). */
    @Test
    void objectKeepsTheKeysInOrder() {
        assertEquals("{\"seconds\":1.5,\"reused\":false,\"a\":null}",
                Json.write(Json.object("seconds", 1.5, "reused", false, "a", null), 0));
        assertThrows(IllegalArgumentException.class, () -> Json.object("odd"));
    }
}
