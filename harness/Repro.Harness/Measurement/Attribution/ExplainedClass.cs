using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>The class an attribution explains: the caller's, or the model's own top-1 prediction (the paper's rule).</summary>
public static class ExplainedClass
{
    /// <summary>The top-1 class of every image, [B] int64.</summary>
    public static Tensor TopOne(nn.Module<Tensor, Tensor> model, Tensor input)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return model.call(input).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="target"/> checked against the batch, or the top-1 classes when null. The result is a new tensor
    /// on the input's device that the caller owns.
    /// </summary>
    public static Tensor Resolve(nn.Module<Tensor, Tensor> model, Tensor input, Tensor? target)
    {
        if (target is null) return TopOne(model, input);
        if (target.dim() != 1 || target.shape[0] != input.shape[0])
            throw new ArgumentException(
                $"target must hold one class index per image ([{input.shape[0]}]); got shape [{string.Join(",", target.shape)}]",
                nameof(target));
        return target.to(ScalarType.Int64, input.device);
    }

    /// <summary>
    /// Batch-norm statistics and dropout must not depend on the batch: interpolation steps and noisy copies share
    /// one forward pass.
    /// </summary>
    public static void RequireEvalMode(nn.Module model)
    {
        if (model.training)
            throw new InvalidOperationException(
                "the model is in training mode; call model.eval() before computing attributions " +
                "(batch statistics would mix the images of a batch)");
    }

    public static void RequireImageBatch(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException(
                $"input must be an image batch [B,C,H,W]; got shape [{string.Join(",", input.shape)}]", nameof(input));
    }

    /// <summary>Score whose gradient is each image's target logit gradient (images are independent in eval mode).</summary>
    internal static Tensor TargetScore(Tensor logits, Tensor target) => logits.gather(1, target.unsqueeze(1)).sum();
}
