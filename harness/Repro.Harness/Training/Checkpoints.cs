using System.Text.Json;
using Repro.Config;
using Repro.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>What a checkpoint says about itself, checked before its weights are loaded.</summary>
/// <param name="Threads">libtorch's intra-op threads the weights were trained with (CPU numbers depend on it); null off CPU.</param>
/// <param name="Convolutions">The CPU convolution kernels they were trained with ("onednn" or "native"); null off CPU.</param>
public sealed record CheckpointInfo(string Architecture, double Width, int NumClasses, int Iteration, string PrunedLayers, string Fingerprint,
    int? Threads = null, string? Convolutions = null);

/// <summary>
/// One model's trajectory on disk: iter-NN.ckpt (weights + masks) and iter-NN.yaml (its metrics) per
/// pruning iteration, under checkpoints/&lt;profile&gt;/&lt;model&gt;-&lt;fingerprint&gt;/. Both written atomically;
/// an iteration is complete when its .yaml exists (it is written after the .ckpt). Both carry a content hash
/// (<see cref="ContentHash"/>) that is checked whenever they are read.
/// </summary>
public sealed class CheckpointStore(string directory)
{
    const string Magic = "REPRO-CKPT-2";
    const string UnhashedMagic = "REPRO-CKPT-1";
    const string Retrain = "Delete it to retrain that iteration (the run resumes from the iteration before it).";
    public string Directory { get; } = directory;

    public string CheckpointPath(int iteration) => Path.Combine(Directory, $"iter-{iteration:D2}.ckpt");
    public string MetricsPath(int iteration) => Path.Combine(Directory, $"iter-{iteration:D2}.yaml");
    /// <summary>The checkpoint inside iteration <paramref name="iteration"/>'s training run (<see cref="ResumeCheckpoint"/>), while it trains.</summary>
    public string ResumePath(int iteration) => Path.Combine(Directory, $"iter-{iteration:D2}.resume");
    /// <summary>Where the trajectory stands (<see cref="TrajectoryProgress"/>).</summary>
    public string ProgressPath => Path.Combine(Directory, "progress.yaml");

    public bool IsComplete(int iteration) => File.Exists(MetricsPath(iteration)) && File.Exists(CheckpointPath(iteration));

    /// <summary>The highest iteration k such that 0..k are all complete, or -1.</summary>
    public int LastCompleted(int upTo)
    {
        var k = -1;
        while (k + 1 <= upTo && IsComplete(k + 1)) k++;
        return k;
    }

    public void Save(int iteration, nn.Module model, PruningMasks masks, CheckpointInfo info, IterationMetrics metrics)
    {
        AtomicFile.Write(CheckpointPath(iteration), tmp =>
        {
            using var stream = File.Create(tmp);
            using var writer = new BinaryWriter(stream);
            writer.Write(Magic);
            writer.Write(JsonSerializer.Serialize(info));
            model.save(writer);
            writer.Write(masks.Masks.Count);
            foreach (var (name, mask) in masks.Masks)
            {
                writer.Write(name);
                mask.cpu().contiguous().Save(writer);
            }
            writer.Flush();
            stream.Close();
            ContentHash.SealFile(tmp);
        });
        ContentHash.SaveYaml(MetricsPath(iteration), metrics);
    }

    public IterationMetrics ReadMetrics(int iteration) => ContentHash.LoadYaml<IterationMetrics>(MetricsPath(iteration), Retrain);

    static CheckpointInfo ReadHeader(BinaryReader reader, string path)
    {
        try
        {
            var magic = reader.ReadString();
            if (magic == UnhashedMagic)
                throw ContentHash.Damaged(path, "was written by an older version without a content hash", Retrain);
            if (magic != Magic) throw new InvalidDataException("bad magic");
            return JsonSerializer.Deserialize<CheckpointInfo>(reader.ReadString()) ?? throw new InvalidDataException("empty header");
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or JsonException or IOException)
        {
            throw new InvalidDataException($"{path}: not a Repro checkpoint or truncated ({e.Message}). {Retrain}");
        }
    }

    /// <summary>Loads weights into <paramref name="model"/> after checking the file's hash and that it was made for this model.</summary>
    public static Dictionary<string, Tensor> Load(string path, nn.Module model, CheckpointInfo expected)
    {
        var contentLength = ContentHash.VerifyFile(path, Retrain);
        using var reader = new BinaryReader(File.OpenRead(path));
        var info = ReadHeader(reader, path);
        if (info.Architecture != expected.Architecture || info.Width != expected.Width || info.NumClasses != expected.NumClasses)
            throw new InvalidDataException(
                $"{path}: checkpoint is for {info.Architecture} width {info.Width} with {info.NumClasses} classes, " +
                $"but the model is {expected.Architecture} width {expected.Width} with {expected.NumClasses} classes. " +
                "Point the run at the matching checkpoint folder, or delete this one to retrain.");
        if (info.Threads != expected.Threads)
            throw new InvalidDataException(
                $"{path}: checkpoint was trained with {Describe(info.Threads)}, but this run uses {Describe(expected.Threads)}; " +
                "CPU numbers depend on the thread count, so a trajectory never mixes them. Rerun with the matching --threads, or delete the folder to retrain.");
        if (info.Convolutions != expected.Convolutions)
            throw new InvalidDataException(
                $"{path}: checkpoint was trained with {info.Convolutions ?? "no"} CPU convolution kernels, but this run uses {expected.Convolutions ?? "none (not on CPU)"}; " +
                "their numbers differ, so a trajectory never mixes them. Rerun with the matching --onednn, or delete the folder to retrain.");
        try
        {
            model.load(reader, strict: true);
            var count = reader.ReadInt32();
            var masks = new Dictionary<string, Tensor>();
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                masks[name] = TensorExtensionMethods.Load(reader);
            }
            if (reader.BaseStream.Position != contentLength)
                throw new InvalidDataException(
                    $"{path}: {contentLength - reader.BaseStream.Position} bytes after the masks that no model field reads. {Retrain}");
            return masks;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: checkpoint does not match the model or is truncated ({e.Message}). {Retrain}");
        }
    }

    static string Describe(int? threads) => threads is { } n ? $"{n} CPU thread{(n == 1 ? "" : "s")}" : "a non-CPU device";
}

/// <summary>Where a trajectory's training stands, for repro status: read from the cache alone, while it trains or after.</summary>
public sealed class TrajectoryProgress
{
    public string Series { get; set; } = "";
    public int Seed { get; set; }
    /// <summary>The iteration training (or last trained).</summary>
    public int Iteration { get; set; }
    public int Iterations { get; set; }
    /// <summary>Epochs of <see cref="Iteration"/> completed; with <see cref="Step"/> above 0, steps of the next one too.</summary>
    public int Epoch { get; set; }
    public int Step { get; set; }
    public List<int> EpochsPerIteration { get; set; } = [];
    /// <summary>Training seconds so far in <see cref="Iteration"/>.</summary>
    public double IterationSeconds { get; set; }
    public string Updated { get; set; } = "";
}

/// <summary>Measured at the end of one pruning iteration (or on import: no training, so no loss or time); the accuracy figure reads these.</summary>
public sealed class IterationMetrics
{
    public int Iteration { get; set; }
    public double NominalSparsity { get; set; }
    public double MeasuredSparsity { get; set; }
    public long PrunableWeights { get; set; }
    public long NonzeroWeights { get; set; }
    public double Top1 { get; set; }
    public double TrainLoss { get; set; }
    public double TrainSeconds { get; set; }
    public double TrainImagesPerSecond { get; set; }
    public string Device { get; set; } = "";
    /// <summary>The PyTorch checkpoint (path and SHA-256) this iteration was imported from; null when the suite trained it (then omitted).</summary>
    public string? ImportedFrom { get; set; }
    /// <summary>Top-1 of the weights' moving average (schedule.model_ema); the checkpoint holds the trained weights, as the authors' evaluation reads them.</summary>
    public double? EmaTop1 { get; set; }
}
