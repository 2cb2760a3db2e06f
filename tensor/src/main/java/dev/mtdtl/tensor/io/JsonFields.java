package dev.mtdtl.tensor.io;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Typed access to the fields of a parsed JSON object ({@link Json}) for the engine's sidecars and
 * manifests, so that a missing, mistyped or out-of-range field is an IllegalArgumentException naming the
 * file and the field ("all.json: field tracks is -3, expected 0 to 100000000") rather than a
 * NullPointerException or ClassCastException, and so that a hostile count cannot reach an allocation.
 */
public final class JsonFields {

    private JsonFields() {}

    /** Parse {@code file}'s text as an object; the message of any error names the file and position. */
    public static Map<String, Object> read(Path file) throws java.io.IOException {
        return Json.parseObject(TextFiles.read(file), file.toString());
    }

    /** A string field. */
    public static String str(Map<String, Object> m, String key, Path file) {
        return get(m, key, String.class, "a string", file);
    }

    /** An integer field in [min, max]. */
    public static long lng(Map<String, Object> m, String key, long min, long max, Path file) {
        Long v = get(m, key, Long.class, "an integer", file);
        if (v < min || v > max) {
            throw new IllegalArgumentException(file + ": field " + key + " is " + v + ", expected " + min + " to " + max);
        }
        return v;
    }

    /** An int field in [min, max]. */
    public static int integer(Map<String, Object> m, String key, int min, int max, Path file) {
        return (int) lng(m, key, min, max, file);
    }

    /** An object field. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> obj(Map<String, Object> m, String key, Path file) {
        return get(m, key, Map.class, "an object", file);
    }

    /** An array field. */
    public static List<?> list(Map<String, Object> m, String key, Path file) {
        return get(m, key, List.class, "an array", file);
    }

    private static <T> T get(Map<String, Object> m, String key, Class<T> type, String what, Path file) {
        Object o = m.get(key);
        if (!type.isInstance(o)) {
            String shown = o == null ? "null" : o instanceof String || o instanceof Number || o instanceof Boolean
                    ? Json.write(o, 0) : o instanceof Map ? "an object" : "an array";
            if (shown.length() > 80) {
                shown = shown.substring(0, 77) + "...";
            }
            throw new IllegalArgumentException(file + ": field " + key + " is " + (o == null && !m.containsKey(key)
                    ? "missing" : "not " + what + " (" + shown + ")"));
        }
        return type.cast(o);
    }
}
