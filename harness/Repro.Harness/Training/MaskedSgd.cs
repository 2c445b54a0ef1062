using Repro.Models;
using Repro.Pruning;
using Repro.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>An optimizer that keeps pruned weights at zero (<see cref="IMaskedSgd"/>, <see cref="MaskedAdamW"/>).</summary>
public interface IMaskedOptimizer : IDisposable
{
    double LearningRate { set; }
    void ZeroGrad();

    /// <summary>Zeroes each parameter's gradient in place, releasing the handle <c>grad</c> returns.</summary>
    static void ZeroGradients(IEnumerable<Tensor> parameters)
    {
        foreach (var p in parameters)
        {
            using var grad = p.grad;
            grad?.zero_();
        }
    }
    /// <summary>Masks the gradients, updates, masks the weights.</summary>
    void Step();

    /// <summary>Writes what a resumed run continues from: momentum buffers, moments, step count.</summary>
    void SaveState(BinaryWriter writer);

    /// <summary>Reads what <see cref="SaveState"/> wrote into this optimizer, made for the same model and masks.</summary>
    void LoadState(BinaryReader reader);

    /// <summary>A list of optional tensors: its count, then for each whether it exists and its values.</summary>
    static void WriteTensors(BinaryWriter writer, IReadOnlyList<Tensor?> tensors)
    {
        writer.Write(tensors.Count);
        foreach (var t in tensors)
        {
            writer.Write(t is not null);
            if (t is null) continue;
            // In a scope: cpu() makes a copy off the CPU (disposed here) and returns the tensor itself on it (kept).
            using var scope = NewDisposeScope();
            t.cpu().contiguous().Save(writer);
        }
    }

    /// <summary>Reads what <see cref="WriteTensors"/> wrote into <paramref name="into"/> (same count), each on <paramref name="device"/>.</summary>
    static void ReadTensors(BinaryReader reader, Tensor?[] into, Device device)
    {
        var count = reader.ReadInt32();
        if (count != into.Length)
            throw new InvalidDataException($"optimizer state for {count} tensors, but this optimizer has {into.Length}");
        for (var i = 0; i < count; i++)
        {
            var present = reader.ReadBoolean();
            into[i]?.Dispose();
            into[i] = null;
            if (!present) continue;
            var host = TensorExtensionMethods.Load(reader);
            into[i] = device.type == DeviceType.CPU ? host : Moved(host, device);
        }
    }

    static Tensor Moved(Tensor host, Device device)
    {
        using (host) return host.to(device).DetachFromDisposeScope();
    }
}

/// <summary>
/// SGD with momentum and weight decay that keeps pruned weights at zero: gradients are masked before the
/// update and weights after it. torch.optim.SGD's update, op for op, with dampening 0 and no Nesterov.
/// </summary>
public interface IMaskedSgd : IMaskedOptimizer
{
    static IMaskedSgd Create(nn.Module model, PruningMasks masks, double lr, double momentum, double weightDecay, bool flat) =>
        flat ? new FlatMaskedSgd(model.parameters(), masks, lr, momentum, weightDecay)
             : new PerParameterMaskedSgd(model, masks, lr, momentum, weightDecay);
}

/// <summary>
/// TorchSharp's SGD step, op for op (one parameter at a time, four kernels each), plus one mask kernel per
/// pruned tensor. Written out because TorchSharp's own step converts lr, momentum and weight decay to
/// temporary Scalars, which a collection on another thread can free mid-call (see <see cref="Scalars"/>).
/// </summary>
public sealed class PerParameterMaskedSgd : IMaskedSgd
{
    readonly PruningMasks _masks;
    readonly List<Parameter> _parameters;
    readonly Tensor?[] _buffers;
    readonly SgdScalars _h;
    readonly Scalar _oneMinusDampening = 1.0.ToScalar();
    /// <summary>Each parameter's weight decay; null where it is 0 (no decay term).</summary>
    readonly Scalar?[] _decay;
    readonly List<Scalar> _groupDecays = [];

    /// <param name="weightDecays">Each parameter's weight decay in model.parameters() order (torchvision's parameter
    /// groups, <see cref="WeightDecayGroups"/>); null: <paramref name="weightDecay"/> for all.</param>
    public PerParameterMaskedSgd(nn.Module model, PruningMasks masks, double lr, double momentum, double weightDecay,
        IReadOnlyList<double>? weightDecays = null)
    {
        _masks = masks;
        _parameters = model.parameters().ToList();
        _buffers = new Tensor?[_parameters.Count];
        _h = new SgdScalars(lr, momentum, weightDecay);
        _decay = new Scalar?[_parameters.Count];
        for (var i = 0; i < _parameters.Count; i++)
        {
            var decay = weightDecays?[i] ?? weightDecay;
            if (decay == 0) continue;
            if (decay == weightDecay) _decay[i] = _h.WeightDecayScalar;
            else
            {
                var groupDecay = decay.ToScalar();
                _groupDecays.Add(groupDecay);
                _decay[i] = groupDecay;
            }
        }
    }

    public double LearningRate { set => _h.SetLearningRate(value); }

    public void ZeroGrad() => IMaskedOptimizer.ZeroGradients(_parameters);

    public void Step()
    {
        _masks.ApplyToGradients();
        using (no_grad())
        using (NewDisposeScope())
            for (var i = 0; i < _parameters.Count; i++)
            {
                var p = _parameters[i];
                var grad = p.grad;
                if (grad is null) continue;
                if (_decay[i] is { } decay) grad = grad.add(p, decay);
                if (_h.Momentum != 0)
                {
                    if (_buffers[i] is not { } buffer) _buffers[i] = buffer = grad.clone().detach().DetachFromDisposeScope();
                    else buffer.mul_(_h.MomentumScalar).add_(grad, _oneMinusDampening);
                    grad = buffer;
                }
                p.add_(grad, _h.NegativeLr);
            }
        _masks.ApplyToWeights();
    }

    public void SaveState(BinaryWriter writer) => IMaskedOptimizer.WriteTensors(writer, _buffers);

    public void LoadState(BinaryReader reader) => IMaskedOptimizer.ReadTensors(reader, _buffers, _parameters[0].device);

    public void Dispose()
    {
        foreach (var buffer in _buffers) buffer?.Dispose();
        foreach (var decay in _groupDecays) decay.Dispose();
        _h.Dispose();
        _oneMinusDampening.Dispose();
    }
}

/// <summary>
/// The same update over all parameters at once: the parameters become views into one flat buffer (in each
/// one's memory order, so channels-last weights stay so), the gradients are gathered into one flat tensor,
/// and masking, weight decay, momentum and the update are a handful of whole-buffer kernels per step
/// instead of several per parameter. What PyTorch's multi-tensor ("foreach") SGD buys on a GPU.
/// </summary>
public sealed class FlatMaskedSgd : IMaskedSgd
{
    readonly List<Parameter> _parameters;
    readonly Tensor _flat;
    readonly Tensor _mask;
    readonly SgdScalars _h;
    Tensor? _buffer;

    public FlatMaskedSgd(IEnumerable<Parameter> parameters, PruningMasks masks, double lr, double momentum, double weightDecay)
    {
        _parameters = parameters.Where(p => p.requires_grad).ToList();
        _h = new SgdScalars(lr, momentum, weightDecay);
        var first = _parameters[0];
        var total = _parameters.Sum(p => p.numel());
        _flat = empty(total, dtype: first.dtype, device: first.device).DetachFromDisposeScope();
        _mask = ones(total, dtype: first.dtype, device: first.device).DetachFromDisposeScope();
        var maskOf = masks.Weights.ToDictionary(kv => kv.Value.Handle, kv => masks.Masks[kv.Key]);
        using var _ = no_grad();
        long offset = 0;
        foreach (var p in _parameters)
        {
            var n = p.numel();
            using var view = InMemoryOrder(_flat.narrow(0, offset, n), p);
            view.copy_(p);
            p.set_(view);
            if (maskOf.TryGetValue(p.Handle, out var mask))
                using (var flatMask = MemoryOrderFlatten(mask, p)) _mask.narrow(0, offset, n).copy_(flatMask);
            offset += n;
        }
    }

    public double LearningRate { set => _h.SetLearningRate(value); }

    /// <summary>Gradients are dropped, not zeroed (PyTorch's set_to_none): backward allocates them afresh.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad = null;
    }

    public void Step()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var grad = cat(_parameters.Select(p => p.grad is { } g ? MemoryOrderFlatten(g, p) : zeros(p.numel(), p.dtype, p.device)).ToArray());
        grad.mul_(_mask);
        if (_h.WeightDecay != 0) grad.add_(_flat, _h.WeightDecayScalar);
        if (_h.Momentum != 0)
        {
            if (_buffer is null) _buffer = grad.clone().DetachFromDisposeScope();
            else _buffer.mul_(_h.MomentumScalar).add_(grad, Scalars.One);
            grad = _buffer;
        }
        _flat.add_(grad, _h.NegativeLr);
        _flat.mul_(_mask);
    }

    /// <summary>Stored NHWC; a tensor that is both NHWC and contiguous (1×1 maps) counts as contiguous.</summary>
    static bool StoredChannelsLast(Tensor t) => MemoryLayout.IsChannelsLast(t) && !t.is_contiguous();

    /// <summary>A view of <paramref name="flat"/> with <paramref name="like"/>'s shape and memory order.</summary>
    static Tensor InMemoryOrder(Tensor flat, Tensor like) =>
        StoredChannelsLast(like)
            ? flat.view(like.shape[0], like.shape[2], like.shape[3], like.shape[1]).permute(0, 3, 1, 2)
            : flat.view(like.shape);

    /// <summary><paramref name="t"/>'s values in the memory order of <paramref name="layoutOf"/>, as one vector.</summary>
    static Tensor MemoryOrderFlatten(Tensor t, Tensor layoutOf) =>
        StoredChannelsLast(layoutOf) ? t.permute(0, 2, 3, 1).reshape(-1) : t.reshape(-1);

    public void SaveState(BinaryWriter writer) => IMaskedOptimizer.WriteTensors(writer, [_buffer]);

    public void LoadState(BinaryReader reader)
    {
        var buffer = new[] { _buffer };
        IMaskedOptimizer.ReadTensors(reader, buffer, _flat.device);
        _buffer = buffer[0];
    }

    public void Dispose()
    {
        _buffer?.Dispose();
        _h.Dispose();
        _mask.Dispose();
        _flat.Dispose(); // the parameters keep the storage alive
    }
}

/// <summary>
/// An optimizer's momentum, weight decay and −lr as Scalars held for its lifetime: never temporaries, which a
/// collection on another thread could free while libtorch reads them (see <see cref="Scalars"/>).
/// </summary>
sealed class SgdScalars : IDisposable
{
    public readonly double Momentum, WeightDecay;
    public readonly Scalar MomentumScalar, WeightDecayScalar;
    public Scalar NegativeLr;

    public SgdScalars(double lr, double momentum, double weightDecay)
    {
        (Momentum, WeightDecay) = (momentum, weightDecay);
        MomentumScalar = momentum.ToScalar();
        WeightDecayScalar = weightDecay.ToScalar();
        NegativeLr = (-lr).ToScalar();
    }

    public void SetLearningRate(double lr)
    {
        var previous = NegativeLr;
        NegativeLr = (-lr).ToScalar();
        previous.Dispose();
    }

    public void Dispose()
    {
        MomentumScalar.Dispose();
        WeightDecayScalar.Dispose();
        NegativeLr.Dispose();
    }
}
