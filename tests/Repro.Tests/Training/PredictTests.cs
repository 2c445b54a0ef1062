using Repro.Models;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

[Trait("Category", TestCategories.Integration)]
public class PredictTests
{
    [Fact]
    public void Evaluate_is_the_share_of_predictions_equal_to_the_labels()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile();
        profile.Data.EvalBatchSize = 5; // a short last batch too
        var context = TestSupport.Context(profile, tmp.Path);
        var loader = context.Data.ValLoader(profile);
        manual_seed(3);
        using var net = ModelZoo.Create(profile.Models[0], context.Data.NumClasses, profile.Data.ImageSize);

        var predicted = Trainer.Predict(net, loader, CPU);
        var labels = loader.Labels;

        Assert.Equal(loader.Count, predicted.Length);
        Assert.Equal(loader.Count, labels.Length);
        Assert.All(predicted, c => Assert.InRange(c, 0, context.Data.NumClasses - 1));
        Assert.Equal(loader.Batches().SelectMany(b => { using (b) return b.Labels.data<long>().ToArray(); }), labels);
        var mean = predicted.Zip(labels).Count(x => x.First == x.Second) / (double)predicted.Length;
        Assert.Equal(mean, Trainer.Evaluate(net, loader, CPU));
    }
}
