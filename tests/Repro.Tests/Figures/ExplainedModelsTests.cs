using Repro.Config;
using Repro.Figures;

namespace Repro.Tests.Figures;

/// <summary>Experiment 1 explains the paper's ResNets and ViTs; a profile that also trains Swin-V2-T for the other figures runs it without Swin.</summary>
[Trait("Category", TestCategories.Unit)]
public class ExplainedModelsTests
{
    [Theory]
    [InlineData("resnet18", true)]
    [InlineData("resnet50", true)]
    [InlineData("vit_b_32", true)]
    [InlineData("swin_v2_t", false)]
    public void Interpretability_explains_resnets_and_vits_and_says_when_it_skips_a_model(string architecture, bool explained)
    {
        var log = new List<string>();
        Assert.Equal(explained, InterpretabilityFigure.Explains(new ModelConfig { Architecture = architecture }, log.Add));
        if (explained) Assert.Empty(log);
        else Assert.Equal($"  {architecture}: skipped (the paper explains ResNets and ViTs only)", Assert.Single(log));
    }
}
