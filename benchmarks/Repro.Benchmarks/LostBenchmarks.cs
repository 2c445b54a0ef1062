using BenchmarkDotNet.Attributes;
using Repro.Config;
using Repro.Data;
using Repro.Measurement.Discovery;
using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// LOST per image at VOC size (500×375, padded to the stride) on a full-width ResNet-50 (2048 channels):
/// the whole per-image path (normalise, pad, layer4 forward, standardise, LOST) and LOST alone on its tokens.
/// Stride 16 is the corrected-fidelity dilated layer4.
/// </summary>
[Config(typeof(InProcessShortRun))]
public class LostBenchmarks
{
    static readonly ModelConfig ResNet50 = new() { Architecture = "resnet50", Width = 1.0 };

    [Params(32, 16)]
    public int Stride { get; set; }

    LostDiscoverer _discoverer = null!;
    RgbImage _image = null!;
    PatchTokens _tokens = null!;
    readonly Lost _lost = new();

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(0);
        var trained = (ResNet)ModelZoo.Create(ResNet50, 1000);
        var model = ResNetLayer4Features.ForDiscovery(trained, ResNet50, 1000, Stride, Fidelity.Corrected);
        var features = new ResNetLayer4Features(model);
        _discoverer = new LostDiscoverer(features, _lost);
        var rng = new Random(0);
        var pixels = new byte[500 * 375 * 3];
        rng.NextBytes(pixels);
        _image = new RgbImage(500, 375, pixels);
        _tokens = features.Extract(DiscoveryInput.Padded(_image, Stride));
    }

    [Benchmark(Description = "image → box (ResNet-50 layer4 + LOST)")]
    public PixelBox? ImageToBox() => _discoverer.Discover(_image).Box;

    [Benchmark(Description = "LOST on 2048-d tokens")]
    public GridBox LostOnTokens() => _lost.Run(_tokens.Tokens, _tokens.Rows, _tokens.Cols).Box;
}
