using static TorchSharp.torch;

namespace Repro.Measurement.Localization;

/// <summary>One image's pooled relevance: finite, non-negative, row-major [Height, Width].</summary>
public sealed class Heatmap
{
    public int Height { get; }
    public int Width { get; }
    public float[] Values { get; }

    public Heatmap(int height, int width, float[] values)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"a heatmap needs positive sides; got {height}x{width} (HxW)");
        if (values.Length != height * width)
            throw new ArgumentException($"a {height}x{width} (HxW) heatmap needs {height * width} values; got {values.Length}", nameof(values));
        for (var i = 0; i < values.Length; i++)
            if (!(values[i] >= 0) || float.IsPositiveInfinity(values[i]))
                throw new ArgumentException(
                    $"heatmap value at row {i / width}, column {i % width} is {values[i]}; relevance must be finite and " +
                    "non-negative (pool the attributions first: min-max scaling or the channel sum of squares)", nameof(values));
        Height = height;
        Width = width;
        Values = values;
    }

    /// <summary>Splits a pooled batch [B,H,W] (any device) into one heatmap per image.</summary>
    public static Heatmap[] FromBatch(Tensor pooled)
    {
        if (pooled.dim() != 3)
            throw new ArgumentException($"pooled heatmaps must be [B,H,W]; got shape [{string.Join(",", pooled.shape)}]", nameof(pooled));
        int height = (int)pooled.shape[1], width = (int)pooled.shape[2];
        using var cpu = pooled.detach().to(ScalarType.Float32, CPU).contiguous();
        var all = cpu.data<float>().ToArray();
        return Enumerable.Range(0, (int)pooled.shape[0])
            .Select(b => new Heatmap(height, width, all.AsSpan(b * height * width, height * width).ToArray()))
            .ToArray();
    }
}
