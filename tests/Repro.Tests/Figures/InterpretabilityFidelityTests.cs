using Repro.Config;
using Repro.Figures;
using Repro.Measurement.Attribution;
using Repro.Models;
using Repro.Tests.Measurement;
using static TorchSharp.torch;

namespace Repro.Tests.Figures;

/// <summary>How the fidelity modes of experiment 1 reach the reports: deviation lines and the heatmap cells' names.</summary>
[Collection(SerialTorch.Name)]
[Trait("Category", TestCategories.Unit)]
public class InterpretabilityFidelityTests
{
    static readonly string[] Items = ["RRA ties: ", "all-zero heatmap: ", "Guided Grad-CAM: ", "ground-truth threshold: "];

    [Fact]
    public void Paper_lists_only_what_it_does_not_reproduce_and_corrected_every_item_with_its_reason()
    {
        var paper = InterpretabilityInputs.ArithmeticDeviations(Fidelity.Paper).ToList();
        var corrected = InterpretabilityInputs.ArithmeticDeviations(Fidelity.Corrected).ToList();
        Assert.Equal(InterpretabilityInputs.NotReproduced, paper);
        var correctedItems = corrected.Except(InterpretabilityInputs.NotReproduced).ToList();
        Assert.Equal(Items, correctedItems.Select(line => line[..(line.IndexOf(':') + 2)]));
        Assert.All(correctedItems, line => Assert.Contains(": corrected ", line));
        Assert.Equal(correctedItems.Select(c => c + " (series '/corrected')").Concat(InterpretabilityInputs.NotReproduced),
            InterpretabilityInputs.ArithmeticDeviations(Fidelity.Both));
    }

    [Fact]
    public void The_report_deviations_carry_the_profiles_mode_items()
    {
        var profile = TestSupport.TinyProfile();
        profile.Fidelity = Fidelity.Corrected;
        var deviations = InterpretabilityInputs.Deviations(profile, null).ToList();
        Assert.Subset(deviations.ToHashSet(), InterpretabilityInputs.ArithmeticDeviations(Fidelity.Corrected).ToHashSet());
        Assert.DoesNotContain(deviations, d => d.Contains(": paper "));
    }

    [Theory]
    [InlineData(new[] { Fidelity.Paper }, PositionEmbeddingResampling.Torchvision)]
    [InlineData(new[] { Fidelity.Paper, Fidelity.Corrected }, PositionEmbeddingResampling.Torchvision)]
    [InlineData(new[] { Fidelity.Corrected }, PositionEmbeddingResampling.PatchFootprints)]
    public void A_vits_position_embeddings_are_resampled_as_the_fidelity_says(Fidelity[] fidelities, PositionEmbeddingResampling expected)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        using var vit = new VisionTransformer("vit_tiny", imageSize: 16, patchSize: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, mlpDim: 32, numClasses: 3);
        vit.Resampling = expected == PositionEmbeddingResampling.Torchvision ? PositionEmbeddingResampling.PatchFootprints : PositionEmbeddingResampling.Torchvision;
        var methods = InterpretabilityInputs.Methods(vit, new ModelConfig { Architecture = "vit_b_32" }, new AttributionSettings(), seed: 1, fidelities);
        Assert.Equal(expected, vit.Resampling);
        foreach (var m in methods) m.Dispose();
    }

    [Theory]
    [InlineData(Fidelity.Corrected, true)]
    [InlineData(Fidelity.Paper, false)]
    [InlineData(Fidelity.Both, false)]
    public void Only_corrected_lists_the_vits_embedding_resampling(Fidelity fidelity, bool listed)
    {
        var profile = TestSupport.TinyProfile();
        profile.Fidelity = fidelity;
        profile.Models = [new ModelConfig { Architecture = "vit_b_32", Width = 0.125 }];
        Assert.Equal(listed, InterpretabilityInputs.Deviations(profile, null).Contains(ObjectDiscoveryFigure.VitResamplingDeviation));
    }

    [Fact]
    public void Under_both_modes_each_Guided_Grad_CAM_variant_gets_its_own_cells()
    {
        using var scope = NewDisposeScope();
        var model = TorchTestSupport.SmallResNet();
        Fidelity[] both = [Fidelity.Paper, Fidelity.Corrected];
        var methods = HeatmapMethod.ForResNet(model, seed: 1, fidelities: both);
        Assert.Equal(["grad-cam", "guided-grad-cam-paper", "guided-grad-cam-corrected", "ig-smoothgrad"],
            methods.Select(m => HeatmapsFigure.CellMethod(m, both)));
        var paperOnly = HeatmapMethod.ForResNet(model, seed: 1, fidelities: [Fidelity.Paper]);
        Assert.Equal(["grad-cam", "guided-grad-cam", "ig-smoothgrad"], paperOnly.Select(m => HeatmapsFigure.CellMethod(m, [Fidelity.Paper])));
        foreach (var m in methods.Concat(paperOnly)) m.Dispose();
    }
}
