using System.Diagnostics;
using Repro.Config;
using Repro.Data;
using Repro.Models;
using Repro.Pruning;
using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Training;

public sealed record TrainingSummary(double FinalLoss, double TrainAccuracy, double Seconds, double ImagesPerSecond);

/// <summary>
/// One full training run: a fresh SGD optimizer and a fresh LR schedule every call, which is exactly
/// learning-rate rewinding when called once per pruning iteration. Masked weights stay zero throughout.
/// </summary>
public static class Trainer
{
    public static double LearningRate(ScheduleConfig s, double peakLr, int epoch, int epochs) => s.LrSchedule switch
    {
        LrScheduleKind.Step => peakLr * Math.Pow(s.Gamma, epoch / s.StepEpochs),
        LrScheduleKind.Cosine => 0.5 * peakLr * (1 + Math.Cos(Math.PI * epoch / epochs)),
        _ => peakLr,
    };

    public static TrainingSummary Train(nn.Module<Tensor, Tensor> model, PruningMasks masks, BatchLoader train,
        ScheduleConfig schedule, double peakLr, int epochs, Device device, int seed, Action<string> progress, string label,
        bool channelsLast = false, bool flatOptimizer = false)
    {
        model.train();
        using var optimizer = IMaskedSgd.Create(model, masks, peakLr, schedule.Momentum, schedule.WeightDecay, flatOptimizer);
        var total = Stopwatch.StartNew();
        long images = 0;
        double loss = 0, accuracy = 0;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var lr = LearningRate(schedule, peakLr, epoch, epochs);
            optimizer.LearningRate = lr;
            var sw = Stopwatch.StartNew();
            // Summed on the device and read once per epoch: a read per step would stall the GPU every step.
            using var lossSum = zeros(1, dtype: ScalarType.Float64, device: device);
            using var correct = zeros(1, dtype: ScalarType.Int64, device: device);
            long seen = 0;
            foreach (var batch in train.Batches(Seeds.Derive(seed, epoch), schedule.TrainImagesPerEpoch))
            {
                using var b = batch;
                using var scope = NewDisposeScope();
                var x = b.Images.to(device);
                if (channelsLast) x = MemoryLayout.ChannelsLast(x);
                var y = b.Labels.to(device);
                var logits = model.call(x);
                var l = nn.functional.cross_entropy(logits, y);
                optimizer.ZeroGrad();
                l.backward();
                optimizer.Step();
                using (no_grad())
                {
                    lossSum.add_(l.detach().to(ScalarType.Float64).mul(Scalars.Of(b.Count)), Scalars.One);
                    correct.add_(logits.argmax(1).eq(y).sum(), Scalars.One);
                }
                seen += b.Count;
            }
            images += seen;
            loss = lossSum.item<double>() / Math.Max(1, seen);
            accuracy = correct.item<long>() / (double)Math.Max(1, seen);
            progress($"  {label} epoch {epoch + 1}/{epochs}  lr {lr:G3}  loss {loss:F3}  train-acc {accuracy:P1}  " +
                     $"{seen / sw.Elapsed.TotalSeconds:F0} img/s  ETA {TimeSpan.FromSeconds(sw.Elapsed.TotalSeconds * (epochs - epoch - 1)):mm\\:ss}");
        }
        return new TrainingSummary(loss, accuracy, total.Elapsed.TotalSeconds, images / total.Elapsed.TotalSeconds);
    }

    /// <summary>Top-1 accuracy over every image of the loader (not the last batch's only: errata 6): the share of <see cref="Predict"/> that is right.</summary>
    public static double Evaluate(nn.Module<Tensor, Tensor> model, BatchLoader val, Device device, bool channelsLast = false)
    {
        var predicted = Predict(model, val, device, channelsLast);
        var labels = val.Labels;
        long correct = 0;
        for (var i = 0; i < predicted.Length; i++)
            if (predicted[i] == labels[i]) correct++;
        return correct / (double)Math.Max(1, predicted.Length);
    }

    /// <summary>The top-1 class of every image of the loader, in its unshuffled order (that of <see cref="BatchLoader.Labels"/>).</summary>
    public static int[] Predict(nn.Module<Tensor, Tensor> net, BatchLoader loader, Device device, bool channelsLast = false)
    {
        net.eval();
        using var _ = no_grad();
        // Kept on the device and read once at the end: a read per batch would stall the GPU every batch.
        var parts = new List<Tensor>();
        try
        {
            foreach (var batch in loader.Batches())
            {
                using var b = batch;
                using var scope = NewDisposeScope();
                var x = b.Images.to(device);
                if (channelsLast) x = MemoryLayout.ChannelsLast(x);
                parts.Add(net.call(x).argmax(1).to(ScalarType.Int32).DetachFromDisposeScope());
            }
            if (parts.Count == 0) return [];
            using var all = cat(parts);
            using var host = all.cpu();
            return host.data<int>().ToArray();
        }
        finally
        {
            foreach (var t in parts) t.Dispose();
        }
    }
}
