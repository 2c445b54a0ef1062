using System.Globalization;
using Repro.Config;
using Repro.Data;
using Repro.Measurement.Attribution;
using Repro.Measurement.Localization;
using Repro.Results;
using Repro.Training;
using SkiaSharp;

namespace Repro.Figures;

/// <summary>
/// Experiment 1, qualitatively: for each method, a grid of the same few segmented images (rows) across every pruning
/// iteration (columns), the heatmap blended over the image, each cell titled with the iteration's sparsity and top-1
/// accuracy. Its checked numbers are the RMA of every shown cell, so a changed heatmap is caught by the bands.
/// The cells are artefacts of the measurement (cells/&lt;model&gt;/&lt;method&gt;/), composed into grids by the plot.
/// </summary>
public sealed class HeatmapsFigure : IFigure
{
    static readonly ScottPlot.IColormap Colormap = new ScottPlot.Colormaps.Turbo();

    public string Name => "heatmaps";
    public string Title => "Heatmaps across the pruning trajectory";
    public string Shows => "Each method's heatmap on the same segmented images (VOC2012's or the synthetic scenes') at every pruning iteration, blended over the image, with the Relevance Mass Accuracy of every cell.";

    static string CellName(string model, string method, int image, int iteration) =>
        string.Create(CultureInfo.InvariantCulture, $"cells/{model}/{method}/img{image + 1}-iter{iteration:D2}.png");

    static string ImageSeries(string model, string method, Fidelity fidelity, int image) =>
        $"{InterpretabilityFigure.SeriesOf(model, method, fidelity)}/img{image + 1}";

    public void Validate(Profile profile, bool listed, ProfileChecks checks) => InterpretabilityInputs.Validate(profile, Name, listed, checks);

    public IEnumerable<string> Deviations(Profile profile, Profile? paper) => InterpretabilityInputs.Deviations(profile, paper);

    public void Preflight(RunContext context, List<string> problems) => InterpretabilityInputs.Preflight(context, c => c.HeatmapImages, problems);

    public FigureMeasurement Measure(RunContext context, FigureFolder folder)
    {
        var profile = context.Profile;
        var config = InterpretabilityInputs.Config(profile);
        var fidelities = InterpretabilityInputs.Fidelities(profile);
        var images = InterpretabilityInputs.Images(context, config.HeatmapImages);
        var rma = fidelities.ToDictionary(f => f, f => new RelevanceMassAccuracy(f));
        var values = new List<MeasuredValue>();

        foreach (var model in profile.Models.Where(m => InterpretabilityFigure.Explains(m, context.Log)))
        {
            var settings = InterpretabilityInputs.Settings(config, model);
            var trajectory = new Trajectory(context, model);
            InterpretabilityInputs.CheckLayer(trajectory, settings);
            foreach (var m in trajectory.Ensure())
            {
                var sparsity = Math.Round(100 * m.MeasuredSparsity, 2);
                var (net, masks) = trajectory.Load(m.Iteration);
                using var _ = masks;
                net.eval();
                var methods = InterpretabilityInputs.Methods(net, model, settings, InterpretabilityInputs.NoiseSeed(profile), fidelities);
                for (var i = 0; i < images.Count; i++)
                {
                    using var input = InterpretabilityInputs.Input(images[i], net, context.Device);
                    foreach (var method in methods)
                    {
                        var heatmap = method.OfImage(input, images[i].Height, images[i].Width);
                        SaveBlended(images[i].Image, heatmap, folder.NewArtefact(CellName(model.Key, CellMethod(method, fidelities), i, m.Iteration)));
                        foreach (var fidelity in fidelities.Where(method.Feeds))
                            if (rma[fidelity].Score(heatmap, images[i].Mask(fidelity)) is { } score)
                                values.Add(new MeasuredValue { Series = ImageSeries(model.Key, method.Name, fidelity, i), Metric = "rma", Iteration = m.Iteration, Sparsity = sparsity, Value = score });
                    }
                }
                foreach (var method in methods) method.Dispose();
                net.Dispose();
                values.Add(new MeasuredValue { Series = model.Key, Metric = "top1", Iteration = m.Iteration, Sparsity = sparsity, Value = m.Top1 });
                context.Log($"  {model.Key} iter {m.Iteration} ({sparsity:F1}% sparse): heatmaps of {images.Count} images by {methods.Count} methods");
            }
        }
        return new FigureMeasurement(values, []);
    }

    /// <summary>The cells' folder of a method: its slug, with the fidelity mode when each mode has its own variant.</summary>
    internal static string CellMethod(HeatmapMethod method, IReadOnlyList<Fidelity> fidelities)
    {
        var slug = InterpretabilityFigure.Slug(method.Name);
        return method.Only.Count == 1 && fidelities.Count > 1 ? $"{slug}-{method.Only[0].ToString().ToLowerInvariant()}" : slug;
    }

    /// <summary>
    /// One cell: the image with the heatmap laid over it in proportion to its value (low relevance leaves the image as
    /// it is), then the heatmap alone, then its colour bar, each panel a square as wide as the image's longer side so
    /// every cell has one shape. Each map has its own colour scale, from 0 to its 99th percentile (as Captum's
    /// visualisation clips outliers): guided Grad-CAM and squared IG attributions are so peaked that a shared or
    /// maximum-based scale leaves them all but invisible.
    /// </summary>
    static void SaveBlended(RgbImage image, Heatmap heatmap, string path)
    {
        var sorted = (float[])heatmap.Values.Clone();
        Array.Sort(sorted);
        var max = sorted[(int)(0.99 * (sorted.Length - 1))] is > 0 and var p ? p : sorted[^1];
        int side = Math.Max(image.Width, image.Height), gap = Math.Max(4, side / 40), bar = Math.Max(8, side / 16);
        int fontSize = Math.Max(9, side / 14), labelWidth = fontSize * 5;
        int dx = (side - image.Width) / 2, dy = (side - image.Height) / 2;
        using var bitmap = new SKBitmap(2 * side + 2 * gap + bar + labelWidth, side, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(SKColors.White);
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
            {
                var t = max > 0 ? Math.Min(1, heatmap.Values[y * image.Width + x] / max) : 0;
                var c = Colormap.GetColor(t);
                var alpha = 0.8 * t;
                bitmap.SetPixel(dx + x, dy + y, new SKColor(Blend(image[y, x, 0], c.R, alpha), Blend(image[y, x, 1], c.G, alpha), Blend(image[y, x, 2], c.B, alpha)));
                bitmap.SetPixel(side + gap + dx + x, dy + y, new SKColor(c.R, c.G, c.B));
            }
        var barLeft = 2 * side + 2 * gap;
        for (var y = 0; y < side; y++)
        {
            var c = Colormap.GetColor(1 - y / (side - 1.0));
            for (var x = 0; x < bar; x++) bitmap.SetPixel(barLeft + x, y, new SKColor(c.R, c.G, c.B));
        }
        using (var canvas = new SKCanvas(bitmap))
        using (var font = new SKFont(SKTypeface.Default, fontSize))
        using (var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            var labelLeft = barLeft + bar + 2;
            canvas.DrawText(max.ToString(max >= 0.01 ? "0.###" : "0.##E+0", CultureInfo.InvariantCulture), labelLeft, fontSize, font, ink);
            canvas.DrawText("0", labelLeft, side - 2, font, ink);
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageCodec.EncodeToFile(bitmap, path);
    }

    /// <summary>The image under a colour of opacity <paramref name="alpha"/>.</summary>
    static byte Blend(byte image, byte colour, double alpha) => (byte)Math.Round(image + alpha * (colour - image));

    /// <summary>One grid per model and method: rows = images, columns = iterations.</summary>
    public IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder)
    {
        var files = new List<string>();
        foreach (var model in results.Values.Where(v => v.Metric == "top1").Select(v => v.Series).Distinct())
        {
            var columns = results.Values.ByIteration(model, "top1");
            var prefix = $"cells/{model}/";
            var methods = results.Artefacts.Where(a => a.StartsWith(prefix, StringComparison.Ordinal))
                .Select(a => a[prefix.Length..a.IndexOf('/', prefix.Length)]).Distinct().Order(StringComparer.Ordinal);
            foreach (var method in methods)
            {
                var rows = Enumerable.Range(0, int.MaxValue).TakeWhile(i => folder.Has(CellName(model, method, i, columns[0].Iteration))).Count();
                var name = $"heatmaps-{model}-{method}.png";
                IterationGrid.Save($"{method}, {model}", IterationGrid.ColumnTitles(columns), rows,
                    (r, c) => folder.Artefact(CellName(model, method, r, columns[c].Iteration)), folder.PlotPath(name));
                files.Add(name);
            }
        }
        return files;
    }

    /// <summary>Top-1 and a single image's RMA alike.</summary>
    public double DefaultAbsTol(string metric) => 0.05;
}
