using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Repro.Data;

/// <summary>
/// What to cut from a source image: the <see cref="Source"/> window resized to <see cref="ResizedHeight"/> x
/// <see cref="ResizedWidth"/>, of which the <see cref="Size"/> x <see cref="Size"/> window at (<see cref="OutTop"/>,
/// <see cref="OutLeft"/>) is kept, mirrored left-right when <see cref="Flip"/> is set.
/// </summary>
public readonly record struct ResamplePlan(CropBox Source, int ResizedHeight, int ResizedWidth, int OutTop, int OutLeft, int Size, bool Flip);

/// <summary>
/// Antialiased bilinear resampling of HWC bytes straight into ImageNet-normalised CHW float32, with the same
/// weights as libtorch's <c>interpolate(mode: bilinear, antialias: true, align_corners: false)</c> (PIL's triangle
/// filter, widened by the downscale factor): horizontal pass first, then vertical, as libtorch does. Only the
/// output pixels that survive the plan's crop are computed. Thread-safe; touches no TorchSharp object.
/// </summary>
public static class ImageResampler
{
    // The inner loops are marked AggressiveOptimization: unoptimised (tier-0) vector code is ~10x slower, and a
    // short run (a speed probe, an evaluation pass) would otherwise spend much of its time before tier-up.
    /// <summary>Per output index along one axis: the first source index, how many are read, and their weights.</summary>
    sealed class AxisWeights
    {
        public readonly int[] Start;
        public readonly int[] Count;
        /// <summary>Row-major [output, <see cref="Taps"/>], zero past each row's count.</summary>
        public readonly float[] Weights;
        public readonly int Taps;

        public AxisWeights(int inSize, int outSize)
        {
            // libtorch's _compute_indices_weights_aa, in float as for a float32 input.
            var scale = (float)inSize / outSize;
            var support = scale >= 1f ? scale : 1f;
            var invScale = scale >= 1f ? 1f / scale : 1f;
            Taps = (int)Math.Ceiling(support) * 2 + 1;
            Start = new int[outSize];
            Count = new int[outSize];
            Weights = new float[outSize * Taps];
            for (var i = 0; i < outSize; i++)
            {
                var center = scale * (i + 0.5f);
                var min = Math.Max((int)(center - support + 0.5f), 0);
                var count = Math.Clamp(Math.Min((int)(center + support + 0.5f), inSize) - min, 0, Taps);
                var w = Weights.AsSpan(i * Taps, count);
                var total = 0f;
                for (var j = 0; j < count; j++)
                {
                    var x = Math.Abs((j + min - center + 0.5f) * invScale);
                    w[j] = x < 1f ? 1f - x : 0f;
                    total += w[j];
                }
                if (total != 0f)
                    for (var j = 0; j < count; j++) w[j] /= total;
                Start[i] = min;
                Count[i] = count;
            }
        }

        /// <summary>The source range [first, end) that output indices [from, from + n) read.</summary>
        public (int First, int End) SourceRange(int from, int n)
        {
            int first = int.MaxValue, end = 0;
            for (var i = from; i < from + n; i++)
            {
                first = Math.Min(first, Start[i]);
                end = Math.Max(end, Start[i] + Count[i]);
            }
            return (first, end);
        }
    }

    // Keyed by (source length, output length): a few hundred distinct crop lengths for ImageNet-sized photos.
    // Large photos give more and bigger tables, so the cache starts over past a bound (tables are pure functions).
    static readonly ConcurrentDictionary<(int In, int Out), AxisWeights> Tables = new();
    const int MaxTables = 1024;

    static AxisWeights For(int inSize, int outSize)
    {
        if (Tables.Count > MaxTables) Tables.Clear();
        return Tables.GetOrAdd((inSize, outSize), k => new AxisWeights(k.In, k.Out));
    }

    /// <summary>Writes the plan's output, normalised with ImageNet's mean and std, into <paramref name="chw"/> ([3, Size, Size]).</summary>
    public static void Resample(RgbImage src, in ResamplePlan plan, Span<float> chw) => Resample(src.Pixels, src.Width, src.Height, 3, plan, chw);

    /// <param name="pixels">Row-major, interleaved, RGB first in each pixel of <paramref name="channels"/> (3 or 4) bytes.</param>
    internal static void Resample(ReadOnlySpan<byte> pixels, int width, int height, int channels, in ResamplePlan plan, Span<float> chw)
    {
        var (box, size) = (plan.Source, plan.Size);
        if (box.Top < 0 || box.Left < 0 || box.Height <= 0 || box.Width <= 0 || box.Top + box.Height > height || box.Left + box.Width > width)
            throw new ArgumentException($"crop {box} lies outside the {width}x{height} image");
        if (plan.OutTop < 0 || plan.OutLeft < 0 || plan.OutTop + size > plan.ResizedHeight || plan.OutLeft + size > plan.ResizedWidth)
            throw new ArgumentException($"image {plan.ResizedWidth}x{plan.ResizedHeight} is smaller than the {size}px crop at ({plan.OutTop}, {plan.OutLeft})");
        if (chw.Length != 3 * size * size)
            throw new ArgumentException($"output span holds {chw.Length} floats, [3, {size}, {size}] needs {3 * size * size}");

        var xs = For(box.Width, plan.ResizedWidth);
        var ys = For(box.Height, plan.ResizedHeight);
        var (rowFirst, rowEnd) = ys.SourceRange(plan.OutTop, size);
        var (colFirst, colEnd) = xs.SourceRange(plan.OutLeft, size);
        int rows = rowEnd - rowFirst, cols = colEnd - colFirst;
        var rowBuffer = ArrayPool<float>.Shared.Rent(channels * cols + 1);
        var planes = ArrayPool<float>.Shared.Rent(3 * rows * size);
        try
        {
            // With 3 channels the 4-float load of the last pixel reads one float past the row: keep it a harmless zero.
            rowBuffer[channels * cols] = 0f;
            for (var r = 0; r < rows; r++)
            {
                var offset = ((box.Top + rowFirst + r) * width + box.Left + colFirst) * channels;
                BytesToFloats(pixels.Slice(offset, channels * cols), rowBuffer);
                Horizontal(rowBuffer, channels, xs, plan, colFirst, planes, r, rows);
            }
            for (var c = 0; c < 3; c++)
            {
                var scale = 1f / (255f * ImageTransforms.ImageNetStd[c]);
                var bias = -ImageTransforms.ImageNetMean[c] / ImageTransforms.ImageNetStd[c];
                var plane = planes.AsSpan(c * rows * size, rows * size);
                for (var y = 0; y < size; y++)
                    Vertical(plane, ys, plan.OutTop + y, rowFirst, size, scale, bias, chw.Slice((c * size + y) * size, size));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rowBuffer);
            ArrayPool<float>.Shared.Return(planes);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void BytesToFloats(ReadOnlySpan<byte> bytes, Span<float> floats)
    {
        var i = 0;
        ref var b = ref MemoryMarshal.GetReference(bytes);
        ref var f = ref MemoryMarshal.GetReference(floats);
        for (; i + 16 <= bytes.Length; i += 16)
        {
            var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref b, (nuint)i));
            var (a, bb) = Vector128.Widen(lo);
            var (c, d) = Vector128.Widen(hi);
            Vector128.ConvertToSingle(a.AsInt32()).StoreUnsafe(ref f, (nuint)i);
            Vector128.ConvertToSingle(bb.AsInt32()).StoreUnsafe(ref f, (nuint)(i + 4));
            Vector128.ConvertToSingle(c.AsInt32()).StoreUnsafe(ref f, (nuint)(i + 8));
            Vector128.ConvertToSingle(d.AsInt32()).StoreUnsafe(ref f, (nuint)(i + 12));
        }
        for (; i < bytes.Length; i++) floats[i] = bytes[i];
    }

    /// <summary>One source row (interleaved floats from <paramref name="colFirst"/>) to the kept output columns of three planes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Horizontal(float[] row, int channels, AxisWeights xs, in ResamplePlan plan, int colFirst, float[] planes, int r, int rows)
    {
        int size = plan.Size, stride = rows * size;
        ref var src = ref MemoryMarshal.GetArrayDataReference(row);
        for (var ox = 0; ox < size; ox++)
        {
            // The flip is folded in: output column ox takes resized column size - 1 - ox of the kept window.
            var xi = plan.OutLeft + (plan.Flip ? size - 1 - ox : ox);
            var start = xs.Start[xi] - colFirst;
            var w = xs.Weights.AsSpan(xi * xs.Taps, xs.Count[xi]);
            // RGB and one more byte (alpha, or the next pixel's R) of each tap in one 4-lane multiply-add; lane 3 is ignored.
            var acc = Vector128<float>.Zero;
            for (var k = 0; k < w.Length; k++)
                acc += Vector128.Create(w[k]) * Vector128.LoadUnsafe(ref src, (nuint)(channels * (start + k)));
            var at = r * size + ox;
            planes[at] = acc.GetElement(0);
            planes[stride + at] = acc.GetElement(1);
            planes[2 * stride + at] = acc.GetElement(2);
        }
    }

    /// <summary>One output row of one channel: a weighted sum of whole plane rows, then normalisation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Vertical(ReadOnlySpan<float> plane, AxisWeights ys, int yi, int rowFirst, int size, float scale, float bias, Span<float> dst)
    {
        var start = ys.Start[yi] - rowFirst;
        var w = ys.Weights.AsSpan(yi * ys.Taps, ys.Count[yi]);
        ref var p = ref MemoryMarshal.GetReference(plane);
        ref var d = ref MemoryMarshal.GetReference(dst);
        var x = 0;
        for (; x + Vector<float>.Count <= size; x += Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            for (var k = 0; k < w.Length; k++)
                acc += new Vector<float>(w[k]) * Vector.LoadUnsafe(ref p, (nuint)((start + k) * size + x));
            (acc * scale + new Vector<float>(bias)).StoreUnsafe(ref d, (nuint)x);
        }
        for (; x < size; x++)
        {
            var acc = 0f;
            for (var k = 0; k < w.Length; k++) acc += w[k] * plane[(start + k) * size + x];
            dst[x] = acc * scale + bias;
        }
    }
}
