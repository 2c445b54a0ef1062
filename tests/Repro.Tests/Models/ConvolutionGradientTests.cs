using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Tests.Models;

public class ConvolutionGradientTests
{
    // Input and weight gradients of conv → conv in float32 against the same computation in float64, for the
    // shapes where libtorch's oneDNN backward went wrong (see ConvolutionBackend).
    [Theory]
    [InlineData(3, 32, 7, 3, 2)]   // ResNet stem: 3 channels, 7 × 7, padding 3
    [InlineData(8, 8, 3, 1, 8)]
    [InlineData(64, 14, 3, 1, 2)]
    public void ConvolutionGradientsMatchFloat64(int channels, int size, int kernel, int padding, int batch)
    {
        // Any model type loads the library and with it the backend switch.
        Assert.Contains("resnet18", ModelZoo.Architectures);
        var g = new Generator(42);
        var x = randn([batch, channels, size, size], generator: g);
        var w1 = randn([channels, channels, kernel, kernel], generator: g) * 0.1;
        var w2 = randn([channels, channels, 3, 3], generator: g) * 0.1;
        (Tensor Input, Tensor Weight) Gradients(ScalarType dtype)
        {
            var xi = x.to(dtype).detach().clone().requires_grad_(true);
            var wi = w1.to(dtype).detach().clone().requires_grad_(true);
            var h = nn.functional.conv2d(xi, wi, padding: [padding, padding]);
            nn.functional.conv2d(h, w2.to(dtype), padding: [1, 1]).square().sum().backward();
            return (xi.grad!.to(ScalarType.Float64), wi.grad!.to(ScalarType.Float64));
        }
        for (var repeat = 0; repeat < 3; repeat++)
        {
            var (input32, weight32) = Gradients(ScalarType.Float32);
            var (input64, weight64) = Gradients(ScalarType.Float64);
            Assert.True((input32 - input64).abs().max().item<double>() <= 1e-4 * input64.abs().max().item<double>(), "input gradient");
            Assert.True((weight32 - weight64).abs().max().item<double>() <= 1e-4 * weight64.abs().max().item<double>(), "weight gradient");
        }
    }
}
