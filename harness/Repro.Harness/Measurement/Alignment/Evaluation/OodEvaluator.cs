using Repro.Data;
using Repro.Data.ModelVsHuman;
using Repro.Measurement.Alignment.Metrics;
using static TorchSharp.torch;

namespace Repro.Measurement.Alignment.Evaluation;

/// <summary>
/// Turns a classifier's logits into category decisions. The benchmark's rule for ImageNet models (mean softmax
/// probability of the ImageNet classes mapped to each of its 16 categories) implements this beside the dataset
/// loader; <see cref="ArgmaxDecision"/> is the rule for models whose classes are the categories.
/// </summary>
public interface IDecisionRule
{
    IReadOnlyList<string> Categories { get; }

    /// <summary>One category index per row of <paramref name="logits"/> [batch, classes].</summary>
    long[] Decide(Tensor logits);
}

/// <summary>Models trained on the categories themselves: the decision is the top-1 class.</summary>
public sealed class ArgmaxDecision(IReadOnlyList<string> categories) : IDecisionRule
{
    public IReadOnlyList<string> Categories { get; } = categories;

    public long[] Decide(Tensor logits)
    {
        if (logits.shape[1] != Categories.Count)
            throw new ArgumentException($"model has {logits.shape[1]} outputs but there are {Categories.Count} categories");
        return logits.argmax(1).data<long>().ToArray();
    }
}

/// <summary>
/// ImageNet-1k models on the benchmark's 16 categories: mean softmax probability of each category's ImageNet classes,
/// highest wins (<see cref="SixteenClassDecision"/>).
/// </summary>
public sealed class ImageNetSixteenClassDecision : IDecisionRule
{
    public IReadOnlyList<string> Categories => ModelVsHumanCategories.Names;

    public long[] Decide(Tensor logits)
    {
        if (logits.shape[1] != SixteenClassDecision.ImageNetClasses)
            throw new ArgumentException($"model has {logits.shape[1]} outputs; the 16-category rule needs {SixteenClassDecision.ImageNetClasses} ImageNet classes");
        var values = logits.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        var classes = (int)logits.shape[1];
        return Enumerable.Range(0, (int)logits.shape[0])
            .Select(row => (long)SixteenClassDecision.DecideFromLogits(values.AsSpan(row * classes, classes)))
            .ToArray();
    }
}

/// <summary>An out-of-distribution test image with its trial identity.</summary>
public sealed record OodImage(string ImageId, string Condition, string Category, RgbImage Image);

/// <summary>
/// Evaluates a classifier on OOD images in batches: eval transform (resize shorter side, centre crop, ImageNet
/// normalisation, as model-vs-human's PyTorch wrapper), forward pass in eval mode without gradients, decision rule.
/// Runs torch on the calling thread.
/// </summary>
public sealed class OodEvaluator(nn.Module<Tensor, Tensor> model, IDecisionRule rule, Device device,
    int resizeSize, int cropSize, int batchSize)
{
    public IReadOnlyList<Decision> Evaluate(IReadOnlyList<OodImage> images)
    {
        if (batchSize < 1) throw new ArgumentException($"batch size must be at least 1, got {batchSize}");
        model.eval();
        using var _ = no_grad();
        var decisions = new List<Decision>(images.Count);
        for (var start = 0; start < images.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = images.Skip(start).Take(batchSize).ToList();
            var x = stack(batch.Select(i => ImageTransforms.Eval(i.Image, resizeSize, cropSize)).ToArray()).to(device);
            var chosen = rule.Decide(model.call(x).cpu());
            for (var i = 0; i < batch.Count; i++)
                decisions.Add(new Decision(batch[i].ImageId, batch[i].Condition, batch[i].Category, rule.Categories[(int)chosen[i]]));
        }
        return decisions;
    }
}
