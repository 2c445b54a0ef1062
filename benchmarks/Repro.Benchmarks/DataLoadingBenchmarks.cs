using BenchmarkDotNet.Attributes;
using Repro.Config;
using Repro.Data;
using Repro.Data.Synthetic;
using Repro.Data.Voc;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// Loader throughput. Inputs are synthetic scenes written in VOC layout at VOC/ImageNet-like resolution
/// (JPEGs of 375-500 px sides). Each benchmark processes <see cref="Images"/> images per invocation, so the
/// reported time is per image (images/s = 1 / mean).
/// </summary>
[MemoryDiagnoser]
public class DataLoadingBenchmarks
{
    const int Images = 32;
    string _dir = "";
    VocDataset _voc = null!;
    BatchLoader _eval = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("repro-bench-").FullName;
        var config = new SyntheticScenesConfig { Count = Images, MinSide = 375, MaxSide = 500, MaxObjects = 3 };
        var root = SyntheticScenes.Ensure(_dir, config, profileSeed: 1);
        _voc = SyntheticScenes.OpenVoc(root, config, "trainval", VocTask.Segmentation);
        var samples = _voc.Samples.Select(s => (s.ImagePath, 0)).ToList();
        _eval = new BatchLoader(samples, (img, _) => ImageTransforms.Eval(img, 256, 224), batchSize: 16, prefetch: 2);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    /// <summary>ImageNet eval pipeline: JPEG decode on the background thread, Resize 256 + CenterCrop 224 + normalise, batches of 16.</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public long EvalPipeline224()
    {
        long elements = 0;
        foreach (var batch in _eval.Batches())
            using (batch) elements += batch.Images.numel();
        return elements;
    }

    /// <summary>VOC at full resolution: JPEG decode plus palette-mask read (class indices) per image.</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public long VocFullResolutionImageAndMask()
    {
        long pixels = 0;
        foreach (var s in _voc.Samples)
        {
            var image = VocDataset.ReadImage(s);
            var mask = VocDataset.ReadMask(s);
            pixels += image.Pixels.Length + mask.Indices.Length;
        }
        return pixels;
    }

    /// <summary>VOC at full resolution as the localisation figures consume it: decode, to a normalised float tensor.</summary>
    [Benchmark(OperationsPerInvoke = Images)]
    public long VocFullResolutionToTensor()
    {
        long elements = 0;
        foreach (var s in _voc.Samples)
        {
            using var scope = NewDisposeScope();
            elements += ImageTransforms.Normalize(ImageTransforms.ToTensor(VocDataset.ReadImage(s))).numel();
        }
        return elements;
    }
}

/// <summary>Time to generate the smoke profile's synthetic scenes (profiles/smoke.yaml data.scenes) from scratch.</summary>
public class SyntheticScenesBenchmarks
{
    string _dir = "";
    SyntheticScenesConfig _config = null!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("repro-scenes-").FullName;
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo != null && !File.Exists(Path.Combine(repo.FullName, "Repro.sln"))) repo = repo.Parent;
        _config = ProfileLoader.Load(repo?.FullName ?? throw new DirectoryNotFoundException("Repro.sln not found"), "smoke").Data.Scenes
            ?? throw new InvalidOperationException("profiles/smoke.yaml has no data.scenes section");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);

    [Benchmark]
    public void GenerateSmokeScenes()
    {
        var target = Path.Combine(_dir, "scenes");
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        SyntheticScenes.Write(target, _config, profileSeed: 1);
    }
}
