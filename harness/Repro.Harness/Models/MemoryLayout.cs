using static TorchSharp.torch;

namespace Repro.Models;

/// <summary>
/// Channels-last (NHWC) layout made by strides: TorchSharp 0.107 has no memory-format argument, but cuDNN
/// picks its NHWC kernels from the strides alone, and in-place updates (SGD, masks) keep them.
/// </summary>
public static class MemoryLayout
{
    /// <summary>The same values as <paramref name="nchw"/> with NHWC strides (a copy unless already so).</summary>
    public static Tensor ChannelsLast(Tensor nchw) =>
        nchw.dim() == 4 && !IsChannelsLast(nchw) ? nchw.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : nchw;

    /// <summary>NHWC strides, ignoring the strides of size-1 dimensions as libtorch does.</summary>
    public static bool IsChannelsLast(Tensor t)
    {
        if (t.dim() != 4) return false;
        var (shape, stride) = (t.shape, t.stride());
        long c = shape[1], h = shape[2], w = shape[3];
        return (c == 1 || stride[1] == 1) && (w == 1 || stride[3] == c) && (h == 1 || stride[2] == w * c)
               && (shape[0] == 1 || stride[0] == h * w * c);
    }

    /// <summary>Re-lays every 4-D parameter of <paramref name="model"/> out channels-last, in place.</summary>
    public static void ToChannelsLast(nn.Module model) => Relayout(model, p => !IsChannelsLast(p), ChannelsLast);

    /// <summary>Back to the default layout, which the checkpoint writer expects.</summary>
    public static void ToContiguous(nn.Module model) => Relayout(model, p => !p.is_contiguous(), p => p.contiguous());

    static void Relayout(nn.Module model, Func<Tensor, bool> needed, Func<Tensor, Tensor> relayout)
    {
        using var _ = no_grad();
        // The parameter objects stay the same (set_), so optimizers and masks holding them stay valid.
        foreach (var p in model.parameters())
            if (p.dim() == 4 && needed(p))
            {
                using var relaid = relayout(p);
                p.set_(relaid);
            }
    }
}
