using Repro.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Models;

/// <summary>
/// TorchSharp's BatchNorm2d, op for op, except that the training-mode step count is incremented with a
/// cached Scalar: TorchSharp's own forward adds a temporary Scalar(1), which a collection on another thread
/// can free while libtorch reads it (see <see cref="Scalars"/>). Same parameters, buffers and names.
/// </summary>
public sealed class CachedScalarBatchNorm2d(long features, double eps = 1e-05, double momentum = 0.1, bool affine = true,
    bool trackRunningStats = true) : BatchNorm(features, eps, momentum, affine, trackRunningStats, null, null, "BatchNorm2d")
{
    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input, but got {input.ndim}D input.");
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        var averagingFactor = momentum ?? 0.0;
        if (training && track_running_stats && num_batches_tracked is { } tracked)
        {
            tracked.add_(Scalars.One, Scalars.One);
            averagingFactor = momentum ?? 1.0 / tracked.item<long>();
        }
        var useBatchStats = training || (running_mean is null && running_var is null);
        var useRunningStats = !training || track_running_stats;
        return nn.functional.batch_norm(input, useRunningStats ? running_mean : null, useRunningStats ? running_var : null,
            weight, bias, useBatchStats, averagingFactor, eps);
    }
}
