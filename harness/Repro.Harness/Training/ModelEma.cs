using Repro.Config;
using Repro.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// torchvision's ExponentialMovingAverage (references/classification/utils.py: an AveragedModel over parameters and
/// buffers) as train.py drives it: updated every model_ema_steps optimizer steps, the first update (and every update
/// during warm-up) copying the weights, the others avg ← decay·avg + (1 − decay)·weights, with decay adjusted for the
/// steps between updates: 1 − min(1, (1 − model_ema_decay) · batch_size · model_ema_steps / epochs).
/// </summary>
public sealed class ModelEma : IDisposable
{
    readonly List<Tensor> _average;
    readonly Scalar _decay, _oneMinusDecay;
    long _averaged;

    public double Decay { get; }

    public ModelEma(nn.Module model, double decay)
    {
        Decay = decay;
        _decay = decay.ToScalar();
        _oneMinusDecay = (1 - decay).ToScalar();
        using var _ = no_grad();
        _average = Tensors(model).Select(t => t.detach().clone().DetachFromDisposeScope()).ToList();
    }

    /// <summary>train.py's decay for <paramref name="s"/> on one process (world size 1): the decay per update, adjusted for model_ema_steps.</summary>
    public static double AdjustedDecay(ScheduleConfig s, int epochs)
    {
        var adjust = s.BatchSize * (double)s.ModelEmaSteps / epochs;
        return 1.0 - Math.Min(1.0, (1.0 - s.ModelEmaDecay) * adjust);
    }

    /// <summary>Parameters then buffers, the order AveragedModel(use_buffers=True) walks.</summary>
    static IEnumerable<Tensor> Tensors(nn.Module model) => model.parameters().Cast<Tensor>().Concat(model.buffers());

    /// <summary>One update_parameters call; <paramref name="restart"/> (during warm-up) makes it a copy, as resetting n_averaged does.</summary>
    public void Update(nn.Module model, bool restart = false)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var i = 0;
        foreach (var current in Tensors(model))
        {
            var average = _average[i++];
            if (_averaged == 0) average.copy_(current);
            // Integer buffers (BatchNorm's step count) are averaged in floating point and truncated back, as copy_ does in torch.
            else average.copy_(average.mul(_decay).add_(current.mul(_oneMinusDecay), Scalars.One));
        }
        _averaged = restart ? 0 : _averaged + 1;
    }

    /// <summary>Writes the averaged weights into <paramref name="model"/> (same architecture), e.g. to evaluate them.</summary>
    public void CopyTo(nn.Module model)
    {
        using var _ = no_grad();
        var i = 0;
        foreach (var t in Tensors(model)) t.copy_(_average[i++]);
    }

    /// <summary>Writes the average and its update count, for a resumed run.</summary>
    public void SaveState(BinaryWriter writer)
    {
        writer.Write(_averaged);
        IMaskedOptimizer.WriteTensors(writer, _average);
    }

    /// <summary>Reads what <see cref="SaveState"/> wrote, for the same model.</summary>
    public void LoadState(BinaryReader reader)
    {
        _averaged = reader.ReadInt64();
        var loaded = new Tensor?[_average.Count];
        IMaskedOptimizer.ReadTensors(reader, loaded, CPU);
        using var _ = no_grad();
        for (var i = 0; i < loaded.Length; i++)
            using (var t = loaded[i] ?? throw new InvalidDataException("the weights' moving average lacks a tensor"))
                _average[i].copy_(t);
    }

    public void Dispose()
    {
        foreach (var t in _average) t.Dispose();
        _decay.Dispose();
        _oneMinusDecay.Dispose();
    }
}
