package dev.mtdtl.eval;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reader's guide cannot rot: every relative link in docs/guide/*.md points at a file that exists, and a
 * link to {@code File.java#name} names a method (or nested type) declared in that file.
 */
class GuideLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everyLinkedFileAndMethodExists() throws IOException {
        Path guide = Path.of("..", "docs", "guide").normalize();
        assertTrue(Files.isDirectory(guide), "no " + guide.toAbsolutePath());
        List<String> broken = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> pages = Files.list(guide)) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                Matcher m = LINK.matcher(Files.readString(page));
                while (m.find()) {
                    String target = m.group(1);
                    if (target.startsWith("http:") || target.startsWith("https:") || target.startsWith("#")) {
                        continue;
                    }
                    int hash = target.indexOf('#');
                    Path file = page.getParent().resolve(hash < 0 ? target : target.substring(0, hash)).normalize();
                    checked++;
                    if (!Files.isRegularFile(file)) {
                        broken.add(page.getFileName() + ": no file " + target);
                    } else if (hash >= 0 && file.toString().endsWith(".java")) {
                        String name = target.substring(hash + 1);
                        String src = Files.readString(file);
                        if (!Pattern.compile("(\\b" + name + "\\s*\\()|((class|record|interface|enum)\\s+" + name + "\\b)")
                                .matcher(src).find()) {
                            broken.add(page.getFileName() + ": no method " + name + " in " + target);
                        }
                    }
                }
            }
        }
        assertTrue(checked > 50, "only " + checked + " links found");
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }
}
