using Repro.Config;
using Repro.Data.Synthetic;
using Repro.Measurement.Alignment.Evaluation;
using Repro.Measurement.Alignment.Metrics;
using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement.Alignment;

[Trait("Category", TestCategories.Unit)]
public class OodEvaluatorTests
{
    [Fact]
    public void Batched_evaluation_gives_the_same_decisions_as_one_image_at_a_time()
    {
        manual_seed(3);
        using var model = ModelZoo.Create(new ModelConfig { Architecture = "resnet18", Width = 0.25 }, 4);
        var rule = new ArgmaxDecision(ShapeClasses.Names.Take(4).ToArray());
        var images = NonParametricStimuli.Generate("silhouette", classes: 4, perClass: 2, size: 40, seed: 5)
            .Select(s => new OodImage($"{s.Dataset}-{s.ShapeName}-{s.Index}", "silhouette", s.ShapeName, s.Image))
            .ToList();

        var batched = new OodEvaluator(model, rule, CPU, resizeSize: 36, cropSize: 32, batchSize: 3).Evaluate(images);
        var single = new OodEvaluator(model, rule, CPU, resizeSize: 36, cropSize: 32, batchSize: 1).Evaluate(images);

        Assert.Equal(images.Count, batched.Count);
        Assert.Equal(images.Select(i => (i.ImageId, i.Category)), batched.Select(d => (d.ImageId, d.Category)));
        Assert.All(batched, d => Assert.Contains(d.Response, rule.Categories));
        Assert.Equal(single.Select(d => d.Response), batched.Select(d => d.Response));
        Assert.InRange(Top1Accuracy.Of(batched), 0.0, 1.0);
    }

    [Fact]
    public void Argmax_decision_rejects_a_model_with_other_classes()
    {
        using var logits = zeros(2, 5);
        var e = Assert.Throws<ArgumentException>(() => new ArgmaxDecision(["a", "b", "c"]).Decide(logits));
        Assert.Contains("5 outputs", e.Message);
        using var chosen = tensor(new float[] { 0, 3, 1, 2, 0, 0 }, [2, 3]);
        Assert.Equal([1L, 0L], new ArgmaxDecision(["a", "b", "c"]).Decide(chosen));
    }
}
