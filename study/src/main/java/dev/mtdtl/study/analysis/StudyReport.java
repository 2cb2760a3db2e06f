package dev.mtdtl.study.analysis;

import dev.mtdtl.eval.EvaluationProtocol;
import dev.mtdtl.eval.Palette;
import dev.mtdtl.eval.SvgPlot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The study report: one self-contained HTML page (inline SVG and CSS, no scripts, no external files) with
 * the paper's Fig. 7 (design aliasing, when design.json is there), 9, 10, 11, 12, 13, 14, Table 6, the
 * pairwise comparisons, Fig. 16 (t-SNE, when features are found), the notes on what could not be
 * estimated, and a plain-text summary of the four findings (also printed on the console).
 */
public final class StudyReport {

    private StudyReport() {}

    /** The plain-text summary: the four findings with estimate, interval and verdict, then the notes. */
    public static String summary(StudyAnalysis.Result r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d standardised scores: %d task(s), strategies %s; intervals: %s%n",
                r.scores().rows().size(), r.scores().tasks().size(), r.scores().strategies(), r.model1().intervals()));
        int i = 1;
        for (StudyAnalysis.Finding f : r.findings()) {
            sb.append(String.format(Locale.ROOT, "%d. %s%n   paper: %s%n   this study: %s%n   measure: %s%s%n   "
                    + "verdict: %s%n", i++, f.claim(), f.paper(), f.text(), f.measure(), f.estimate() == null ? ""
                    : String.format(Locale.ROOT, " = %.3f%s", f.estimate(), f.lo() == null ? ""
                    : String.format(Locale.ROOT, " [%.3f, %.3f]", f.lo(), f.hi())), f.verdict()));
        }
        List<String> notes = allNotes(r);
        if (!notes.isEmpty()) {
            sb.append("What could not be estimated, and why:\n");
            notes.forEach(n -> sb.append("  - ").append(n).append('\n'));
        }
        return sb.toString();
    }

    static List<String> allNotes(StudyAnalysis.Result r) {
        List<String> out = new ArrayList<>(r.notes());
        for (StudyAnalysis.ModelResult m : List.of(r.model1(), r.model2())) {
            if (m.error() != null) {
                out.add(m.name() + ": " + m.error());
            }
            m.notes().forEach(n -> out.add(m.name() + ": " + n));
        }
        for (SourceAnalysis.TaskTable t : r.sources().table()) {
            if (t.error() != null) {
                out.add("Table 6, " + t.task() + ": " + t.error());
            }
        }
        return out;
    }

    /** The page. design and tsne may be null; extraNotes are shown with the other notes. */
    public static String html(String title, StudyAnalysis.Result r, DesignInfo design, TsneMap tsne,
                              Map<String, EvaluationProtocol> protocols, List<String> extraNotes) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(SvgPlot.esc(title))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em auto;max-width:1250px;line-height:1.4;"
                        + "padding:0 1em}table{border-collapse:collapse;font-size:13px;margin:.5em 0}td,th{border:1px "
                        + "solid #ccc;padding:3px 7px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}"
                        + ".panels{display:flex;flex-wrap:wrap;gap:12px}svg{background:#fff;border:1px solid #ddd}"
                        + "pre{background:#f7f7f7;padding:1em;font-size:12.5px;white-space:pre-wrap}"
                        + ".note{color:#555;font-size:13px}h2{margin-top:1.6em;border-bottom:1px solid #ddd}"
                        + ".key span{display:inline-block;margin-right:14px}.key i{display:inline-block;width:11px;"
                        + "height:11px;margin-right:4px;vertical-align:-1px}</style></head><body>\n");
        h.append("<h1>").append(SvgPlot.esc(title)).append("</h1>\n");
        h.append("<p class=\"key\">");
        for (String s : Scores.STRATEGIES) {
            h.append("<span><i style=\"background:").append(Palette.strategy(s)).append("\"></i>")
                    .append(Palette.strategyName(s)).append("</span>");
        }
        h.append("<span><i style=\"background:").append(Palette.RAND).append("\"></i>Rand</span><span><i style=\""
                + "background:").append(Palette.MFCC).append("\"></i>MFCC</span></p>\n");
        h.append("<h2>Findings</h2>\n<pre>").append(SvgPlot.esc(summary(r))).append("</pre>\n");
        if (!extraNotes.isEmpty()) {
            h.append("<ul class=\"note\">");
            extraNotes.forEach(n -> h.append("<li>").append(SvgPlot.esc(n)).append("</li>"));
            h.append("</ul>\n");
        }
        if (!protocols.isEmpty()) {
            h.append("<p class=\"note\">Evaluation protocol (from the results' .protocol.json): ");
            List<String> ps = new ArrayList<>();
            protocols.forEach((d, p) -> ps.add(d + ": " + p + "; repetitions differ by " + p.repetitionsDiffer()));
            h.append(SvgPlot.esc(String.join(" | ", ps))).append("</p>\n");
        }
        h.append("<h2>Fig. 7: aliasing among main effects in the final design</h2>\n");
        h.append(design == null ? StudyFigures.note("No design.json with an alias matrix beside the results (a "
                + "results file alone has no design).") : StudyFigures.fig7(design) + StudyFigures.note(design.caption()));
        h.append("<h2>Fig. 9: performance by strategy</h2>\n<p class=\"note\">A dot per run (mean over the evaluation's "
                + "repetitions), a bar at each strategy's mean; baselines as horizontal lines.</p>\n<div class=\"panels\">");
        r.scores().allTasks().forEach(t -> h.append(StudyFigures.fig9(r.scores(), t)));
        h.append("</div>\n<h2>Fig. 10: standardised performance by number of learning sources</h2>\n<p class=\"note\">"
                + "Small dots: runs; large dots: the mean per strategy and number of sources; black line: the SS-R "
                + "mean; coloured lines: least-squares fit per strategy.</p>\n");
        h.append(StudyFigures.fig10(r.scores(), null)).append("<div class=\"panels\">");
        r.scores().tasks().forEach(t -> h.append(StudyFigures.fig10(r.scores(), t)));
        h.append("</div>\n");
        h.append("<h2>Fig. 11: model 1 fixed effects</h2>\n").append(modelNote(r.model1()));
        if (r.model1().error() == null) {
            List<StudyAnalysis.Estimate> is = r.model1().fixed().stream().filter(e -> e.term().startsWith("is_")).toList();
            List<StudyAnalysis.Estimate> ns = r.model1().fixed().stream().filter(e -> e.term().startsWith("ns_")).toList();
            h.append("<div class=\"panels\">")
                    .append(StudyFigures.effects("strategy intercepts (beta_0r)", is, names(is, 3), colors(is, 3),
                            "y* at n = 2 (SS-R: n = 1)"))
                    .append(StudyFigures.effects("slopes per additional source (beta_1r)", ns, names(ns, 3),
                            colors(ns, 3), "change in y* per source"))
                    .append("</div>\n");
            h.append(effectsTable(r.model1()));
        }
        h.append("<h2>Fig. 12: model 2 fixed effects</h2>\n").append(modelNote(r.model2()));
        if (r.model2().error() == null) {
            List<StudyAnalysis.Estimate> es = r.model2().fixed();
            List<String> cols = es.stream().map(e -> "#444").toList();
            List<String> lab = es.stream().map(e -> switch (e.term()) {
                case "Intercept" -> "beta0";
                case "rstar" -> "beta10 (r*)";
                case "nstar" -> "beta20 (n*)";
                default -> "beta30 (r*:n*)";
            }).toList();
            h.append(StudyFigures.effects("model 2", es, lab, cols, "effect on y*")).append(effectsTable(r.model2()));
        }
        h.append("<h2>Pairwise strategy comparisons (model 1 intercepts)</h2>\n").append(pairwiseTable(r));
        h.append("<h2>Table 6: variance components of the learning sources (% of the sources' total)</h2>\n")
                .append(table6(r));
        h.append("<h2>Fig. 13: with and without the best single source</h2>\n<p class=\"note\">Filled: runs that "
                + "include the task's best SS-R source; hollow: runs without it. Solid / dashed lines: least-squares "
                + "fits with 95% bands (normal quantile).</p>\n<div class=\"panels\">");
        r.sources().fig13().forEach(f -> h.append(StudyFigures.fig13(f)));
        h.append("</div>\n<h2>Fig. 14: variance components against single-source performance</h2>\n")
                .append(StudyFigures.fig14(r.sources().fig14(), r.sources().sources()));
        h.append("<h2>Fig. 16: a representation's map</h2>\n");
        if (tsne == null) {
            h.append(StudyFigures.note("No t-SNE map: no feature folder found for it (see --tsne-features)."));
        } else {
            h.append(StudyFigures.fig16(tsne)).append(StudyFigures.note(tsne.note())).append(topicTable(tsne.topics()));
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String modelNote(StudyAnalysis.ModelResult m) {
        if (m.error() != null) {
            return StudyFigures.note(m.name() + " could not be fitted: " + m.error());
        }
        return StudyFigures.note(String.format(Locale.ROOT, "%s; %d rows, %d task(s); REML log-likelihood %.3f; "
                + "intervals: %s.%s", m.formula(), m.rows(), m.tasks(), m.remlLogLik(), m.intervals(),
                m.notes().isEmpty() ? "" : " " + String.join(" ", m.notes())));
    }

    private static List<String> names(List<StudyAnalysis.Estimate> es, int prefix) {
        return es.stream().map(e -> Palette.strategyName(e.term().substring(prefix))).toList();
    }

    private static List<String> colors(List<StudyAnalysis.Estimate> es, int prefix) {
        return es.stream().map(e -> Palette.strategy(e.term().substring(prefix))).toList();
    }

    private static String num(Double v, String fmt) {
        return v == null || !Double.isFinite(v) ? "–" : String.format(Locale.ROOT, fmt, v);
    }

    private static String p(Double v) {
        return v == null ? "–" : v < 1e-4 ? "&lt;0.0001" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String effectsTable(StudyAnalysis.ModelResult m) {
        StringBuilder s = new StringBuilder("<table><tr><th class=\"l\">term</th><th>estimate</th><th>s.e.</th>"
                + "<th>95% interval</th><th>p (Wald)</th><th>p (bootstrap)</th></tr>\n");
        for (StudyAnalysis.Estimate e : m.fixed()) {
            s.append("<tr><td class=\"l\">").append(SvgPlot.esc(e.term())).append("</td><td>")
                    .append(num(e.estimate(), "%+.3f")).append("</td><td>").append(num(e.se(), "%.3f")).append("</td><td>")
                    .append(e.lo() == null ? "–" : String.format(Locale.ROOT, "[%+.3f, %+.3f]", e.lo(), e.hi()))
                    .append("</td><td>").append(p(e.pWald())).append("</td><td>").append(p(e.pBoot())).append("</td></tr>\n");
        }
        s.append("</table>\n<table><tr><th class=\"l\">variance component</th><th>estimate</th><th>95% interval</th></tr>\n");
        List<StudyAnalysis.Estimate> vc = new ArrayList<>(m.components());
        if (m.residual() != null) {
            vc.add(m.residual());
        }
        for (StudyAnalysis.Estimate e : vc) {
            s.append("<tr><td class=\"l\">").append(SvgPlot.esc(e.term())).append("</td><td>")
                    .append(num(e.estimate(), "%.4f")).append("</td><td>")
                    .append(e.lo() == null ? "–" : String.format(Locale.ROOT, "[%.4f, %.4f]", e.lo(), e.hi()))
                    .append("</td></tr>\n");
        }
        return s.append("</table>\n").toString();
    }

    private static String pairwiseTable(StudyAnalysis.Result r) {
        if (r.pairwise().isEmpty()) {
            return StudyFigures.note("No comparisons: model 1 has fewer than two strategies or could not be fitted.");
        }
        StringBuilder s = new StringBuilder("<table><tr><th class=\"l\">a − b</th><th>difference</th><th>95% interval"
                + "</th><th>p (Wald)</th><th>p (bootstrap)</th><th>p (Wald, Holm)</th></tr>\n");
        for (StudyAnalysis.Comparison c : r.pairwise()) {
            StudyAnalysis.Estimate e = c.difference();
            boolean sig = c.pHolm() != null && c.pHolm() < 0.05;
            s.append("<tr><td class=\"l\">").append(Palette.strategyName(c.a())).append(" − ")
                    .append(Palette.strategyName(c.b())).append("</td><td>").append(sig ? "<b>" : "")
                    .append(num(e.estimate(), "%+.3f")).append(sig ? "</b>" : "").append("</td><td>")
                    .append(e.lo() == null ? "–" : String.format(Locale.ROOT, "[%+.3f, %+.3f]", e.lo(), e.hi()))
                    .append("</td><td>").append(p(e.pWald())).append("</td><td>").append(p(e.pBoot())).append("</td><td>")
                    .append(p(c.pHolm())).append("</td></tr>\n");
        }
        return s.append("</table>\n<p class=\"note\">Bold: Holm-adjusted p &lt; 0.05 over all pairs.</p>\n").toString();
    }

    // Fig. 16's topic terms per label and source, with the probabilities behind the choice.
    private static String topicTable(TopicOverlay t) {
        if (t.rows().isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("<table><tr><th class=\"l\">label</th><th class=\"l\">source</th>"
                + "<th>topic</th><th>mean P(topic), label</th><th>excess over all tracks</th><th>lift</th><th class=\"l\">"
                + "most probable terms</th></tr>\n");
        for (TopicOverlay.Row r : t.rows()) {
            s.append("<tr><td class=\"l\">").append(SvgPlot.esc(r.cluster())).append("</td><td class=\"l\">")
                    .append(SvgPlot.esc(r.source())).append("</td><td>").append(r.topic()).append("</td><td>")
                    .append(num(r.share(), "%.3f")).append("</td><td>").append(num(r.excess(), "%+.3f"))
                    .append("</td><td>").append(num(r.lift(), "%.2f")).append("</td><td class=\"l\">").append(SvgPlot.esc(String.join(", ", r.terms())))
                    .append("</td></tr>\n");
        }
        return s.append("</table>\n").toString();
    }

    private static String table6(StudyAnalysis.Result r) {
        List<SourceAnalysis.TaskTable> t = r.sources().table();
        if (t.isEmpty()) {
            return StudyFigures.note("No task with standardised scores.");
        }
        StringBuilder s = new StringBuilder("<table><tr><th class=\"l\">source</th>");
        t.forEach(x -> s.append("<th>").append(SvgPlot.esc(x.task())).append("</th>"));
        s.append("</tr>\n");
        for (String src : r.sources().sources()) {
            s.append("<tr><td class=\"l\">").append(SvgPlot.esc(src)).append("</td>");
            for (SourceAnalysis.TaskTable x : t) {
                SourceAnalysis.Component c = x.component(src);
                String cell = c == null || c.percent() == null ? "–" : (c.percent() < 1 ? "&lt;1"
                        : String.format(Locale.ROOT, "%.0f", c.percent())) + (c.lo() == null ? ""
                        : String.format(Locale.ROOT, " <small>[%.0f, %.0f]</small>", c.lo(), c.hi()));
                boolean big = src.equals(x.largest());
                s.append("<td>").append(big ? "<b>" : "").append(cell).append(big ? "</b>" : "").append("</td>");
            }
            s.append("</tr>\n");
        }
        s.append("<tr><td class=\"l\">multi-source runs</td>");
        t.forEach(x -> s.append("<td>").append(x.runs()).append("</td>"));
        s.append("</tr>\n</table>\n<p class=\"note\">Per task, over the non-SS-R runs: one crossed random factor "
                + "per source (present / absent), REML; percent of the sum of the sources' components; brackets: "
                + "parametric-bootstrap 95% interval; bold: largest per task; –: not estimable (see the notes).</p>\n");
        return s.toString();
    }
}
