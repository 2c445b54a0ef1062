using Repro.Data;
using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Measurement.Discovery;

/// <summary>A box on the feature grid: rows [Row0, Row1) and columns [Col0, Col1).</summary>
public readonly record struct GridBox(int Row0, int Col0, int Row1, int Col1)
{
    /// <summary>
    /// Scaled by the stride and clipped to the unpadded image (the grid covers the zero-padded image, so the last
    /// row and column may reach past it).
    /// </summary>
    public PixelBox ToPixels(int stride, int imageWidth, int imageHeight) => ToPixels(stride, stride, imageWidth, imageHeight);

    /// <summary>
    /// Scaled by pixels per grid column (<paramref name="scaleX"/>) and row (<paramref name="scaleY"/>), which differ
    /// from the stride when the padded image is not a whole number of strides (object_discovery.py detect_box), and
    /// clipped to the unpadded image.
    /// </summary>
    public PixelBox ToPixels(double scaleX, double scaleY, int imageWidth, int imageHeight) => new(
        Math.Min(Col0 * scaleX, imageWidth), Math.Min(Row0 * scaleY, imageHeight),
        Math.Min(Col1 * scaleX, imageWidth), Math.Min(Row1 * scaleY, imageHeight));
}

/// <summary>What LOST found on one feature map, or why it found nothing (<see cref="Issue"/>).</summary>
public sealed record LostResult(DiscoveryIssue Issue, string? Detail, GridBox Box, int Seed, int Cols, int ComponentSize, int SimilarPatches)
{
    public bool Succeeded => Issue == DiscoveryIssue.None;
    public int SeedRow => Seed / Cols;
    public int SeedCol => Seed % Cols;

    /// <summary>A failed run; <paramref name="seed"/> is −1 when no seed was chosen.</summary>
    public static LostResult Failure(DiscoveryIssue issue, string detail, int cols, int seed = -1, int similarPatches = 0) =>
        new(issue, detail, default, seed, cols, 0, similarPatches);
}

/// <summary>
/// LOST (Siméoni et al., BMVC 2021) on one image's patch tokens F [N, d], N = rows·cols in row-major grid order.
/// A = F·Fᵀ is built once, on the tokens' device. Steps as in the reference object_discovery.py (valeoai/LOST):
/// degree = number of positive entries per row of A, diagonal ignored; patches sorted by increasing degree;
/// seed = the first; of the first k, those with A[seed, ·] &gt; 0 are kept (the seed itself included, its
/// self-affinity being positive); M = sum of their rows of A; the 4-connected component of M &gt; 0 on the grid
/// that holds the seed (scipy.ndimage.label's default structure) gives the box, max edges exclusive.
/// One deliberate difference: the reference orders degrees with torch.argsort, which is not stable, so among
/// patches of equal degree its seed and candidate set are unspecified; here ties go to the lowest patch index
/// (a stable sort), on every device.
/// </summary>
public sealed class Lost
{
    public const int DefaultKPatches = 100;

    public int KPatches { get; }

    public Lost(int kPatches = DefaultKPatches)
    {
        if (kPatches < 1) throw new ArgumentOutOfRangeException(nameof(kPatches), kPatches, "LOST needs at least one candidate patch (paper: 100)");
        KPatches = kPatches;
    }

    public LostResult Run(Tensor tokens, int rows, int cols)
    {
        if (tokens.dim() != 2 || tokens.shape[0] != (long)rows * cols)
            throw new ArgumentException(
                $"LOST expects patch tokens [rows·cols, d] = [{rows * cols}, d] for a {rows}x{cols} grid, got [{string.Join(", ", tokens.shape)}]");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        if (!tokens.isfinite().all().item<bool>())
            return LostResult.Failure(DiscoveryIssue.NonFiniteFeatures,
                $"the {rows}x{cols} feature map holds NaN or infinite values", cols);

        var f = tokens.to(ScalarType.Float32);
        var affinity = f.matmul(f.t());
        var positive = affinity.gt(Scalars.Of(0));
        var degree = positive.sum(1).sub_(positive.diagonal().to(ScalarType.Int64));
        var order = degree.sort(0, descending: false, stable: true).Indices;
        var seed = (int)order[0].item<long>();
        var candidates = order.narrow(0, 0, Math.Min(KPatches, rows * cols));
        var similars = candidates.masked_select(affinity[seed].index_select(0, candidates).gt(Scalars.Of(0)));
        // dim named: a literal 0 would bind to the sum(ScalarType?) overload and reduce everything.
        var objectMap = affinity.index_select(0, similars).sum(dim: 0).gt(Scalars.Of(0)).cpu();

        var inObject = objectMap.data<bool>().ToArray();
        var similarCount = (int)similars.shape[0];
        if (!inObject[seed])
            return LostResult.Failure(DiscoveryIssue.SeedInBackground,
                $"seed patch {seed} has no positive affinity after seed expansion ({similarCount} similar patches; features are degenerate, e.g. all zero)", cols, seed, similarCount);
        var (box, size) = SeedComponent(inObject, rows, cols, seed);
        return new LostResult(DiscoveryIssue.None, null, box, seed, cols, size, similarCount);
    }

    /// <summary>Bounding box and size of the 4-connected component of <paramref name="mask"/> that holds the seed.</summary>
    static (GridBox Box, int Size) SeedComponent(bool[] mask, int rows, int cols, int seed)
    {
        var visited = new bool[mask.Length];
        var stack = new Stack<int>();
        stack.Push(seed);
        visited[seed] = true;
        int r0 = int.MaxValue, c0 = int.MaxValue, r1 = -1, c1 = -1, size = 0;
        while (stack.Count > 0)
        {
            var p = stack.Pop();
            int r = p / cols, c = p % cols;
            size++;
            r0 = Math.Min(r0, r); r1 = Math.Max(r1, r);
            c0 = Math.Min(c0, c); c1 = Math.Max(c1, c);
            void Visit(int q)
            {
                if (mask[q] && !visited[q]) { visited[q] = true; stack.Push(q); }
            }
            if (r > 0) Visit(p - cols);
            if (r < rows - 1) Visit(p + cols);
            if (c > 0) Visit(p - 1);
            if (c < cols - 1) Visit(p + 1);
        }
        return (new GridBox(r0, c0, r1 + 1, c1 + 1), size);
    }
}
