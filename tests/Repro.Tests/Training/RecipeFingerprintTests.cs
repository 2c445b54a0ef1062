using Repro.Config;
using Repro.Data.Synthetic;
using Repro.Figures;
using Repro.Training;
using TorchSharp;

namespace Repro.Tests.Training;

[Trait("Category", TestCategories.Unit)]
public class RecipeFingerprintTests
{
    static string Fingerprint(Profile p, ModelConfig m, string convolutions = "onednn") =>
        Trajectory.Fingerprint(p, m, "synthetic-" + SyntheticClassificationData.Fingerprint(p.Data.Synthetic!, p.DataSeed),
            DeviceType.CPU, 2, convolutions);

    [Theory]
    // The ci checkpoints at 2 threads, with oneDNN (the directory name .cache/checkpoints/ci/resnet18-w0.25-b26446e037 the
    // code before the recipe keys gave) and native convolutions: recipe keys at their defaults must not move them.
    [InlineData("onednn", "b26446e037")]
    [InlineData("native", "d067d0d677")]
    public void The_ci_profiles_fingerprint_is_unchanged_by_the_recipe_keys_at_their_defaults(string convolutions, string expected)
    {
        var p = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        var m = p.Models.Single();
        Assert.Equal(expected, Fingerprint(p, m, convolutions));
        // The same recipe written as the model's own schedule is the same training.
        m.Schedule = ProfileLoader.Parse(ProfileLoader.Write(p), "ci written back").Schedule;
        Assert.Equal(expected, Fingerprint(p, m, convolutions));
    }

    [Fact]
    public void A_recipe_key_away_from_its_default_changes_the_fingerprint()
    {
        var p = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        var m = p.Models.Single();
        var before = Fingerprint(p, m);
        var seen = new HashSet<string> { before };
        foreach (var change in new Action<ScheduleConfig>[]
                 {
                     s => s.Optimizer = OptimizerKind.Adamw, s => s.WarmupEpochs = 1, s => s.LabelSmoothing = 0.1,
                     s => s.MixupAlpha = 0.2, s => s.ClipGradNorm = 1, s => s.NormWeightDecay = 0, s => s.ModelEma = true,
                 })
        {
            var q = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
            change(q.Schedule);
            Assert.True(seen.Add(Fingerprint(q, q.Models.Single())), "two recipes share a fingerprint");
        }
        // A model's own schedule is what its fingerprint reads.
        var own = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        own.Models[0].Schedule = ProfileLoader.Parse(ProfileLoader.Write(own), "ci").Schedule;
        own.Models[0].Schedule!.LabelSmoothing = 0.1;
        Assert.NotEqual(before, Fingerprint(own, own.Models[0]));
    }
}
