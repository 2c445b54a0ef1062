using System.Globalization;
using Repro.Data;
using Repro.Results;
using SkiaSharp;

namespace Repro.Figures;

/// <summary>
/// A qualitative grid: one row per image, one column per pruning iteration, each column titled (sparsity and
/// accuracy) and each cell an image file written during measurement, scaled into its cell. Columns are as wide as the
/// narrowest cell's shape needs, so cells wider than tall (an image beside its heatmap) are not shrunk into a square.
/// </summary>
public static class IterationGrid
{
    const int Cell = 180, TitleHeight = 34, LabelWidth = 90;

    /// <summary>"20% sparse, top-1 91%" for each iteration's top-1 value.</summary>
    public static List<string> ColumnTitles(IEnumerable<MeasuredValue> top1) =>
        top1.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Sparsity:0.#}% sparse, top-1 {c.Value:P0}")).ToList();

    /// <summary>Composes the cells (missing ones left blank) and writes the grid as PNG to <paramref name="path"/>.</summary>
    public static void Save(string title, IReadOnlyList<string> columnTitles, int rows, Func<int, int, string> cellPath, string path)
    {
        var files = Enumerable.Range(0, rows).SelectMany(r => Enumerable.Range(0, columnTitles.Count).Select(c => cellPath(r, c))).Where(File.Exists).ToList();
        // the narrowest cell, so a grid of images of mixed shapes keeps square columns
        var aspect = files.Count == 0 ? 1 : Math.Clamp(files.Min(f => { var (w, h) = ImageCodec.ReadSize(f); return (double)w / h; }), 1, 4);
        var column = (int)Math.Ceiling((Cell - 8) * aspect) + 8;
        using var grid = new SKBitmap(LabelWidth + columnTitles.Count * column, TitleHeight + rows * (Cell + TitleHeight));
        using (var canvas = new SKCanvas(grid))
        using (var font = new SKFont(SKTypeface.Default, 13))
        using (var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true })
        {
            canvas.Clear(SKColors.White);
            canvas.DrawText(title, 6, 20, font, ink);
            for (var r = 0; r < rows; r++)
            {
                var top = TitleHeight + r * (Cell + TitleHeight);
                canvas.DrawText($"image {r + 1}", 6, top + TitleHeight + Cell / 2f, font, ink);
                for (var c = 0; c < columnTitles.Count; c++)
                {
                    var left = LabelWidth + c * column;
                    canvas.DrawText(columnTitles[c], left + 4, top + TitleHeight - 8, font, ink);
                    var file = cellPath(r, c);
                    if (!File.Exists(file)) continue;
                    using var cell = SKBitmap.Decode(file);
                    var scale = Math.Min((column - 8f) / cell.Width, (Cell - 8f) / cell.Height);
                    var rect = SKRect.Create(left + 4, top + TitleHeight, cell.Width * scale, cell.Height * scale);
                    using var image = SKImage.FromBitmap(cell);
                    canvas.DrawImage(image, rect, new SKSamplingOptions(SKFilterMode.Linear));
                }
            }
        }
        ImageCodec.EncodeToFile(grid, path);
    }
}
