using System.Text.Json;
using Repro.Config;
using Repro.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// Where a training run inside one pruning iteration stands: the next epoch and step (the batches of that epoch already
/// trained on), the epoch's loss and accuracy sums so far, and the run's totals. With the weights, masks and optimizer
/// state of <see cref="ResumeCheckpoint"/>, this is all a resumed run needs: every random draw of a step is seeded from
/// (seed, epoch, step), so the RNG's state is the position itself.
/// </summary>
public sealed record TrainingPosition(int Epoch, int Step, int Epochs, double EpochLossSum, long EpochCorrect, long EpochSeen, long Images, double Seconds);

/// <summary>What a resume checkpoint holds besides the weights, which it loads into the model directly.</summary>
public sealed class ResumeState(TrainingPosition position, Dictionary<string, Tensor> masks, byte[] optimizer, byte[]? ema) : IDisposable
{
    public TrainingPosition Position { get; } = position;
    public IReadOnlyDictionary<string, Tensor> Masks { get; } = masks;
    public byte[] Optimizer { get; } = optimizer;
    public byte[]? Ema { get; } = ema;

    public void Dispose()
    {
        foreach (var m in Masks.Values) m.Dispose();
    }
}

/// <summary>
/// iter-NN.resume: a pruning iteration's training run, checkpointed every scheduler.checkpoint_every_epochs epochs and when
/// a stop is requested (<see cref="StopSignal"/>): position, weights (every state-dict tensor, contiguous, so the memory
/// layout does not matter), masks, optimizer and moving-average state. Written atomically with a content hash, checked on
/// reading, and deleted once the iteration's own checkpoint is written.
/// </summary>
public sealed class ResumeCheckpoint(string path, CheckpointInfo info)
{
    const string Magic = "REPRO-RESUME-1";
    const string Remedy = "Delete it to restart this iteration's training from its first epoch.";

    public string Path { get; } = path;
    public bool Exists => File.Exists(Path);

    sealed record Header(CheckpointInfo Info, TrainingPosition Position);

    public void Save(TrainingPosition position, nn.Module model, PruningMasks masks, IMaskedOptimizer optimizer, ModelEma? ema)
    {
        AtomicFile.Write(Path, tmp =>
        {
            using (var stream = File.Create(tmp))
            using (var writer = new BinaryWriter(stream))
            {
                writer.Write(Magic);
                writer.Write(JsonSerializer.Serialize(new Header(info, position)));
                WriteNamed(writer, model.state_dict());
                WriteNamed(writer, masks.Masks);
                WriteBlock(writer, optimizer.SaveState);
                writer.Write(ema != null);
                if (ema != null) WriteBlock(writer, ema.SaveState);
            }
            ContentHash.SealFile(tmp);
        });
    }

    /// <summary>The position alone (for repro status): the header, without checking the hash or reading the tensors; null when absent or unreadable.</summary>
    public static TrainingPosition? PeekPosition(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            return reader.ReadString() == Magic ? JsonSerializer.Deserialize<Header>(reader.ReadString())?.Position : null;
        }
        catch (Exception e) when (e is IOException or JsonException) { return null; }
    }

    /// <summary>Checks the file's hash and that it belongs to this iteration, loads its weights into <paramref name="model"/>, and returns the rest.</summary>
    public ResumeState Load(nn.Module model)
    {
        var contentLength = ContentHash.VerifyFile(Path, Remedy);
        using var reader = new BinaryReader(File.OpenRead(Path));
        try
        {
            if (reader.ReadString() != Magic) throw new InvalidDataException("not a Repro resume checkpoint");
            var header = JsonSerializer.Deserialize<Header>(reader.ReadString()) ?? throw new InvalidDataException("empty header");
            if (header.Info != info)
                throw new InvalidDataException($"it was written for {header.Info}, but this run is {info}");
            var weights = ReadNamed(reader);
            try
            {
                var state = model.state_dict();
                using var _ = no_grad();
                foreach (var (name, tensor) in state)
                    tensor.copy_(weights.TryGetValue(name, out var saved) ? saved : throw new InvalidDataException($"no tensor '{name}' for the model"));
                if (weights.Count != state.Count) throw new InvalidDataException($"{weights.Count} tensors for a model of {state.Count}");
            }
            finally
            {
                foreach (var t in weights.Values) t.Dispose();
            }
            var masks = ReadNamed(reader);
            var optimizer = reader.ReadBytes(reader.ReadInt32());
            var ema = reader.ReadBoolean() ? reader.ReadBytes(reader.ReadInt32()) : null;
            if (reader.BaseStream.Position != contentLength) throw new InvalidDataException("bytes after the moving average that nothing reads");
            return new ResumeState(header.Position, masks, optimizer, ema);
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or JsonException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidDataException($"{Path}: cannot resume from it ({e.Message}). {Remedy}");
        }
    }

    public void Delete() => File.Delete(Path);

    static void WriteNamed(BinaryWriter writer, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var list = tensors.ToList();
        writer.Write(list.Count);
        foreach (var (name, tensor) in list)
        {
            writer.Write(name);
            using var scope = NewDisposeScope();
            tensor.detach().cpu().contiguous().Save(writer);
        }
    }

    static Dictionary<string, Tensor> ReadNamed(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        var tensors = new Dictionary<string, Tensor>(count);
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            tensors[name] = TensorExtensionMethods.Load(reader);
        }
        return tensors;
    }

    static void WriteBlock(BinaryWriter writer, Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var inner = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) write(inner);
        writer.Write(checked((int)buffer.Length));
        writer.Flush();
        buffer.Position = 0;
        buffer.CopyTo(writer.BaseStream);
    }

    /// <summary>Reads a block <see cref="WriteBlock"/> wrote (a byte array) with <paramref name="read"/>.</summary>
    public static void ReadBlock(byte[] block, Action<BinaryReader> read)
    {
        using var reader = new BinaryReader(new MemoryStream(block));
        read(reader);
    }
}
