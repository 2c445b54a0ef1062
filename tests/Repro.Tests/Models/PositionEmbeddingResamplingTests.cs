using System.Diagnostics;
using System.Text.Json;
using Repro.Config;
using Repro.Figures;
using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Tests.Models;

/// <summary>
/// ViT position embeddings at grids other than the training one: torchvision's resampling (align_corners = true, the
/// authors' LOST runs) against Debian's torchvision 0.14 when present and against its checked-in output always, and
/// the suite's (align_corners = false) as the other one.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public class PositionEmbeddingResamplingTests
{
    // As vit_position_embeddings.py: 224-px model, 32-px patches (a 7 x 7 grid), 4 channels.
    const int ImageSize = 224, Patch = 32, Grid = 7, Hidden = 4;
    static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    static VisionTransformer Model(int hidden = Hidden)
    {
        manual_seed(5);
        return new VisionTransformer("vit_tiny", ImageSize, Patch, numLayers: 1, numHeads: 2, hiddenDim: hidden, mlpDim: 4 * hidden, numClasses: 5);
    }

    /// <summary>The script's stored(): sin(0.37 t + 1.3 c) + 0.1 c for token t, channel c.</summary>
    static void SetFormulaEmbedding(VisionTransformer vit)
    {
        var values = new float[(1 + Grid * Grid) * Hidden];
        for (var t = 0; t <= Grid * Grid; t++)
            for (var c = 0; c < Hidden; c++)
                values[t * Hidden + c] = (float)(Math.Sin(0.37 * t + 1.3 * c) + 0.1 * c);
        using var _ = no_grad();
        vit.state_dict()["encoder.pos_embedding"].copy_(tensor(values, [1, 1 + Grid * Grid, Hidden]));
    }

    static float[] Embedding(VisionTransformer vit, int rows, int cols)
    {
        using var _ = no_grad();
        using var e = vit.PositionEmbedding(rows, cols);
        return e.data<float>().ToArray();
    }

    static double MaxAbsDifference(IReadOnlyList<float> a, IReadOnlyList<float> b)
    {
        Assert.Equal(b.Count, a.Count);
        return a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();
    }

    static Dictionary<string, float[]> ReadJson(string json) => JsonSerializer.Deserialize<Dictionary<string, float[]>>(json)!;

    [Theory]
    [InlineData("160", 5, 5)]
    [InlineData("288", 9, 9)]
    [InlineData("5x9", 5, 9)]
    public void Torchvision_resampling_matches_torchvisions_checked_in_output_and_the_suites_does_not(string key, int rows, int cols)
    {
        var expected = ReadJson(File.ReadAllText(Fixture("vit_position_embeddings_torchvision.json")))[key];
        using var vit = Model();
        SetFormulaEmbedding(vit);

        vit.Resampling = PositionEmbeddingResampling.Torchvision;
        Assert.InRange(MaxAbsDifference(Embedding(vit, rows, cols), expected), 0, 1e-5);
        vit.Resampling = PositionEmbeddingResampling.PatchFootprints;
        Assert.InRange(MaxAbsDifference(Embedding(vit, rows, cols), expected), 1e-2, double.MaxValue);
    }

    [Fact]
    public void The_training_grid_is_never_resampled_and_the_default_is_the_suites()
    {
        using var vit = Model();
        Assert.Equal(PositionEmbeddingResampling.PatchFootprints, vit.Resampling);
        SetFormulaEmbedding(vit);
        var footprints = Embedding(vit, Grid, Grid);
        vit.Resampling = PositionEmbeddingResampling.Torchvision;
        Assert.Equal(footprints, Embedding(vit, Grid, Grid));
    }

    [Theory]
    [InlineData(Fidelity.Paper, PositionEmbeddingResampling.Torchvision, false)]
    [InlineData(Fidelity.Corrected, PositionEmbeddingResampling.PatchFootprints, true)]
    public void Lost_resamples_as_the_fidelity_says_and_corrected_lists_it(Fidelity fidelity, PositionEmbeddingResampling expected, bool listed)
    {
        Assert.Equal(expected, ObjectDiscoveryFigure.ResamplingFor(fidelity));
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        profile.Fidelity = fidelity;
        profile.Models = [new ModelConfig { Architecture = "vit_b_16", Width = 0.25 }];
        Assert.Equal(listed, new ObjectDiscoveryFigure().Deviations(profile, null).Contains(ObjectDiscoveryFigure.VitResamplingDeviation));
        Assert.Throws<ArgumentException>(() => ObjectDiscoveryFigure.ResamplingFor(Fidelity.Both));
    }

    [DebianTorchvisionFact]
    public void Torchvision_resampling_matches_debians_torchvision_embeddings_now()
    {
        var expected = ReadJson(DebianTorchvisionFactAttribute.Script("embeddings"));
        using var vit = Model();
        SetFormulaEmbedding(vit);
        vit.Resampling = PositionEmbeddingResampling.Torchvision;
        foreach (var (key, rows, cols) in new[] { ("160", 5, 5), ("288", 9, 9), ("5x9", 5, 9) })
            Assert.InRange(MaxAbsDifference(Embedding(vit, rows, cols), expected[key]), 0, 1e-5);
    }

    [DebianTorchvisionFact]
    public void Torchvision_resampling_gives_debians_torchvision_logits_at_160_and_288_px()
    {
        const int hidden = 16;
        using var vit = Model(hidden);
        var state = new Dictionary<string, object>();
        using (no_grad())
        {
            // torchvision zero-initialises the head; random weights everywhere make the logits informative
            foreach (var (name, p) in vit.named_parameters()) p.normal_(0, 0.3);
            foreach (var (name, t) in vit.state_dict())
                state[name] = new { shape = t.shape, data = t.data<float>().ToArray() };
        }
        using var dir = new TempDir();
        var path = dir["state.json"];
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            geometry = new { patch_size = Patch, num_layers = 1, num_heads = 2, hidden_dim = hidden, mlp_dim = 4 * hidden, num_classes = 5 },
            state,
        }));
        var expected = ReadJson(DebianTorchvisionFactAttribute.Script("logits", path));

        vit.Resampling = PositionEmbeddingResampling.Torchvision;
        vit.eval();
        var footprintsGap = 0.0;
        foreach (var size in new[] { 160, 288 })
        {
            using var _ = no_grad();
            using var x = FormulaImage(size);
            using var logits = vit.call(x);
            var reference = expected[size.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            var scale = reference.Max(v => Math.Abs(v));
            Assert.InRange(MaxAbsDifference(logits.data<float>().ToArray(), reference) / scale, 0, 1e-5);
            vit.Resampling = PositionEmbeddingResampling.PatchFootprints;
            using var other = vit.call(x);
            footprintsGap = Math.Max(footprintsGap, MaxAbsDifference(other.data<float>().ToArray(), reference) / scale);
            vit.Resampling = PositionEmbeddingResampling.Torchvision;
        }
        Assert.True(footprintsGap > 1e-4, $"align_corners = false should move the logits; relative gap {footprintsGap}");
    }

    /// <summary>The script's image(): sin(0.05 i) over the flattened [1, 3, size, size] tensor.</summary>
    static Tensor FormulaImage(int size)
    {
        var values = new float[3 * size * size];
        for (var i = 0; i < values.Length; i++) values[i] = (float)Math.Sin(0.05 * i);
        return tensor(values, [1, 3, size, size]);
    }
}

/// <summary>A test that runs vit_position_embeddings.py under Debian's Python; skipped, with the reason, where it has no torchvision.</summary>
public sealed class DebianTorchvisionFactAttribute : FactAttribute
{
    const string Python = "/usr/bin/python3";
    static readonly Lazy<bool> Available = new(() =>
    {
        if (!File.Exists(Python)) return false;
        var (code, _, _) = TestSupport.Run(new ProcessStartInfo(Python, ["-c", "import torchvision.models.vision_transformer"])
        { RedirectStandardOutput = true, RedirectStandardError = true });
        return code == 0;
    });

    public DebianTorchvisionFactAttribute()
    {
        if (!Available.Value) Skip = $"{Python} with torchvision (Debian's python3-torchvision) is not installed";
    }

    /// <summary>The script's standard output for <paramref name="args"/>; its error output when it fails.</summary>
    public static string Script(params string[] args)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Fixtures", "vit_position_embeddings.py");
        var (code, output, error) = TestSupport.Run(new ProcessStartInfo(Python, [script, .. args])
        { RedirectStandardOutput = true, RedirectStandardError = true });
        if (code != 0) throw new InvalidOperationException($"{script} {string.Join(' ', args)} failed ({code}): {error.Trim()}");
        return output;
    }
}
