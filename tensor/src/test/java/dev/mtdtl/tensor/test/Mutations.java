package dev.mtdtl.tensor.test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded mutations for the fuzzing suite (cli's command categories, nn's checkpoint resume; shared through tensor's
 * test-jar): binary ones (flipped bytes, cuts, hostile 32-bit values in the first 64 bytes, inserted, appended and
 * repeated bytes) and text ones for JSON, TSV and CSV (a number replaced by a hostile one, a value by one of another
 * type, a line deleted, repeated or cut, a separator changed, invalid UTF-8). Each call appends what it did to
 * {@code what}, so a failing case can be named.
 */
public final class Mutations {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
    private static final String[] HOSTILE_NUMBERS = {"-1", "0", "2147483647", "2147483648", "9223372036854775807",
            "99999999999999999999", "1e308", "-0.0", "NaN", "3.5", "\"7\"", "null", "[]", "{}"};
    private static final String[] HOSTILE_VALUES = {"\"\"", "\"../../etc/passwd\"", "12", "true", "null", "[1,2]",
            "{\"a\":1}", "\"\\u0000\""};

    private Mutations() {}

    public static byte[] binary(byte[] b, Random r, StringBuilder what) {
        if (b.length == 0) {
            what.append("empty stays empty");
            return b;
        }
        switch (r.nextInt(6)) {
            case 0 -> {
                byte[] m = b.clone();
                int k = 1 + r.nextInt(6);
                for (int i = 0; i < k; i++) {
                    m[r.nextInt(m.length)] ^= (byte) (1 + r.nextInt(255));
                }
                what.append("flip ").append(k).append(" bytes");
                return m;
            }
            case 1 -> {
                int len = r.nextInt(b.length);
                what.append("cut at ").append(len);
                return Arrays.copyOf(b, len);
            }
            case 2 -> {
                byte[] m = b.clone();
                if (m.length < 4) {
                    what.append("too short for an int: flip");
                    m[0] ^= 1;
                    return m;
                }
                int p = r.nextInt(Math.min(m.length - 3, 64));
                int[] hostile = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x40000000, r.nextInt()};
                int v = hostile[r.nextInt(hostile.length)];
                ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(p, v);
                what.append("int32 ").append(v).append(" at ").append(p);
                return m;
            }
            case 3 -> {
                int p = r.nextInt(b.length);
                byte[] ins = new byte[1 + r.nextInt(32)];
                r.nextBytes(ins);
                byte[] m = new byte[b.length + ins.length];
                System.arraycopy(b, 0, m, 0, p);
                System.arraycopy(ins, 0, m, p, ins.length);
                System.arraycopy(b, p, m, p + ins.length, b.length - p);
                what.append("insert ").append(ins.length).append(" at ").append(p);
                return m;
            }
            case 4 -> {
                byte[] tail = new byte[1 + r.nextInt(256)];
                r.nextBytes(tail);
                byte[] m = Arrays.copyOf(b, b.length + tail.length);
                System.arraycopy(tail, 0, m, b.length, tail.length);
                what.append("append ").append(tail.length);
                return m;
            }
            default -> {
                int from = r.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + r.nextInt(64));
                byte[] m = new byte[b.length + len];
                System.arraycopy(b, 0, m, 0, from + len);
                System.arraycopy(b, from, m, from + len, b.length - from);
                what.append("repeat ").append(len).append(" at ").append(from);
                return m;
            }
        }
    }

    public static byte[] text(byte[] b, Random r, StringBuilder what) {
        String s = new String(b, StandardCharsets.UTF_8);
        int kind = r.nextInt(8);
        if (kind == 0) {
            return binary(b, r, what);
        }
        if (kind == 1 || kind == 2) {
            List<int[]> spans = spans(NUMBER, s);
            if (!spans.isEmpty()) {
                int[] sp = spans.get(r.nextInt(spans.size()));
                String v = HOSTILE_NUMBERS[r.nextInt(HOSTILE_NUMBERS.length)];
                what.append("number '").append(s, sp[0], sp[1]).append("' -> ").append(v);
                return (s.substring(0, sp[0]) + v + s.substring(sp[1])).getBytes(StandardCharsets.UTF_8);
            }
        }
        if (kind == 3) {
            List<int[]> spans = spans(Pattern.compile("\"[^\"\\n]*\"(?!\\s*:)"), s);
            if (!spans.isEmpty()) {
                int[] sp = spans.get(r.nextInt(spans.size()));
                String v = HOSTILE_VALUES[r.nextInt(HOSTILE_VALUES.length)];
                what.append("value ").append(s, sp[0], sp[1]).append(" -> ").append(v);
                return (s.substring(0, sp[0]) + v + s.substring(sp[1])).getBytes(StandardCharsets.UTF_8);
            }
        }
        List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
        int i = r.nextInt(lines.size());
        switch (kind) {
            case 4 -> {
                what.append("delete line ").append(i + 1);
                lines.remove(i);
            }
            case 5 -> {
                what.append("repeat line ").append(i + 1);
                lines.add(i, lines.get(i));
            }
            case 6 -> {
                String l = lines.get(i);
                String[] seps = {"\t", ",", " ", ""};
                String to = seps[r.nextInt(seps.length)];
                what.append("separators of line ").append(i + 1).append(" -> '").append(to).append("'");
                lines.set(i, l.replace("\t", to).replace(",", to));
            }
            default -> {
                String l = lines.get(i);
                int at = l.isEmpty() ? 0 : r.nextInt(l.length());
                what.append("invalid UTF-8 in line ").append(i + 1);
                byte[] head = (String.join("\n", lines.subList(0, i)) + (i > 0 ? "\n" : "") + l.substring(0, at))
                        .getBytes(StandardCharsets.UTF_8);
                byte[] tail = (l.substring(at) + (i + 1 < lines.size() ? "\n" : "")
                        + String.join("\n", lines.subList(i + 1, lines.size()))).getBytes(StandardCharsets.UTF_8);
                byte[] m = Arrays.copyOf(head, head.length + 2 + tail.length);
                m[head.length] = (byte) 0xC3;
                m[head.length + 1] = (byte) 0x28;
                System.arraycopy(tail, 0, m, head.length + 2, tail.length);
                return m;
            }
        }
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    private static List<int[]> spans(Pattern p, String s) {
        List<int[]> l = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) {
            l.add(new int[]{m.start(), m.end()});
        }
        return l;
    }
}
