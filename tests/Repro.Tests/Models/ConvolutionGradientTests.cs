using Repro.Config;
using Repro.Figures;
using Repro.Models;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Tests.Models;

// Switches process-wide libtorch state: the thread count is restored here, oneDNN after every test by the assembly's hook
// (AssemblyInfo); tests never run in parallel.
[Trait("Category", TestCategories.Integration)]
public class ConvolutionGradientTests
{
    // Float32 input and weight gradients of conv → conv against float64, in both layouts and at 1 and 2 threads, for the
    // shapes where oneDNN's backward has gone wrong: the stem, 1×1 stride-2 convolutions with few channels, and output
    // channel counts that are not multiples of 16 (on this repository's AVX-512 host oneDNN's gradients are then off by
    // 45-76 % or NaN, and its out-of-bounds writes corrupt the heap, so oneDNN runs in this process only where the
    // isolated self-check has passed it). libtorch's native kernels must always be right, and so must oneDNN wherever the
    // self-check passes both convolutions.
    [Theory]
    [InlineData(3, 16, 56, 7, 2, 3, 2)]   // the smoke ResNet-18's stem: 3 channels, 7 × 7, stride 2
    [InlineData(3, 64, 32, 7, 2, 3, 2)]
    [InlineData(4, 8, 16, 1, 2, 0, 2)]    // 1 × 1 stride 2 with fewer than 8 input channels
    [InlineData(6, 12, 15, 1, 2, 0, 3)]
    [InlineData(16, 32, 14, 1, 2, 0, 4)]  // a downsample shortcut
    [InlineData(8, 8, 8, 3, 1, 1, 8)]
    [InlineData(64, 64, 14, 3, 1, 1, 2)]
    public void Convolution_gradients_match_float64_wherever_their_kernels_are_used(int inChannels, int outChannels, int size, int kernel,
        int stride, int padding, int batch)
    {
        var threadsBefore = get_num_threads();
        try
        {
            foreach (var channelsLast in new[] { false, true })
                foreach (var threads in new[] { 1, 2 })
                {
                    set_num_threads(threads);
                    var where = $"{(channelsLast ? "channels-last" : "NCHW")}, {threads} thread(s)";
                    double Error()
                    {
                        var (input32, weight32) = Gradients(ScalarType.Float32, channelsLast, inChannels, outChannels, size, kernel, stride, padding, batch);
                        var (input64, weight64) = Gradients(ScalarType.Float64, channelsLast, inChannels, outChannels, size, kernel, stride, padding, batch);
                        return Math.Max(RelativeError(input32, input64), RelativeError(weight32, weight64));
                    }
                    ConvolutionBackend.SetOneDnn(false);
                    var native = Error();
                    Assert.True(native <= 1e-4, $"native kernels, {where}: {native:E2}");
                    var outSize = (size + 2 * padding - kernel) / stride + 1;
                    var kernels = ConvolutionBackend.Select(OneDnnMode.Auto,
                    [
                        new ConvolutionShape(inChannels, outChannels, kernel, stride, padding, 1, size, channelsLast),
                    new ConvolutionShape(outChannels, outChannels, 3, 1, 1, 1, outSize, channelsLast),
                ], _ => { });
                    if (!kernels.OneDnn) continue;
                    var oneDnn = Error();
                    Assert.True(oneDnn <= 1e-4, $"oneDNN passed the self-check ({where}) but is off float64 by {oneDnn:E2}");
                }
        }
        finally
        {
            set_num_threads(threadsBefore);
        }
    }

    static double RelativeError(Tensor a, Tensor b) => (a - b).abs().max().item<double>() / b.abs().max().item<double>();

    static (Tensor Input, Tensor Weight) Gradients(ScalarType dtype, bool channelsLast, int inChannels, int outChannels, int size,
        int kernel, int stride, int padding, int batch)
    {
        var g = new Generator(42);
        var x = randn([batch, inChannels, size, size], generator: g).to(dtype);
        var w1 = (randn([outChannels, inChannels, kernel, kernel], generator: g) * 0.1).to(dtype);
        var w2 = (randn([outChannels, outChannels, 3, 3], generator: g) * 0.1).to(dtype);
        if (channelsLast) (x, w1, w2) = (MemoryLayout.ChannelsLast(x), MemoryLayout.ChannelsLast(w1), MemoryLayout.ChannelsLast(w2));
        var xi = x.detach().requires_grad_(true);
        var wi = w1.detach().requires_grad_(true);
        var h = nn.functional.conv2d(xi, wi, strides: [stride, stride], padding: [padding, padding]);
        nn.functional.conv2d(h, w2, padding: [1, 1]).square().sum().backward();
        return (xi.grad!.to(ScalarType.Float64), wi.grad!.to(ScalarType.Float64));
    }

    [Fact]
    public void Self_check_finds_the_smoke_models_shapes_and_passes_on_them()
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "smoke");
        var shapes = DeviceSelection.ConvolutionShapes(profile);
        // ResNet-18 at width 0.25 and 112 px: the stem, 3 × 3 convolutions per stage, 3 stride-2 entries and 3 shortcuts.
        Assert.Contains(new ConvolutionShape(3, 16, 7, 2, 3, 1, 112), shapes);
        Assert.Contains(new ConvolutionShape(16, 32, 1, 2, 0, 1, 28), shapes);
        Assert.Contains(new ConvolutionShape(128, 128, 3, 1, 1, 1, 4), shapes);
        Assert.Equal(11, shapes.Count);
        var kernels = ConvolutionBackend.Select(OneDnnMode.Auto, shapes, _ => { });
        Assert.True(kernels.OneDnn, kernels.Outcome);
    }

    [Fact]
    public void Tracing_the_shapes_leaves_libtorchs_random_stream_alone()
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "smoke");
        manual_seed(7);
        var expected = rand(4).data<float>().ToArray();
        manual_seed(7);
        DeviceSelection.ConvolutionShapes(profile);
        Assert.Equal(expected, rand(4).data<float>().ToArray());
    }

    [Fact]
    public void A_shape_the_child_cannot_run_falls_back_to_native_kernels_and_names_it()
    {
        var warnings = new List<string>();
        // 3 input channels in 2 groups: libtorch refuses it, so the child dies on that shape, as a crashing kernel would.
        var broken = new ConvolutionShape(3, 16, 1, 1, 0, 2, 8);
        using var cache = new TempDir();
        var kernels = ConvolutionBackend.Select(OneDnnMode.Auto, [new ConvolutionShape(16, 16, 3, 1, 1, 1, 8), broken], warnings.Add, cache.Path);
        Assert.Equal("native", kernels.Kernels);
        Assert.False(ConvolutionBackend.OneDnnEnabled);
        Assert.Contains(broken.ToString(), kernels.Outcome);
        Assert.Contains("crashed", kernels.Outcome);
        Assert.Contains(warnings, w => w.Contains(broken.ToString()));
        // the child's crash log goes to the run's cache, not the checkout's
        Assert.Single(Directory.GetFiles(Path.Combine(cache.Path, "logs"), "crash-*.log"));
    }

    [Fact]
    public void Shapes_onednn_gets_wrong_only_sometimes_are_refused_without_a_check()
    {
        var flaky = new ConvolutionShape(8, 8, 3, 1, 1, 1, 8);
        var kernels = ConvolutionBackend.Select(OneDnnMode.Auto, [new ConvolutionShape(16, 16, 3, 1, 1, 1, 8), flaky], _ => { });
        Assert.Equal("native", kernels.Kernels);
        Assert.Contains($"{flaky}: oneDNN's NCHW backward for a 3 × 3 kernel with 8 output channels", kernels.Outcome);
        Assert.Null(ConvolutionBackend.KnownUnreliable([flaky with { ChannelsLast = true }, new ConvolutionShape(4, 8, 1, 2, 0, 1, 16), new ConvolutionShape(16, 32, 3, 1, 1, 1, 8)]));
    }

    [Fact]
    public void A_verdict_is_kept_in_the_cache_and_read_back_without_a_child()
    {
        using var cache = new TempDir();
        ConvolutionShape[] shapes = [new(16, 32, 3, 1, 1, 1, 9)];
        var first = ConvolutionBackend.Select(OneDnnMode.Auto, shapes, _ => { }, cache.Path);
        Assert.Equal("onednn", first.Kernels);
        var kept = Assert.Single(Directory.GetFiles(Path.Combine(cache.Path, "onednn-check")));
        // The kept verdict is what the next run reads, without a child: prove it with a failed one written in its place.
        File.WriteAllText(kept, "16→32 3×3 stride 1 at 9 px: gradients differ by 1.0E-001 of their scale\n");
        var second = ConvolutionBackend.Select(OneDnnMode.Auto, shapes, _ => { }, cache.Path);
        Assert.Equal("native", second.Kernels);
        Assert.Contains(kept, second.Outcome);
    }

    [Theory]
    [InlineData(OneDnnMode.On, "onednn", true)]
    [InlineData(OneDnnMode.Off, "native", false)]
    public void An_explicit_mode_skips_the_check(OneDnnMode mode, string kernels, bool enabled)
    {
        var chosen = ConvolutionBackend.Select(mode, [new ConvolutionShape(3, 4, 3, 1, 1, 2, 8)], _ => throw new InvalidOperationException("no warning expected"));
        Assert.Equal(kernels, chosen.Kernels);
        Assert.Equal(enabled, ConvolutionBackend.OneDnnEnabled);
        Assert.Contains("not checked", chosen.Outcome);
    }
}
