using Repro.Config;
using Repro.Data.Synthetic;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Data;

/// <summary>The train/val splits a profile trains and evaluates on, whatever their source.</summary>
public sealed class ClassificationData
{
    public required string Root { get; init; }
    public required string Fingerprint { get; init; }
    public required ImageFolderDataset Train { get; init; }
    public required ImageFolderDataset Val { get; init; }
    public int NumClasses => Train.Classes.Count;

    /// <summary>
    /// Synthetic data is generated into the cache on first use; an ImageFolder root comes from
    /// <paramref name="dataRoot"/> (the command line) or the profile's data.root.
    /// </summary>
    public static ClassificationData Open(Profile profile, string cacheRoot, string? dataRoot, Action<string> log)
    {
        string root, fingerprint;
        if (profile.Data.Kind == DataKind.Synthetic)
        {
            root = SyntheticClassificationData.Ensure(cacheRoot, profile.Data.Synthetic!, profile.DataSeed, log);
            fingerprint = "synthetic-" + SyntheticClassificationData.Fingerprint(profile.Data.Synthetic!, profile.DataSeed);
        }
        else
        {
            var configured = dataRoot ?? profile.Data.Root;
            if (string.IsNullOrWhiteSpace(configured))
                throw new ConfigException(
                    $"profile '{profile.Name}' reads an ImageFolder dataset but no data root is set: pass -p:DataRoot=/path (MSBuild) " +
                    "or --data-root /path, pointing at a folder with train/ and val/ sub-folders.");
            root = Path.GetFullPath(configured);
            if (!Directory.Exists(root))
                throw new DirectoryNotFoundException(
                    $"data root {root} does not exist. Expected an ImageFolder dataset there ({root}/train/<class>/*.JPEG, {root}/val/<class>/*.JPEG).");
            fingerprint = "imagefolder-" + root.Replace('/', '_').Trim('_');
        }
        var train = new ImageFolderDataset(Path.Combine(root, "train"));
        var val = new ImageFolderDataset(Path.Combine(root, "val"));
        val.RequireSameClassesAs(train);
        return new ClassificationData { Root = root, Fingerprint = fingerprint, Train = train, Val = val };
    }

    /// <param name="transformDevice">Where resize, crop and normalisation run: a CUDA device runs libtorch's transforms
    /// there (bytes travel, not floats); otherwise the decode threads run them in managed code.</param>
    /// <param name="schedule">The model's training recipe (<see cref="Profile.ScheduleFor"/>), whose batch size it takes; default the profile's.</param>
    public BatchLoader TrainLoader(Profile p, Device? transformDevice = null, ScheduleConfig? schedule = null) => OnGpu(transformDevice)
        ? new(Train.Samples,
            (img, rng) => ImageTransforms.Train(img, p.Data.ImageSize, p.Data.TrainAugmentation, p.Data.CropScaleMin, rng, transformDevice),
            (schedule ?? p.Schedule).BatchSize, p.Data.Prefetch, p.Performance.DecodeThreads)
        : new(Train.Samples, PixelTransform.Train(p.Data.ImageSize, p.Data.TrainAugmentation, p.Data.CropScaleMin),
            (schedule ?? p.Schedule).BatchSize, p.Data.Prefetch, p.Performance.DecodeThreads);

    public BatchLoader ValLoader(Profile p, Device? transformDevice = null) => OnGpu(transformDevice)
        ? new(Val.Samples, (img, _) => ImageTransforms.Eval(img, p.Data.ResizeSize, p.Data.ImageSize, transformDevice),
            p.Data.EvalBatchSize, p.Data.Prefetch, p.Performance.DecodeThreads)
        : new(Val.Samples, PixelTransform.Eval(p.Data.ResizeSize, p.Data.ImageSize),
            p.Data.EvalBatchSize, p.Data.Prefetch, p.Performance.DecodeThreads);

    static bool OnGpu(Device? device) => device != null && device.type != DeviceType.CPU;
}
