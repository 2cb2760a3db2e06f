package dev.mtdtl.study.analysis;

import dev.mtdtl.tensor.io.AtomicFiles;
import dev.mtdtl.tensor.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an analysis: {@code analysis.json} (every estimate, standard error, interval and p-value, the
 * notes on what could not be estimated) and tidy CSVs in a folder beside it: scores.csv (standardised
 * observations), fixed_effects.csv, variance_components.csv, pairwise.csv, table6.csv, fig13.csv,
 * fig14.csv, findings.csv. Absent values are empty cells / JSON null, never NaN. Files are written atomically.
 */
public final class AnalysisWriter {

    private AnalysisWriter() {}

    /** Write analysis.json to {@code json} and the CSVs into {@code csvDir}. */
    public static void write(StudyAnalysis.Result r, Path json, Path csvDir, Map<String, Object> extra)
            throws IOException {
        AtomicFiles.writeString(json, Json.write(toJson(r, extra), 1) + "\n");
        AtomicFiles.writeString(csvDir.resolve("scores.csv"), scoresCsv(r));
        StringBuilder fe = new StringBuilder("model,term,estimate,se,lo,hi,p_wald,p_boot\n");
        StringBuilder vc = new StringBuilder("model,component,variance,lo,hi\n");
        for (StudyAnalysis.ModelResult m : List.of(r.model1(), r.model2())) {
            for (StudyAnalysis.Estimate e : m.fixed()) {
                fe.append(csv(m.name(), e.term(), e.estimate(), e.se(), e.lo(), e.hi(), e.pWald(), e.pBoot()));
            }
            for (StudyAnalysis.Estimate e : m.components()) {
                vc.append(csv(m.name(), e.term(), e.estimate(), e.lo(), e.hi()));
            }
            if (m.residual() != null) {
                vc.append(csv(m.name(), "residual", m.residual().estimate(), m.residual().lo(), m.residual().hi()));
            }
        }
        AtomicFiles.writeString(csvDir.resolve("fixed_effects.csv"), fe.toString());
        AtomicFiles.writeString(csvDir.resolve("variance_components.csv"), vc.toString());
        StringBuilder pw = new StringBuilder("a,b,difference,se,lo,hi,p_wald,p_boot,p_wald_holm\n");
        for (StudyAnalysis.Comparison c : r.pairwise()) {
            StudyAnalysis.Estimate e = c.difference();
            pw.append(csv(c.a(), c.b(), e.estimate(), e.se(), e.lo(), e.hi(), e.pWald(), e.pBoot(), c.pHolm()));
        }
        AtomicFiles.writeString(csvDir.resolve("pairwise.csv"), pw.toString());
        StringBuilder t6 = new StringBuilder("task,source,variance,percent,lo,hi\n");
        for (SourceAnalysis.TaskTable t : r.sources().table()) {
            for (SourceAnalysis.Component c : t.components()) {
                t6.append(csv(t.task(), c.source(), c.variance(), c.percent(), c.lo(), c.hi()));
            }
        }
        AtomicFiles.writeString(csvDir.resolve("table6.csv"), t6.toString());
        StringBuilder f13 = new StringBuilder("task,best_source,run,strategy,n_sources,ystar,with_best\n");
        for (SourceAnalysis.Fig13 f : r.sources().fig13()) {
            for (SourceAnalysis.Point13 p : f.points()) {
                f13.append(csv(f.task(), f.bestSource(), p.run(), p.strategy(), p.n(), p.ystar(), p.withBest()));
            }
        }
        AtomicFiles.writeString(csvDir.resolve("fig13.csv"), f13.toString());
        StringBuilder f14 = new StringBuilder("task,source,percent,ssr_ystar\n");
        for (SourceAnalysis.Point14 p : r.sources().fig14().points()) {
            f14.append(csv(p.task(), p.source(), p.percent(), p.ssrYstar()));
        }
        AtomicFiles.writeString(csvDir.resolve("fig14.csv"), f14.toString());
        StringBuilder fi = new StringBuilder("finding,measure,estimate,lo,hi,verdict\n");
        for (StudyAnalysis.Finding f : r.findings()) {
            fi.append(csv(f.id(), f.measure(), f.estimate(), f.lo(), f.hi(), f.verdict()));
        }
        AtomicFiles.writeString(csvDir.resolve("findings.csv"), fi.toString());
    }

    private static String scoresCsv(StudyAnalysis.Result r) {
        StringBuilder sb = new StringBuilder("run,strategy,sources,n_sources,task,value,repetitions,ystar,nstar,rstar\n");
        for (Scores.Row row : r.scores().rows()) {
            Scores.Score s = row.score();
            sb.append(csv(s.run(), s.strategy(), String.join("+", s.sources()), s.nSources(), s.task(), s.value(),
                    s.repetitions(), row.ystar(), row.nstar(), row.rstar()));
        }
        return sb.toString();
    }

    private static String csv(Object... cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            Object c = cells[i];
            if (c == null) {
                continue;
            }
            if (c instanceof Double d) {
                if (Double.isFinite(d)) {
                    sb.append(String.format(Locale.ROOT, "%.6g", d));
                }
            } else {
                String s = c.toString();
                sb.append(s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
            }
        }
        return sb.append('\n').toString();
    }

    /** The whole analysis as JSON values (maps, lists, numbers; no NaN). */
    public static Map<String, Object> toJson(StudyAnalysis.Result r, Map<String, Object> extra) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("bootstrap", Json.object("replicates", r.options().bootstrap(), "seed", r.options().seed(),
                "method", "parametric (simulate from the REML fit, refit by REML), 95% percentile intervals; "
                        + "p_boot = 2 min(#{v<=0}+1, #{v>=0}+1)/(B+1); p_wald from the fixed effects' REML covariance"));
        Map<String, Object> std = new LinkedHashMap<>();
        r.scores().stats().forEach((k, v) -> std.put(k, Json.object("mean", v.mean(), "sd", v.sd(), "runs", v.runs())));
        j.put("tasks", std);
        j.put("strategies", r.scores().strategies());
        j.put("rows", r.scores().rows().size());
        j.put("notes", r.notes());
        j.put("model1", model(r.model1()));
        j.put("model2", model(r.model2()));
        List<Object> pw = new ArrayList<>();
        for (StudyAnalysis.Comparison c : r.pairwise()) {
            Map<String, Object> m = est(c.difference());
            m.put("a", c.a());
            m.put("b", c.b());
            m.put("p_wald_holm", c.pHolm());
            pw.add(m);
        }
        j.put("pairwise", pw);
        List<Object> t6 = new ArrayList<>();
        for (SourceAnalysis.TaskTable t : r.sources().table()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", t.task());
            m.put("runs", t.runs());
            List<Object> cs = new ArrayList<>();
            for (SourceAnalysis.Component c : t.components()) {
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("source", c.source());
                cm.put("variance", c.variance());
                cm.put("percent", c.percent());
                cm.put("lo", c.lo());
                cm.put("hi", c.hi());
                cs.add(cm);
            }
            m.put("components", cs);
            m.put("residual_variance", t.residual());
            m.put("largest", t.largest());
            m.put("intervals", t.intervals());
            m.put("notes", t.notes());
            m.put("error", t.error());
            t6.add(m);
        }
        j.put("table6", t6);
        List<Object> f13 = new ArrayList<>();
        for (SourceAnalysis.Fig13 f : r.sources().fig13()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("task", f.task());
            m.put("best_source", f.bestSource());
            m.put("best_ssr_mean_ystar", f.bestSsrMean());
            m.put("with_best_line", line(f.with()));
            m.put("without_best_line", line(f.without()));
            m.put("note", f.note());
            f13.add(m);
        }
        j.put("fig13", f13);
        Map<String, Object> f14 = new LinkedHashMap<>();
        f14.put("pairs", r.sources().fig14().points().size());
        f14.put("pearson_r", r.sources().fig14().r());
        f14.put("lo", r.sources().fig14().lo());
        f14.put("hi", r.sources().fig14().hi());
        f14.put("interval", "Fisher z, 95%");
        f14.put("note", r.sources().fig14().note());
        j.put("fig14", f14);
        List<Object> fi = new ArrayList<>();
        for (StudyAnalysis.Finding f : r.findings()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", f.id());
            m.put("claim", f.claim());
            m.put("paper", f.paper());
            m.put("measure", f.measure());
            m.put("estimate", f.estimate());
            m.put("lo", f.lo());
            m.put("hi", f.hi());
            m.put("verdict", f.verdict());
            m.put("text", f.text());
            fi.add(m);
        }
        j.put("findings", fi);
        if (extra != null) {
            j.putAll(extra);
        }
        return j;
    }

    private static Map<String, Object> line(Inference.Line l) {
        if (l == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("intercept", l.a());
        m.put("slope", l.b());
        m.put("points", l.n());
        return m;
    }

    private static Map<String, Object> model(StudyAnalysis.ModelResult m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("formula", m.formula());
        j.put("error", m.error());
        j.put("rows", m.rows());
        j.put("tasks", m.tasks());
        j.put("reml_loglik", m.remlLogLik());
        j.put("converged", m.converged());
        j.put("intervals", m.intervals());
        Map<String, Object> fe = new LinkedHashMap<>();
        m.fixed().forEach(e -> fe.put(e.term(), est(e)));
        j.put("fixed_effects", fe);
        Map<String, Object> vc = new LinkedHashMap<>();
        m.components().forEach(e -> vc.put(e.term(), est(e)));
        j.put("variance_components", vc);
        j.put("residual_variance", m.residual() == null ? null : est(m.residual()));
        j.put("notes", m.notes());
        return j;
    }

    private static Map<String, Object> est(StudyAnalysis.Estimate e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("estimate", StudyAnalysis.finite(e.estimate()));
        m.put("se", e.se() == null ? null : StudyAnalysis.finite(e.se()));
        m.put("lo", e.lo());
        m.put("hi", e.hi());
        m.put("p_wald", e.pWald());
        m.put("p_boot", e.pBoot());
        return m;
    }
}
