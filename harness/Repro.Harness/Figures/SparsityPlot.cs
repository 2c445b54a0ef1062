using System.Globalization;
using ScottPlot;

namespace Repro.Figures;

/// <summary>
/// The paper's plot shape: x = pruning iterations as categorical ticks labelled with sparsity (%),
/// a left metric axis and an optional right axis (top-1 accuracy), the legend beside the data area so it never
/// covers a line. Saves PNG, and SVG where no line is dashed.
/// </summary>
public sealed class SparsityPlot : IDisposable
{
    readonly Plot _plot = new();
    bool _patterned;
    static readonly int[] StepFactors = [1, 2, 5, 10, 20, 50];
    static readonly Color[] Colors = [new("#1f77b4"), new("#d62728"), new("#2ca02c"), new("#9467bd"), new("#ff7f0e"), new("#8c564b")];
    Color[] _palette = Colors;
    int _series;
    bool _logLeft;
    double _leftMin = double.PositiveInfinity, _leftMax = double.NegativeInfinity;

    public SparsityPlot(string title, string leftLabel, IReadOnlyList<double> sparsityPercent)
    {
        _plot.Title(title);
        _plot.Axes.Left.Label.Text = leftLabel;
        _plot.Axes.Bottom.Label.Text = "sparsity (%)";
        var positions = Enumerable.Range(0, sparsityPercent.Count).Select(i => (double)i).ToArray();
        var every = Math.Max(1, sparsityPercent.Count / 14);
        var labels = sparsityPercent.Select((s, i) => i % every == 0 ? s.ToString("0.#", CultureInfo.InvariantCulture) : "").ToArray();
        _plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        _plot.ShowLegend(Edge.Right);
    }

    public void Line(string label, IReadOnlyList<double> values, bool rightAxis = false, LinePattern? pattern = null, Color? color = null)
    {
        var xs = Enumerable.Range(0, values.Count).Select(i => (double)i).ToArray();
        var scatter = _plot.Add.Scatter(xs, values.ToArray());
        scatter.LegendText = label;
        scatter.Color = color ?? _palette[_series++ % _palette.Length];
        scatter.LinePattern = pattern ?? LinePattern.Solid;
        _patterned |= pattern is { } p && !p.Equals(LinePattern.Solid);
        scatter.MarkerSize = 5;
        if (rightAxis) scatter.Axes.YAxis = _plot.Axes.Right;
        else
            foreach (var v in values.Where(double.IsFinite))
                (_leftMin, _leftMax) = (Math.Min(_leftMin, v), Math.Max(_leftMax, v));
    }

    /// <summary>
    /// A shaded interval around a line (e.g. 95 % of the mean over images), in a pale tone of its colour; NaN bounds
    /// (an iteration without per-image values) leave a gap. Not in the legend: the caption says what it is.
    /// </summary>
    public void Band(IReadOnlyList<double> lower, IReadOnlyList<double> upper, Color color, bool rightAxis = false)
    {
        var points = Enumerable.Range(0, Math.Min(lower.Count, upper.Count))
            .Where(i => double.IsFinite(lower[i]) && double.IsFinite(upper[i]))
            .Select(i => ((double)i, lower[i], upper[i])).ToList();
        if (points.Count == 0) return;
        var fill = _plot.Add.FillY(points);
        fill.FillStyle.Color = color.WithAlpha(0.18);
        fill.LineStyle.Width = 0;
        if (rightAxis) fill.Axes.YAxis = _plot.Axes.Right;
        _plot.MoveToBack(fill);
    }

    /// <summary>The next colour of the palette, taken for a line and its shading so later lines get other colours.</summary>
    public Color TakeColor() => _palette[_series++ % _palette.Length];

    /// <summary>A second title line, e.g. what the shaded intervals are and what they rest on.</summary>
    public void Caption(string caption) => _plot.Title($"{_plot.Axes.Title.Label.Text}\n{caption}");

    /// <summary>Twenty distinguishable colours, for plots with many lines.</summary>
    public void ManyColours() => _palette = new ScottPlot.Palettes.Category20().Colors;

    /// <summary>Dotted vertical lines at iteration positions, labelled above the plot.</summary>
    public void ReferenceLines(IEnumerable<(int Index, string Label)> lines)
    {
        _plot.Axes.Top.MinimumSize = 28;   // room between the title and the labels
        foreach (var (index, label) in lines)
        {
            var line = _plot.Add.VerticalLine(index);
            line.LinePattern = LinePattern.Dotted;
            _patterned = true;
            line.LineWidth = 1.5f;
            line.Color = new Color("#555555");
            line.Text = label;
            line.LabelFontSize = 10;
            line.LabelOppositeAxis = true;   // above the data area, clear of the sparsity ticks
        }
    }

    public void Dispose() => _plot.Dispose();

    public void RightLabel(string label) => _plot.Axes.Right.Label.Text = label;

    public void LeftLimits(double min, double max) => _plot.Axes.SetLimitsY(min, max, _plot.Axes.Left);

    public void RightLimits(double min, double max) => _plot.Axes.SetLimitsY(min, max, _plot.Axes.Right);

    /// <summary>The left values are log10 of the quantity: ticks at round quantities, labelled like 500k or 1M.</summary>
    public void LogLeft() => _logLeft = true;

    /// <summary>
    /// Ticks for a log10 axis over [<paramref name="lo"/>, <paramref name="hi"/>] (log10 units): decades (with 2 and 5
    /// between them under three decades) and a minor tick at each other multiple; within one decade, where a log axis
    /// is nearly linear, round linear steps, so a range like 436k to 700k still gets several labels. A minor tick has
    /// no label.
    /// </summary>
    public static List<(double Position, string? Label)> LogTicks(double lo, double hi)
    {
        var ticks = new List<(double Position, string? Label)>();
        var (from, to) = (Math.Pow(10, lo), Math.Pow(10, hi));
        bool Inside(double v) => v >= from * (1 - 1e-9) && v <= to * (1 + 1e-9);
        if (hi - lo >= 1)
        {
            int[] labelled = hi - lo >= 3 ? [1] : [1, 2, 5];
            for (var k = (int)Math.Floor(lo); k <= (int)Math.Ceiling(hi); k++)
                for (var m = 1; m <= 9; m++)
                {
                    var v = m * Math.Pow(10, k);
                    if (!Inside(v)) continue;
                    ticks.Add((Math.Log10(v), labelled.Contains(m) ? SiLabel(v) : null));
                }
            return ticks;
        }
        // a 1, 2 or 5 step giving 3 to 7 labels; minor ticks at a fifth (a half for 2) of it
        var decade = Math.Pow(10, Math.Floor(Math.Log10(to - from)) - 1);
        var factor = StepFactors.First(f => (to - from) / (f * decade) <= 7);
        var (step, minor) = (factor * decade, factor * decade / (factor % 2 == 0 ? 2 : 5));
        for (var i = Math.Ceiling(from / minor); i * minor <= to * (1 + 1e-9); i++)
        {
            var v = i * minor;
            if (v <= 0 || !Inside(v)) continue;
            var onStep = Math.Abs(v / step - Math.Round(v / step)) < 1e-6;
            ticks.Add((Math.Log10(v), onStep ? SiLabel(v) : null));
        }
        return ticks;
    }

    /// <summary>12, 500k, 1.5M, 2G.</summary>
    public static string SiLabel(double value)
    {
        var (scaled, suffix) = Math.Abs(value) switch
        {
            >= 1e12 => (value / 1e12, "T"),
            >= 1e9 => (value / 1e9, "G"),
            >= 1e6 => (value / 1e6, "M"),
            >= 1e3 => (value / 1e3, "k"),
            _ => (value, ""),
        };
        return scaled.ToString("0.##", CultureInfo.InvariantCulture) + suffix;
    }

    public string Save(string directory, string baseName, int width = 900, int height = 520)
    {
        Directory.CreateDirectory(directory);
        if (_logLeft && _leftMin <= _leftMax)
        {
            // limits fixed here so the ticks are made for exactly the range shown
            var pad = Math.Max(0.05 * (_leftMax - _leftMin), 0.02);
            var (lo, hi) = (_leftMin - pad, _leftMax + pad);
            _plot.Axes.SetLimitsY(lo, hi, _plot.Axes.Left);
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            foreach (var (position, label) in LogTicks(lo, hi))
                if (label == null) ticks.AddMinor(position);
                else ticks.AddMajor(position, label);
            _plot.Axes.Left.TickGenerator = ticks;
        }
        _plot.SavePng(Path.Combine(directory, baseName + ".png"), width, height);
        // Skia's SVG backend drops dash patterns (and says so on the console), so patterned plots stay PNG only.
        var svg = Path.Combine(directory, baseName + ".svg");
        if (_patterned) File.Delete(svg);
        else _plot.SaveSvg(svg, width, height);
        return baseName + ".png";
    }
}
