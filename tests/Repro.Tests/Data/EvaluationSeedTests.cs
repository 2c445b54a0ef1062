using Repro.Data;
using Repro.Figures;

namespace Repro.Tests.Data;

/// <summary>The training seed varies the training only: the generated images and evaluation noise come from data.seed.</summary>
[Trait("Category", TestCategories.Unit)]
public class EvaluationSeedTests
{
    [Fact]
    public void Two_training_seeds_read_the_same_generated_images_and_a_data_seed_changes_them()
    {
        using var tmp = new TempDir();
        var (first, second) = (TestSupport.TinyProfile(seed: 1), TestSupport.TinyProfile(seed: 2));
        var a = ClassificationData.Open(first, tmp.Path, null, _ => { });
        var b = ClassificationData.Open(second, tmp.Path, null, _ => { });
        Assert.Equal(a.Root, b.Root);
        Assert.Equal(a.Fingerprint, b.Fingerprint);
        Assert.Equal(InterpretabilityInputs.NoiseSeed(first), InterpretabilityInputs.NoiseSeed(second));

        second.Data.Seed = 5;
        var c = ClassificationData.Open(second, tmp.Path, null, _ => { });
        Assert.NotEqual(a.Fingerprint, c.Fingerprint);
        Assert.NotEqual(InterpretabilityInputs.NoiseSeed(first), InterpretabilityInputs.NoiseSeed(second));
    }
}
