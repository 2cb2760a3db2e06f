package dev.mtdtl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mtdtl} command. Subcommands are thin wiring of the library modules. */
@Command(name = "mtdtl", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Multi-task deep transfer learning for music: learn representations from many sources, "
                + "measure how they transfer.",
        subcommands = {FixturesCommand.class, AudioFeatureCommands.Mel.class, AudioFeatureCommands.Mfcc.class,
                FactorCommand.class, SynthCommand.class, TrainCommand.class, PrepareCommand.class, ImportCommand.class,
                ExtractCommand.class, EvaluateCommand.class, ReportCommand.class,
                QuickstartCommand.class, StudyCommand.class, StudyAnalyzeCommand.class, ProfileCommand.class,
                ExportCommand.class, EmbedCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Run with arguments and return the exit status (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        // Bad input is the user's to fix: print the message (it names the file, line or shape), not a
        // stack trace. MTDTL_DEBUG=1 prints the trace as well.
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof dev.mtdtl.tensor.Devices.UnavailableException) {
                // --device cuda without a usable GPU: one line with the reason, exit status 1, no trace
                System.err.println("mtdtl " + cmd.getCommandName() + ": no usable GPU: " + ex.getMessage());
                return 1;
            }
            System.err.println("mtdtl " + cmd.getCommandName() + ": " + ex.getMessage());
            if (System.getenv("MTDTL_DEBUG") != null) {
                ex.printStackTrace();
            }
            return 2;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"mtdtl " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
