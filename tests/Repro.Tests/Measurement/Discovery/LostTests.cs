using Repro.Measurement.Discovery;
using static Repro.Tests.Measurement.Discovery.HandMadeFeatures;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement.Discovery;

[Trait("Category", TestCategories.Unit)]
public class LostTests
{
    [Fact]
    public void Single_blob_gives_exactly_the_blob()
    {
        var blob = new GridBox(2, 3, 5, 7);
        using var tokens = Map(8, 10, (r, c) => Inside(r, c, blob) ? ObjectA : Background);

        var result = new Lost().Run(tokens, 8, 10);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(blob, result.Box);
        Assert.Equal(12, result.ComponentSize);
        Assert.Equal(12, result.SimilarPatches);
        // All blob patches have the lowest degree (11); the tie goes to the lowest index: the blob's top-left.
        Assert.Equal((2, 3), (result.SeedRow, result.SeedCol));
    }

    [Fact]
    public void Of_two_disconnected_regions_the_seeds_one_is_chosen_not_the_larger()
    {
        var small = new GridBox(0, 0, 2, 2);
        var large = new GridBox(4, 4, 7, 8);
        using var tokens = Map(8, 9, (r, c) => Inside(r, c, small) || Inside(r, c, large) ? ObjectA : Background);

        var result = new Lost().Run(tokens, 8, 9);

        // M > 0 on both regions (same features), but only the seed's component is kept.
        Assert.Equal((0, 0), (result.SeedRow, result.SeedCol));
        Assert.Equal(small, result.Box);
        Assert.Equal(4, result.ComponentSize);
        Assert.Equal(16, result.SimilarPatches);
    }

    [Fact]
    public void Regions_touching_only_diagonally_are_separate_components()
    {
        using var tokens = Map(4, 4, (r, c) => (r, c) is (1, 1) or (2, 2) ? ObjectA : Background);

        var result = new Lost().Run(tokens, 4, 4);

        Assert.Equal(new GridBox(1, 1, 2, 2), result.Box);
    }

    [Fact]
    public void Seed_region_at_the_bottom_right_border()
    {
        var corner = new GridBox(4, 5, 6, 8);
        using var tokens = Map(6, 8, (r, c) => Inside(r, c, corner) ? ObjectA : Background);

        var result = new Lost().Run(tokens, 6, 8);

        Assert.Equal((4, 5), (result.SeedRow, result.SeedCol));
        Assert.Equal(corner, result.Box);
    }

    [Fact]
    public void Seed_is_the_lowest_degree_patch_even_when_it_is_not_first()
    {
        // ObjectB occupies 2 patches (degree 1), ObjectA 6 (degree 5): the seed must be in B though A comes first.
        var a = new GridBox(0, 0, 2, 3);
        var b = new GridBox(5, 6, 6, 8);
        using var tokens = Map(6, 8, (r, c) => Inside(r, c, a) ? ObjectA : Inside(r, c, b) ? ObjectB : Background);

        var result = new Lost().Run(tokens, 6, 8);

        Assert.Equal((5, 6), (result.SeedRow, result.SeedCol));
        Assert.Equal(b, result.Box);
    }

    [Fact]
    public void Degree_ignores_the_diagonal()
    {
        // A lone object patch at index 0 and an all-zero patch at index 14: both have no positive affinity to any
        // other patch (degree 0). Counting the diagonal would give the object patch 1 (its self-affinity) and make
        // the zero patch the seed, which has no positive affinity at all.
        using var tokens = Map(3, 5, (r, c) => (r, c) switch { (0, 0) => ObjectA, (2, 4) => [0f, 0f], _ => Background });

        var result = new Lost().Run(tokens, 3, 5);

        Assert.True(result.Succeeded, result.Detail);
        Assert.Equal(0, result.Seed);
        Assert.Equal(new GridBox(0, 0, 1, 1), result.Box);
    }

    [Fact]
    public void Only_the_k_lowest_degree_patches_expand_the_seed()
    {
        // A 1x4 bar of one object: all four are among the lowest degrees, so k = 100 keeps all four and k = 1 only
        // the seed. The seed's own row of A is already positive on the whole bar, so the box is the same.
        var bar = new GridBox(1, 1, 2, 5);
        using var tokens = Map(4, 6, (r, c) => Inside(r, c, bar) ? ObjectA : Background);

        var full = new Lost().Run(tokens, 4, 6);
        var one = new Lost(kPatches: 1).Run(tokens, 4, 6);

        Assert.Equal(4, full.SimilarPatches);
        Assert.Equal(1, one.SimilarPatches);
        Assert.Equal(bar, one.Box);
    }

    [Fact]
    public void Ties_in_degree_go_to_the_lowest_patch_index_whatever_the_order_of_equal_regions()
    {
        // Two equal-sized regions of different objects: equal degrees, so the seed is the lower index.
        var first = new GridBox(3, 0, 4, 2);
        var second = new GridBox(0, 4, 1, 6);
        using var tokens = Map(5, 6, (r, c) => Inside(r, c, first) ? ObjectA : Inside(r, c, second) ? ObjectB : Background);

        var result = new Lost().Run(tokens, 5, 6);

        Assert.Equal(4, result.Seed); // (0, 4) has index 4, before (3, 0) = 18
        Assert.Equal(second, result.Box);
    }

    [Fact]
    public void Nan_features_are_reported_not_thrown()
    {
        using var tokens = Map(3, 3, (r, c) => (r, c) == (1, 1) ? [float.NaN, 0f] : Background);

        var result = new Lost().Run(tokens, 3, 3);

        Assert.False(result.Succeeded);
        Assert.Equal(DiscoveryIssue.NonFiniteFeatures, result.Issue);
        Assert.Contains("NaN", result.Detail);
    }

    [Fact]
    public void All_zero_features_leave_the_seed_in_the_background()
    {
        using var tokens = zeros(12, 4);

        var result = new Lost().Run(tokens, 3, 4);

        Assert.Equal(DiscoveryIssue.SeedInBackground, result.Issue);
        Assert.Contains("degenerate", result.Detail);
        Assert.Equal((0, 0), (result.Seed, result.SimilarPatches)); // all degrees 0: the first patch; no affinity to itself
    }

    [Fact]
    public void Tokens_that_do_not_match_the_grid_are_a_programming_error()
    {
        using var tokens = zeros(10, 4);
        var e = Assert.Throws<ArgumentException>(() => new Lost().Run(tokens, 3, 4));
        Assert.Contains("3x4 grid", e.Message);
    }

    [Fact]
    public void A_single_patch_grid_gives_that_patch()
    {
        using var tokens = ones(1, 8);
        var result = new Lost().Run(tokens, 1, 1);
        Assert.Equal(new GridBox(0, 0, 1, 1), result.Box);
    }

    [Fact]
    public void Matches_a_direct_transcription_of_the_steps_on_random_features()
    {
        // Random maps have varied degrees; check the seed, the candidates and M against plain loops.
        var rng = new Random(7);
        for (var trial = 0; trial < 20; trial++)
        {
            int rows = rng.Next(2, 9), cols = rng.Next(2, 9), d = rng.Next(2, 6), n = rows * cols;
            var data = Enumerable.Range(0, n * d).Select(_ => (float)(rng.NextDouble() - 0.3)).ToArray();
            using var tokens = tensor(data, [n, d]);
            var k = rng.Next(1, n + 1);

            var result = new Lost(k).Run(tokens, rows, cols);

            double Dot(int i, int j) { double s = 0; for (var x = 0; x < d; x++) s += data[i * d + x] * data[j * d + x]; return s; }
            var degree = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Count(j => j != i && Dot(i, j) > 0)).ToArray();
            var order = Enumerable.Range(0, n).OrderBy(i => degree[i]).ThenBy(i => i).ToArray();
            var seed = order[0];
            var similars = order.Take(k).Where(j => Dot(seed, j) > 0).ToArray();
            var m = Enumerable.Range(0, n).Select(j => similars.Sum(s => Dot(s, j))).ToArray();
            Assert.Equal(seed, result.Seed);
            Assert.Equal(similars.Length, result.SimilarPatches);
            if (m[seed] <= 0) { Assert.Equal(DiscoveryIssue.SeedInBackground, result.Issue); continue; }
            Assert.Equal(BoundsOfLabel(m, rows, cols, seed), result.Box);
            Assert.True(Inside(result.SeedRow, result.SeedCol, result.Box));
        }
    }

    /// <summary>Connected components by label propagation (a different method from the flood fill under test).</summary>
    static GridBox BoundsOfLabel(double[] m, int rows, int cols, int seed)
    {
        var label = Enumerable.Range(0, m.Length).Select(i => m[i] > 0 ? i : -1).ToArray();
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = 0; i < m.Length; i++)
            {
                if (label[i] < 0) continue;
                int r = i / cols, c = i % cols;
                foreach (var j in new[] { r > 0 ? i - cols : -1, r < rows - 1 ? i + cols : -1, c > 0 ? i - 1 : -1, c < cols - 1 ? i + 1 : -1 })
                    if (j >= 0 && label[j] >= 0 && label[j] < label[i]) { label[i] = label[j]; changed = true; }
            }
        }
        var members = Enumerable.Range(0, m.Length).Where(i => label[i] >= 0 && label[i] == label[seed]).ToList();
        return new GridBox(members.Min(i => i / cols), members.Min(i => i % cols), members.Max(i => i / cols) + 1, members.Max(i => i % cols) + 1);
    }
}
