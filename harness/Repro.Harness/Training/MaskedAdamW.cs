using Repro.Pruning;
using Repro.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// torch.optim.AdamW (betas 0.9 and 0.999, eps 1e-8, no amsgrad), torch 1.13's single-tensor update op for op, that
/// keeps pruned weights at zero: gradients are masked before the update and weights after it. Each parameter has its
/// own weight decay (torchvision's parameter groups, <see cref="WeightDecayGroups"/>).
/// </summary>
public sealed class MaskedAdamW : IMaskedOptimizer
{
    public const double Beta1 = 0.9, Beta2 = 0.999, Eps = 1e-8;

    readonly PruningMasks _masks;
    readonly List<Parameter> _parameters;
    readonly double[] _weightDecay;
    readonly Tensor?[] _expAvg, _expAvgSq;
    readonly Scalar _beta1 = Beta1.ToScalar(), _beta2 = Beta2.ToScalar(), _oneMinusBeta1 = (1 - Beta1).ToScalar(),
        _oneMinusBeta2 = (1 - Beta2).ToScalar(), _eps = Eps.ToScalar();
    double _lr;
    long _step;

    /// <param name="weightDecay">The weight decay of each of <paramref name="parameters"/>, in the same order.</param>
    public MaskedAdamW(IReadOnlyList<Parameter> parameters, IReadOnlyList<double> weightDecay, PruningMasks masks, double lr)
    {
        if (parameters.Count != weightDecay.Count)
            throw new ArgumentException($"{parameters.Count} parameters but {weightDecay.Count} weight decays");
        _masks = masks;
        _parameters = [.. parameters];
        _weightDecay = [.. weightDecay];
        _expAvg = new Tensor?[_parameters.Count];
        _expAvgSq = new Tensor?[_parameters.Count];
        _lr = lr;
    }

    public double LearningRate { set => _lr = value; }

    public void ZeroGrad() => IMaskedOptimizer.ZeroGradients(_parameters);

    public void Step()
    {
        _masks.ApplyToGradients();
        // Every parameter with a gradient has taken the same number of steps (torch counts per parameter; here none skips).
        _step++;
        var biasCorrection1 = 1 - Math.Pow(Beta1, _step);
        var biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, _step));
        using var negativeStepSize = (-(_lr / biasCorrection1)).ToScalar();
        using var correction2 = biasCorrection2Sqrt.ToScalar();
        using (no_grad())
        using (NewDisposeScope())
            for (var i = 0; i < _parameters.Count; i++)
            {
                var p = _parameters[i];
                var grad = p.grad;
                if (grad is null) continue;
                using (var decay = (1 - _lr * _weightDecay[i]).ToScalar()) p.mul_(decay);
                var expAvg = _expAvg[i] ??= zeros_like(p).DetachFromDisposeScope();
                var expAvgSq = _expAvgSq[i] ??= zeros_like(p).DetachFromDisposeScope();
                expAvg.mul_(_beta1).add_(grad, _oneMinusBeta1);
                expAvgSq.mul_(_beta2).addcmul_(grad, grad, _oneMinusBeta2);
                var denominator = expAvgSq.sqrt().div_(correction2).add_(_eps, Scalars.One);
                p.addcdiv_(expAvg, denominator, negativeStepSize);
            }
        _masks.ApplyToWeights();
    }

    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_step);
        IMaskedOptimizer.WriteTensors(writer, _expAvg);
        IMaskedOptimizer.WriteTensors(writer, _expAvgSq);
    }

    public void LoadState(BinaryReader reader)
    {
        _step = reader.ReadInt64();
        IMaskedOptimizer.ReadTensors(reader, _expAvg, _parameters[0].device);
        IMaskedOptimizer.ReadTensors(reader, _expAvgSq, _parameters[0].device);
    }

    public void Dispose()
    {
        foreach (var t in _expAvg.Concat(_expAvgSq)) t?.Dispose();
        foreach (var s in new[] { _beta1, _beta2, _oneMinusBeta1, _oneMinusBeta2, _eps }) s.Dispose();
    }
}
