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
/// Decodes samples on a background thread, keeping up to <c>prefetch</c> batches ready. With a
/// <see cref="PixelTransform"/> (the CPU path) the worker threads also transform each image into its slot of one
/// float array per batch, and the consuming thread makes the batch tensor over that array. With a tensor transform
/// (libtorch, e.g. on the GPU) the images are transformed on the consuming thread: no TorchSharp object is
/// ever touched by background threads, as doing so crashed libtorch calls on the training thread
/// intermittently. The sample order and every random draw come from the seed (a batch's draws are made in
/// image order on one thread), so a given (seed, epoch) always yields the same batches whatever the thread count.
/// </summary>
public sealed class BatchLoader
{
    readonly IReadOnlyList<(string Path, int Label)> _samples;
    readonly Func<RgbImage, Random, Tensor>? _tensorTransform;
    readonly PixelTransform? _pixelTransform;
    readonly int _batchSize;
    readonly int _prefetch;
    readonly int _decodeThreads;

    /// <param name="transform">Runs on the consuming thread, once per image.</param>
    /// <param name="decodeThreads">Threads decoding one batch's files (0 = one per core); order and results do not depend on it.</param>
    public BatchLoader(IReadOnlyList<(string Path, int Label)> samples, Func<RgbImage, Random, Tensor> transform,
        int batchSize, int prefetch, int decodeThreads = 1)
        : this(samples, batchSize, prefetch, decodeThreads) => _tensorTransform = transform;

    /// <param name="transform">Runs on the decode threads, writing straight into the batch's array.</param>
    /// <param name="decodeThreads">Threads decoding and transforming one batch (0 = one per core); results do not depend on it.</param>
    public BatchLoader(IReadOnlyList<(string Path, int Label)> samples, PixelTransform transform,
        int batchSize, int prefetch, int decodeThreads = 1)
        : this(samples, batchSize, prefetch, decodeThreads) => _pixelTransform = transform;

    BatchLoader(IReadOnlyList<(string Path, int Label)> samples, int batchSize, int prefetch, int decodeThreads)
    {
        _samples = samples;
        _batchSize = batchSize;
        _prefetch = prefetch;
        _decodeThreads = decodeThreads <= 0 ? Environment.ProcessorCount : decodeThreads;
    }

    public int Count => _samples.Count;

    /// <summary>Every sample's label in the loader's own order, the order of an unshuffled <see cref="Batches"/>.</summary>
    public long[] Labels => _samples.Select(s => (long)s.Label).ToArray();

    /// <summary>A batch ready for the consuming thread: decoded images (tensor path) or the filled batch array.</summary>
    sealed record Prepared(long[] Labels, int Seed, RgbImage[]? Images, float[]? Pixels);

    /// <summary>Yields batches; with <paramref name="shuffleSeed"/> the samples are shuffled and augmented from it.</summary>
    /// <param name="repetitions">Above 1, torchvision's repeated-augmentation sampler (RASampler) on one process: each
    /// shuffled sample that many times in a row, each time augmented anew, and the epoch cut to the dataset's size rounded
    /// down to a multiple of 256 (a dataset under 256 samples keeps its size).</param>
    /// <param name="skip">Batches left out at the start, neither read nor decoded: an epoch resumed after that many steps
    /// gets the batches it would have got (each batch's augmentation has its own seed).</param>
    public IEnumerable<Batch> Batches(int? shuffleSeed = null, int? limit = null, int repetitions = 1, int skip = 0)
    {
        var order = Enumerable.Range(0, _samples.Count).ToArray();
        var rng = new Random(shuffleSeed ?? 0);
        if (shuffleSeed != null) rng.Shuffle(order);
        var available = order.Length;
        if (repetitions > 1)
        {
            order = order.SelectMany(i => Enumerable.Repeat(i, repetitions)).ToArray();
            available = _samples.Count >= 256 ? _samples.Count / 256 * 256 : _samples.Count;
        }
        var n = Math.Min(available, limit ?? int.MaxValue);
        var starts = Enumerable.Range(0, (n + _batchSize - 1) / _batchSize).Select(b => b * _batchSize).ToArray();
        var seeds = starts.Select(_ => rng.Next()).ToArray();
        Prepared Prepare(int b)
        {
            var count = Math.Min(_batchSize, n - starts[b]);
            var labels = new long[count];
            var paths = new string[count];
            for (var i = 0; i < count; i++) (paths[i], labels[i]) = _samples[order[starts[b] + i]];
            if (_pixelTransform is not { } transform)
            {
                var images = new RgbImage[count];
                InParallel(count, i => images[i] = ImageCodec.Decode(paths[i]));
                return new Prepared(labels, seeds[b], images, null);
            }
            // Not pooled: the batch tensor is made over this array (no copy) and holds it until disposed.
            var slot = transform.FloatsPerImage;
            var pixels = GC.AllocateUninitializedArray<float>(count * slot);
            var encoded = new EncodedImage[count];
            try
            {
                // Files and their headers first, so that the draws can be made in image order on this thread; then each
                // image is decoded and resampled at once, while its pixels are still in cache (decoding the whole batch
                // before resampling made the resampling read 20+ MB back from memory).
                InParallel(count, i => encoded[i] = ImageCodec.ReadEncoded(paths[i]));
                var batchRng = new Random(seeds[b]);
                var plans = encoded.Select(e => transform.Plan(e.Height, e.Width, batchRng)).ToArray();
                InParallel(count, i =>
                {
                    using var rgba = ImageCodec.DecodeRgba(encoded[i]);
                    transform.Apply(rgba, plans[i], pixels.AsSpan(i * slot, slot));
                });
            }
            finally
            {
                foreach (var e in encoded) e?.Dispose();
            }
            return new Prepared(labels, seeds[b], null, pixels);
        }
        if (_prefetch <= 0)
        {
            for (var b = skip; b < starts.Length; b++) yield return ToBatch(Prepare(b));
            yield break;
        }
        using var queue = new BlockingCollection<Prepared>(_prefetch);
        using var cancel = new CancellationTokenSource();
        Exception? failure = null;
        var producer = Task.Run(() =>
        {
            try
            {
                for (var b = skip; b < starts.Length && !cancel.IsCancellationRequested; b++)
                    queue.Add(Prepare(b), cancel.Token);
            }
            catch (OperationCanceledException) { }
            catch (Exception e) { failure = e; }
            finally { queue.CompleteAdding(); }
        });
        try
        {
            foreach (var prepared in queue.GetConsumingEnumerable())
                yield return ToBatch(prepared);
            if (failure != null) ExceptionDispatchInfo.Throw(failure);
        }
        finally
        {
            cancel.Cancel();
            try { producer.Wait(); } catch (AggregateException) { }
        }
    }

    void InParallel(int count, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _decodeThreads }, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // A corrupt file surfaces as itself, naming the file, not as the loop's wrapper.
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }

    Batch ToBatch(Prepared p)
    {
        var labels = tensor(p.Labels);
        if (p.Pixels is { } pixels)
        {
            var size = _pixelTransform!.Size;
            using var flat = frombuffer(pixels, ScalarType.Float32);
            return new Batch(flat.view(p.Labels.Length, 3, size, size), labels);
        }
        var rng = new Random(p.Seed);
        var transformed = p.Images!.Select(img => _tensorTransform!(img, rng)).ToArray();
        var stacked = stack(transformed);
        foreach (var t in transformed) t.Dispose();
        return new Batch(stacked, labels);
    }
}
