using System.Globalization;
using ScottPlot;

namespace Repro.Figures;

/// <summary>
/// The paper's plot shape: x = pruning iterations as categorical ticks labelled with sparsity (%),
/// a left metric axis and an optional right axis (top-1 accuracy). Saves PNG, and SVG where no line is dashed.
/// </summary>
public sealed class SparsityPlot
{
    readonly Plot _plot = new();
    bool _patterned;
    static readonly Color[] Colors = [new("#1f77b4"), new("#d62728"), new("#2ca02c"), new("#9467bd"), new("#ff7f0e"), new("#8c564b")];
    Color[] _palette = Colors;
    int _series;

    public SparsityPlot(string title, string leftLabel, IReadOnlyList<double> sparsityPercent)
    {
        _plot.Title(title);
        _plot.Axes.Left.Label.Text = leftLabel;
        _plot.Axes.Bottom.Label.Text = "sparsity (%)";
        var positions = Enumerable.Range(0, sparsityPercent.Count).Select(i => (double)i).ToArray();
        var every = Math.Max(1, sparsityPercent.Count / 14);
        var labels = sparsityPercent.Select((s, i) => i % every == 0 ? s.ToString("0.#", CultureInfo.InvariantCulture) : "").ToArray();
        _plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        _plot.ShowLegend(Alignment.LowerLeft);
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
    }

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

    /// <summary>The legend beside the data area rather than over it, for plots with many lines.</summary>
    public void LegendOutside() => _plot.ShowLegend(Edge.Right);

    public void RightLabel(string label) => _plot.Axes.Right.Label.Text = label;

    public void LeftLimits(double min, double max) => _plot.Axes.SetLimitsY(min, max, _plot.Axes.Left);

    public void RightLimits(double min, double max) => _plot.Axes.SetLimitsY(min, max, _plot.Axes.Right);

    public void LogLeft()
    {
        _plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = y => Math.Pow(10, y).ToString("N0", CultureInfo.InvariantCulture) };
    }

    public string Save(string directory, string baseName, int width = 900, int height = 520)
    {
        Directory.CreateDirectory(directory);
        _plot.SavePng(Path.Combine(directory, baseName + ".png"), width, height);
        // Skia's SVG backend drops dash patterns (and says so on the console), so patterned plots stay PNG only.
        var svg = Path.Combine(directory, baseName + ".svg");
        if (_patterned) File.Delete(svg);
        else _plot.SaveSvg(svg, width, height);
        return baseName + ".png";
    }
}
