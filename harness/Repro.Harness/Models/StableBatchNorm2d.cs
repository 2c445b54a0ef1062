using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Models;

/// <summary>
/// BatchNorm2d with torch's parameter and buffer names (weight, bias, running_mean, running_var,
/// num_batches_tracked). TorchSharp's own module increments num_batches_tracked with a temporary Scalar
/// that the GC may finalize while libtorch still reads it; under allocation pressure this crashed
/// training ("Expected false to be true ... toLong"). This one increments with a Scalar that lives as
/// long as the process.
/// </summary>
public sealed class StableBatchNorm2d : nn.Module<Tensor, Tensor>
{
    static readonly Scalar One = 1L.ToScalar();

    readonly Parameter weight;
    readonly Parameter bias;
    readonly Tensor running_mean;
    readonly Tensor running_var;
    readonly Tensor num_batches_tracked;
    readonly double _momentum, _eps;

    public StableBatchNorm2d(long features, double momentum = 0.1, double eps = 1e-5) : base("BatchNorm2d")
    {
        weight = new Parameter(ones(features));
        bias = new Parameter(zeros(features));
        running_mean = zeros(features);
        running_var = ones(features);
        num_batches_tracked = zeros(1, dtype: ScalarType.Int64).squeeze();
        _momentum = momentum;
        _eps = eps;
        RegisterComponents();
    }

    public Parameter Weight => weight;
    public Parameter Bias => bias;

    public override Tensor forward(Tensor input)
    {
        if (training)
            using (no_grad()) num_batches_tracked.add_(One);
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, _momentum, _eps);
    }
}
