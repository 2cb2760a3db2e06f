package dev.mtdtl.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command's help renders as written: picocli formats descriptions as format strings, so a bare
 * {@code %} (as in "95% intervals") printed "[picocli WARN] Could not format ..." and the raw text with
 * unreplaced {@code %n} on {@code mtdtl --help}. The usage message of every command and
 * subcommand is built with picocli's stderr captured, which must stay empty.
 */
class HelpTextTest {

    @Test
    void everyCommandsHelpFormatsWithoutWarnings() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        assertTrue(all.size() > 15, "the command tree: " + all.size() + " commands");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        List<String> empty = new ArrayList<>();
        try {
            for (CommandLine cl : all) {
                String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
                if (!usage.contains("Usage: ")) {
                    empty.add(cl.getCommandName());
                }
            }
        } finally {
            System.setErr(err);
        }
        assertEquals(List.of(), empty, "commands without a usage line");
        assertEquals("", captured.toString(StandardCharsets.UTF_8), "picocli's warnings while formatting help");
    }

    private static void collect(CommandLine cl, List<CommandLine> out) {
        out.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!out.contains(sub)) {
                collect(sub, out);
            }
        }
    }
}
