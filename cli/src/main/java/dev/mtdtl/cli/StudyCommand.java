package dev.mtdtl.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mtdtl study}: the paper's study (section 4.3) as a resumable, scale-out job: {@code design} (the three
 * phases and Algorithm 2 into STUDY/plan.csv), {@code run} (a local worker pool), {@code slurm} (a job array),
 * {@code status} and {@code analyze} (section 5). Thin wiring of {@code dev.mtdtl.study}; see docs/study.md.
 */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Plan, run and watch a study of many representations (paper section 4.3, Algorithm 2).",
                "  mtdtl study design --out STUDY --preset small     plan: STUDY/plan.csv, study.json, design.json",
                "  mtdtl study run STUDY --data PREPARED --workers 2  train, extract, evaluate the pending rows",
                "  mtdtl study slurm STUDY --data PREPARED --submit   the same as a Slurm job array",
                "  mtdtl study status STUDY                           done / running / failed / pending",
                "  mtdtl study analyze STUDY                          the paper's section 5 analysis (docs/analysis.md)"},
        subcommands = {StudyDesignCommand.class, StudyRunCommand.class, StudySlurmCommand.class,
                StudyStatusCommand.class, StudyAnalyzeCommand.class})
final class StudyCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
