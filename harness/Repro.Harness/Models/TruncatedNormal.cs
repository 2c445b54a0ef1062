using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Models;

/// <summary>
/// torch.nn.init.trunc_normal_ (inverse-CDF sampling, cut at absolute bounds a and b). TorchSharp 0.107's
/// init.trunc_normal_ fills the tensor with the constant std instead of sampling, so models use this one.
/// </summary>
static class TruncatedNormal
{
    public static void Fill(Tensor tensor, double std, double mean = 0, double a = -2, double b = 2)
    {
        using var _ = no_grad();
        var lower = NormalCdf((a - mean) / std);
        var upper = NormalCdf((b - mean) / std);
        tensor.uniform_(2 * lower - 1, 2 * upper - 1).erfinv_().mul_(Scalars.Of(std * Math.Sqrt(2))).add_(Scalars.Of(mean), Scalars.One)
            .clamp_(Scalars.Of(a), Scalars.Of(b));
    }

    static double NormalCdf(double x) => (1 + Erf(x / Math.Sqrt(2))) / 2;

    // Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): only sets the sampling bounds, far in the tails for std ≪ 2.
    static double Erf(double x)
    {
        var t = 1 / (1 + 0.3275911 * Math.Abs(x));
        var y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return Math.Sign(x) * y;
    }
}
