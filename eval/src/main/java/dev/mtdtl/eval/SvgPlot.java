package dev.mtdtl.eval;

import java.util.List;
import java.util.Locale;

/**
 * One chart panel drawn as inline SVG (no scripts, no external files; no charting library is available in
 * this offline build): linear x and y scales over a plotting area inside margins, axes with ticks and
 * labels, points with tooltips, lines, bands, error bars, heatmap cells and a legend. Used by the
 * results report ({@link Report}) and the study report, so both draw alike.
 *
 * <p>Coordinates passed to the drawing methods are data values; {@link #x} and {@link #y} map them to
 * pixels. Text is escaped. {@link #toString} closes the SVG element.
 */
public final class SvgPlot {

    private final StringBuilder s = new StringBuilder();
    private final int width;
    private final int height;
    private final int left;
    private final int right;
    private final int top;
    private final int bottom;
    private final double xlo;
    private final double xhi;
    private final double ylo;
    private final double yhi;
    private boolean closed;

    /** A panel of width x height pixels, margins in pixels, data ranges [xlo, xhi] x [ylo, yhi]. */
    public SvgPlot(int width, int height, int left, int right, int top, int bottom, double xlo, double xhi,
                   double ylo, double yhi) {
        this.width = width;
        this.height = height;
        this.left = left;
        this.right = right;
        this.top = top;
        this.bottom = bottom;
        this.xlo = xlo;
        this.xhi = xhi > xlo ? xhi : xlo + 1;
        this.ylo = ylo;
        this.yhi = yhi > ylo ? yhi : ylo + 1;
        s.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"10\" font-family=\"sans-serif\">", width, height,
                width, height));
    }

    /** A padded range [lo - pad, hi + pad] around values (pad = 8% of the span; a unit span when flat). */
    public static double[] range(double lo, double hi) {
        if (!(hi - lo > 1e-12)) {
            return new double[]{lo - 0.5, hi + 0.5};
        }
        double pad = 0.08 * (hi - lo);
        return new double[]{lo - pad, hi + pad};
    }

    public double x(double v) {
        return left + (v - xlo) / (xhi - xlo) * (width - left - right);
    }

    public double y(double v) {
        return top + (yhi - v) / (yhi - ylo) * (height - top - bottom);
    }

    public int plotLeft() {
        return left;
    }

    public int plotRight() {
        return width - right;
    }

    public int plotTop() {
        return top;
    }

    public int plotBottom() {
        return height - bottom;
    }

    /** Panel title, top left. */
    public SvgPlot title(String t) {
        return text(left, 14, t, "start", "font-size=\"12\" font-weight=\"bold\"");
    }

    /** Axes lines, y ticks (k + 1 gridlines) with a format, and the axis labels (either may be null). */
    public SvgPlot axes(int k, String yFormat, String xLabel, String yLabel) {
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>"
                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>", left, top, left, plotBottom(), left,
                plotBottom(), plotRight(), plotBottom()));
        for (int i = 0; i <= k; i++) {
            double v = ylo + (yhi - ylo) * i / k;
            double yy = y(v);
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>",
                    left + 1, plotRight(), yy, yy));
            text(left - 3, yy + 3, String.format(Locale.ROOT, yFormat, v), "end", "");
        }
        if (xLabel != null) {
            text((left + plotRight()) / 2.0, height - 4, xLabel, "middle", "");
        }
        if (yLabel != null) {
            s.append(String.format(Locale.ROOT, "<text transform=\"translate(11,%.1f) rotate(-90)\" "
                    + "text-anchor=\"middle\">%s</text>", (top + plotBottom()) / 2.0, esc(yLabel)));
        }
        return this;
    }

    /** A label under the x axis at data x. */
    public SvgPlot xTick(double at, String label) {
        double xx = x(at);
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#000\"/>", xx,
                xx, plotBottom(), plotBottom() + 3));
        return text(xx, plotBottom() + 13, label, "middle", "");
    }

    /** A filled (or hollow) circle at data (x, y) with a hover tooltip. */
    public SvgPlot point(double px, double py, double r, String color, boolean hollow, double opacity, String tip) {
        s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" %s opacity=\"%.2f\">", x(px),
                y(py), r, hollow ? "fill=\"#fff\" stroke=\"" + color + "\" stroke-width=\"1.5\"" : "fill=\"" + color + "\"",
                opacity));
        if (tip != null) {
            s.append("<title>").append(esc(tip)).append("</title>");
        }
        s.append("</circle>");
        return this;
    }

    /** A line between data points; dash null for solid. */
    public SvgPlot line(double x1, double y1, double x2, double y2, String color, double w, String dash) {
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-width=\"%.1f\"%s/>", x(x1), y(y1), x(x2), y(y2), color, w,
                dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
        return this;
    }

    /** A horizontal line across the plot at data y, labelled at its right end. */
    public SvgPlot hline(double v, String color, String dash, String label) {
        double yy = y(v);
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>", left,
                plotRight(), yy, yy, color, dash == null ? "" : " stroke-dasharray=\"" + dash + "\""));
        if (label != null) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\">%s</text>",
                    plotRight() - 2, yy - 3, color, esc(label)));
        }
        return this;
    }

    /** A vertical interval [lo, hi] at data x with end caps. */
    public SvgPlot vInterval(double px, double lo, double hi, String color) {
        double xx = x(px);
        s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                + "stroke-width=\"2\"/><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                + "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>", xx, xx, y(lo), y(hi), color,
                xx - 4, xx + 4, y(lo), y(lo), color, xx - 4, xx + 4, y(hi), y(hi), color));
        return this;
    }

    /** A shaded band between lo(x) and hi(x) over the given data xs. */
    public SvgPlot band(double[] xs, double[] lo, double[] hi, String color, double opacity) {
        StringBuilder pts = new StringBuilder();
        for (int i = 0; i < xs.length; i++) {
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(xs[i]), y(hi[i])));
        }
        for (int i = xs.length - 1; i >= 0; i--) {
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x(xs[i]), y(lo[i])));
        }
        s.append(String.format(Locale.ROOT, "<polygon points=\"%s\" fill=\"%s\" opacity=\"%.2f\"/>", pts.toString().trim(),
                color, opacity));
        return this;
    }

    /** A rectangle in pixel coordinates (heatmap cells) with a tooltip. */
    public SvgPlot rectPx(double px, double py, double w, double h, String fill, String tip) {
        s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
                px, py, w, h, fill));
        if (tip != null) {
            s.append("<title>").append(esc(tip)).append("</title>");
        }
        s.append("</rect>");
        return this;
    }

    /** Text in pixel coordinates; anchor start|middle|end; extra attributes verbatim. */
    public SvgPlot text(double px, double py, String t, String anchor, String attrs) {
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>", px, py,
                anchor, attrs, esc(t)));
        return this;
    }

    /** A legend of coloured squares, one per name, from pixel (px, py) downwards. */
    public SvgPlot legend(List<String> names, List<String> colors, double px, double py) {
        for (int i = 0; i < names.size(); i++) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>",
                    px, py + 14 * i, colors.get(i)));
            text(px + 14, py + 9 + 14 * i, names.get(i), "start", "");
        }
        return this;
    }

    @Override
    public String toString() {
        if (!closed) {
            s.append("</svg>\n");
            closed = true;
        }
        return s.toString();
    }

    /** HTML/XML escape. */
    public static String esc(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
