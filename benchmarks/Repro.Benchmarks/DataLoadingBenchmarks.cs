using BenchmarkDotNet.Attributes;
using Repro.Config;
using Repro.Data;
using Repro.Data.Synthetic;
using Repro.Data.Voc;
using Repro.Figures;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// Scenes written in VOC layout at VOC/ImageNet-like resolution (JPEGs with 375-500 px sides) as benchmark input.
/// Each benchmark processes all <see cref="Count"/> images per invocation, so the reported time is per image
/// (images/s = 1 / mean). Run in-process (<c>--inProcess</c>): BenchmarkDotNet's generated out-of-process
/// project lacks the TorchSharp native fix-up, so libtorch would not load there.
/// </summary>
public abstract class VocSizedInput
{
    public const int Count = 32;
    string _dir = "";
    protected VocDataset Voc { get; private set; } = null!;

    protected void CreateInput()
    {
        _dir = Directory.CreateTempSubdirectory("repro-bench-").FullName;
        var config = new SyntheticScenesConfig { Count = Count, MinSide = 375, MaxSide = 500, MaxObjects = 3 };
        Voc = SyntheticScenes.OpenVoc(SyntheticScenes.Ensure(_dir, config, profileSeed: 1), config, "trainval", VocTask.Segmentation);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, recursive: true);
}

/// <summary>Decoding only (no TorchSharp): JPEG through SkiaSharp, palette mask through the PNG reader.</summary>
[MemoryDiagnoser]
public class VocDecodeBenchmarks : VocSizedInput
{
    [GlobalSetup]
    public void Setup() => CreateInput();

    /// <summary>VOC at full resolution: JPEG decode plus palette-mask read (class indices) per image.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public long VocFullResolutionImageAndMask()
    {
        long pixels = 0;
        foreach (var s in Voc.Samples)
            pixels += VocDataset.ReadImage(s).Pixels.Length + VocDataset.ReadMask(s).Indices.Length;
        return pixels;
    }
}

/// <summary>
/// Decode + transforms into batches of 16, the CPU path (managed resampling on the decode threads, one tensor per
/// batch) next to the libtorch path (per-image tensor ops on the consuming thread, as on a GPU). libtorch's
/// intra-op thread count and the decode threads are parameters (the machine has 2 cores).
/// </summary>
[MemoryDiagnoser]
public class DataPipelineBenchmarks : VocSizedInput
{
    BatchLoader _eval = null!, _evalLibtorch = null!, _train = null!, _trainLibtorch = null!;

    [Params(1, 2)]
    public int TorchThreads { get; set; }

    [Params(1, 2)]
    public int DecodeThreads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(TorchThreads);
        CreateInput();
        var samples = Voc.Samples.Select(s => (s.ImagePath, 0)).ToList();
        _eval = new BatchLoader(samples, PixelTransform.Eval(256, 224), batchSize: 16, prefetch: 2, DecodeThreads);
        _evalLibtorch = new BatchLoader(samples, (img, _) => ImageTransforms.Eval(img, 256, 224), batchSize: 16, prefetch: 2, DecodeThreads);
        _train = new BatchLoader(samples, PixelTransform.Train(224, TrainAugmentation.RandomResizedCrop, 0.08), batchSize: 16, prefetch: 2, DecodeThreads);
        _trainLibtorch = new BatchLoader(samples,
            (img, rng) => ImageTransforms.Train(img, 224, TrainAugmentation.RandomResizedCrop, 0.08, rng), batchSize: 16, prefetch: 2, DecodeThreads);
    }

    static long Drain(BatchLoader loader, int? shuffleSeed)
    {
        long elements = 0;
        foreach (var batch in loader.Batches(shuffleSeed))
            using (batch) elements += batch.Images.numel();
        return elements;
    }

    /// <summary>ImageNet eval pipeline: decode, Resize 256 + CenterCrop 224 + normalise on the decode threads.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public long EvalPipeline224() => Drain(_eval, null);

    /// <summary>The same with libtorch's transforms per image on the consuming thread.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public long EvalPipeline224Libtorch() => Drain(_evalLibtorch, null);

    /// <summary>ImageNet train pipeline: decode, RandomResizedCrop 224 + flip + normalise on the decode threads.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public long TrainPipeline224() => Drain(_train, 1);

    /// <summary>The same with libtorch's transforms per image on the consuming thread.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public long TrainPipeline224Libtorch() => Drain(_trainLibtorch, 1);

    /// <summary>VOC at full resolution as the localisation figures consume it: decode, then a normalised float tensor.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public long VocFullResolutionToTensor()
    {
        long elements = 0;
        foreach (var s in Voc.Samples)
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
        _config = ProfileLoader.Load(RepoRoot.Find(), "smoke").Data.Scenes
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
