package dev.mtdtl.cli;

import dev.mtdtl.study.run.StudyStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mtdtl study status}: what the results store says, whichever executor did the work. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Summarise a study: done, running (a process holds the run now), interrupted (its process "
                + "died; it resumes on the next run), failed (with the error) and pending, over the plan's rows and "
                + "the two baselines; works from any machine that sees STUDY."})
final class StudyStatusCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "STUDY", description = "a study folder")
    Path study;

    @Override
    public Integer call() throws Exception {
        StudyStatus.print(study, StudyStatus.of(study), System.out);
        return 0;
    }
}
