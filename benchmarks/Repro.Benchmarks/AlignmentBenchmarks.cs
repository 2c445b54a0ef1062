using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Repro.Config;
using Repro.Data;
using Repro.Data.ModelVsHuman.Distortions;
using Repro.Measurement.Alignment.Evaluation;
using Repro.Measurement.Alignment.Metrics;
using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// The model-vs-human measurement path on 224×224 images: the twelve parametric distortions (each at its strongest
/// condition) applied to one image, and a batched 16-category evaluation of 64 OOD images by a smoke-sized
/// ResNet-18 (width 0.25). <see cref="DistortionBenchmarks"/> times each distortion alone.
/// </summary>
[Config(typeof(InProcessShortRun))]
public class AlignmentBenchmarks
{
    internal const int Size = 224;
    const int EvaluatedImages = 64;
    const int BatchSize = 32;

    RgbImage _image = null!;
    IReadOnlyList<IDistortion> _distortions = null!;
    OodEvaluator _evaluator = null!;
    List<OodImage> _oodImages = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(0);
        RgbImage RandomImage() => NoiseImage(rng);
        _image = RandomImage();
        _distortions = ParametricDistortions.Create(AmplitudeSpectrum.MeanOf([RandomImage(), RandomImage()]));

        manual_seed(0);
        var categories = Enumerable.Range(0, 16).Select(i => $"category{i}").ToArray();
        var model = ModelZoo.Create(new ModelConfig { Architecture = "resnet18", Width = 0.25 }, categories.Length);
        _evaluator = new OodEvaluator(model, new ArgmaxDecision(categories), CPU, resizeSize: 256, cropSize: Size, BatchSize);
        _oodImages = Enumerable.Range(0, EvaluatedImages)
            .Select(i => new OodImage($"img{i}", "0", categories[i % categories.Length], RandomImage()))
            .ToList();
    }

    [Benchmark(Description = "12 distortions, strongest condition, one 224² image")]
    public int AllTwelveDistortions()
    {
        var checksum = 0;
        foreach (var d in _distortions) checksum += d.Apply(_image, d.Conditions[^1], seed: 1).Pixels[0];
        return checksum;
    }

    [Benchmark(Description = "ResNet-18 w0.25: 64 OOD images → decisions, batch 32")]
    public IReadOnlyList<Decision> EvaluateOodBatch() => _evaluator.Evaluate(_oodImages);

    internal static RgbImage NoiseImage(Random rng)
    {
        var px = new byte[Size * Size * 3];
        rng.NextBytes(px);
        return new RgbImage(Size, Size, px);
    }
}

/// <summary>
/// Each parametric distortion alone at its strongest condition on one 224×224 image. The eidolons dominate: the
/// factory blurs 24 (eidolonIII) or 48 noise planes of 512² by FFT whatever the input size.
/// </summary>
[Config(typeof(InProcessShortRun))]
public class DistortionBenchmarks
{
    [Params("colour", "contrast", "high-pass", "low-pass", "phase-scrambling", "power-equalisation", "false-colour",
        "rotation", "eidolonI", "eidolonII", "eidolonIII", "uniform-noise")]
    public string Dataset { get; set; } = "";

    RgbImage _image = null!;
    IDistortion _distortion = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(0);
        _image = AlignmentBenchmarks.NoiseImage(rng);
        _distortion = ParametricDistortions.Create(AmplitudeSpectrum.MeanOf([AlignmentBenchmarks.NoiseImage(rng)]))
            .Single(d => d.Name == Dataset);
    }

    [Benchmark(Description = "strongest condition, one 224² image")]
    public RgbImage Apply() => _distortion.Apply(_image, _distortion.Conditions[^1], seed: 1);
}
