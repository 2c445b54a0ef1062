using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace Repro.Data;

/// <summary>One mini-batch: images [B,3,S,S] (normalised) and int64 labels [B].</summary>
public sealed class Batch(Tensor images, Tensor labels) : IDisposable
{
    public Tensor Images { get; } = images;
    public Tensor Labels { get; } = labels;
    public int Count => (int)Labels.shape[0];
    public void Dispose() { Images.Dispose(); Labels.Dispose(); }
}

/// <summary>
/// Decodes samples on a background thread, keeping up to <c>prefetch</c> batches of decoded images ready,
/// and transforms them into tensors on the consuming thread. No TorchSharp object is ever touched by the
/// background thread: doing so crashed libtorch calls on the training thread intermittently. The sample
/// order and every random draw come from the seed, so a given (seed, epoch) always yields the same batches.
/// </summary>
public sealed class BatchLoader
{
    readonly IReadOnlyList<(string Path, int Label)> _samples;
    readonly Func<RgbImage, Random, Tensor> _transform;
    readonly int _batchSize;
    readonly int _prefetch;
    readonly int _decodeThreads;

    /// <param name="decodeThreads">Threads decoding one batch's files (0 = one per core); order and results do not depend on it.</param>
    public BatchLoader(IReadOnlyList<(string Path, int Label)> samples, Func<RgbImage, Random, Tensor> transform,
        int batchSize, int prefetch, int decodeThreads = 1)
    {
        _samples = samples;
        _transform = transform;
        _batchSize = batchSize;
        _prefetch = prefetch;
        _decodeThreads = decodeThreads <= 0 ? Environment.ProcessorCount : decodeThreads;
    }

    public int Count => _samples.Count;

    sealed record Decoded(RgbImage[] Images, long[] Labels, int Seed);

    /// <summary>Yields batches; with <paramref name="shuffleSeed"/> the samples are shuffled and augmented from it.</summary>
    public IEnumerable<Batch> Batches(int? shuffleSeed = null, int? limit = null)
    {
        var order = Enumerable.Range(0, _samples.Count).ToArray();
        var rng = new Random(shuffleSeed ?? 0);
        if (shuffleSeed != null) rng.Shuffle(order);
        var n = Math.Min(order.Length, limit ?? int.MaxValue);
        var starts = Enumerable.Range(0, (n + _batchSize - 1) / _batchSize).Select(b => b * _batchSize).ToArray();
        var seeds = starts.Select(_ => rng.Next()).ToArray();
        Decoded Decode(int b)
        {
            var count = Math.Min(_batchSize, n - starts[b]);
            var images = new RgbImage[count];
            var labels = new long[count];
            try
            {
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _decodeThreads }, i =>
                {
                    var (path, label) = _samples[order[starts[b] + i]];
                    images[i] = ImageCodec.Decode(path);
                    labels[i] = label;
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // A corrupt file surfaces as itself, naming the file, not as the loop's wrapper.
                ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            }
            return new Decoded(images, labels, seeds[b]);
        }
        if (_prefetch <= 0)
        {
            for (var b = 0; b < starts.Length; b++) yield return ToBatch(Decode(b));
            yield break;
        }
        using var queue = new BlockingCollection<Decoded>(_prefetch);
        using var cancel = new CancellationTokenSource();
        Exception? failure = null;
        var producer = Task.Run(() =>
        {
            try
            {
                for (var b = 0; b < starts.Length && !cancel.IsCancellationRequested; b++)
                    queue.Add(Decode(b), cancel.Token);
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { failure = e; }
            finally { queue.CompleteAdding(); }
        });
        try
        {
            foreach (var decoded in queue.GetConsumingEnumerable())
                yield return ToBatch(decoded);
            if (failure != null) ExceptionDispatchInfo.Throw(failure);
        }
        finally
        {
            cancel.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
        }
    }

    Batch ToBatch(Decoded d)
    {
        var rng = new Random(d.Seed);
        var images = d.Images.Select(img => _transform(img, rng)).ToArray();
        var stacked = stack(images);
        foreach (var t in images) t.Dispose();
        return new Batch(stacked, tensor(d.Labels));
    }
}
