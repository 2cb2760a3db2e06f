/**
 * The study of the paper's section 4: which representations to train (the sequential fractional design
 * of Algorithm 2), running them (a local worker pool or a Slurm job array, resumable), and analysing the
 * results (standardised scores, the hierarchical linear models of section 5 with bootstrap intervals,
 * variance components, and the study report). Sits above {@code eval}; the CLI stays thin.
 */
package dev.mtdtl.study;
