using System.Diagnostics;
using Repro.Config;
using Repro.Data;
using Repro.Models;
using Repro.Pruning;
using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Training;

/// <param name="EmaTop1">Top-1 of the weights' moving average (schedule.model_ema) when the run was given a validation loader.</param>
public sealed record TrainingSummary(double FinalLoss, double TrainAccuracy, double Seconds, double ImagesPerSecond, double? EmaTop1 = null);

/// <summary>How a training run checkpoints inside itself, and the state it resumes from.</summary>
public sealed class TrainingResume
{
    /// <summary>Epochs between checkpoints (scheduler.checkpoint_every_epochs); a stop request checkpoints at once.</summary>
    public required int EveryEpochs { get; init; }
    /// <summary>Writes the checkpoint of a position (the caller owns the model, masks and file).</summary>
    public required Action<TrainingPosition, IMaskedOptimizer, ModelEma?> Save { get; init; }
    /// <summary>The state to continue from, its weights already in the model; null: from the first epoch.</summary>
    public ResumeState? From { get; init; }
    /// <summary>Called at every epoch's end with the position reached (for repro status).</summary>
    public Action<TrainingPosition>? EpochDone { get; init; }
    /// <summary>What the stop message names: the iteration and the file.</summary>
    public required string Describe { get; init; }
}

/// <summary>
/// One full training run: a fresh optimizer and a fresh LR schedule every call, which is exactly
/// learning-rate rewinding when called once per pruning iteration. Masked weights stay zero throughout.
/// The schedule's recipe (optimizer, warm-up, label smoothing, mixup/cutmix, clipping, random erasing, EMA, the
/// repeated-augmentation sampler) is applied
/// as torchvision's references/classification/train.py applies it; with every recipe key at its default the run is
/// the plain SGD loop, op for op.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// The learning rate of epoch <paramref name="epoch"/> (0-based), stepped per epoch as torchvision's train.py steps it:
    /// warmup_epochs of LinearLR (warmup_decay·lr rising linearly towards lr) or ConstantLR (warmup_decay·lr), then the
    /// main schedule counted from the end of warm-up (SequentialLR), cosine over the remaining epochs down to lr_min.
    /// </summary>
    public static double LearningRate(ScheduleConfig s, double peakLr, int epoch, int epochs)
    {
        var warmup = s.WarmupEpochs;
        if (epoch < warmup)
            return s.WarmupMethod == WarmupMethod.Linear
                ? peakLr * (s.WarmupDecay + (1 - s.WarmupDecay) * epoch / warmup)
                : peakLr * s.WarmupDecay;
        var (e, n) = (epoch - warmup, epochs - warmup);
        return s.LrSchedule switch
        {
            LrScheduleKind.Step => peakLr * Math.Pow(s.Gamma, e / s.StepEpochs),
            LrScheduleKind.Cosine => s.LrMin + 0.5 * (peakLr - s.LrMin) * (1 + Math.Cos(Math.PI * e / n)),
            _ => peakLr,
        };
    }

    /// <summary>The schedule's optimizer: SGD (flat or per parameter, as before, unless weight-decay groups are set) or AdamW.</summary>
    public static IMaskedOptimizer CreateOptimizer(nn.Module model, PruningMasks masks, ScheduleConfig s, double lr, bool flatOptimizer)
    {
        var groups = WeightDecayGroups.Any(s) ? WeightDecayGroups.For(model, s) : null;
        if (s.Optimizer == OptimizerKind.Adamw)
            return new MaskedAdamW(model.parameters().ToList(), groups ?? model.parameters().Select(_ => s.WeightDecay).ToArray(), masks, lr);
        // The flat update has one weight decay for all parameters.
        return groups == null ? IMaskedSgd.Create(model, masks, lr, s.Momentum, s.WeightDecay, flatOptimizer)
            : new PerParameterMaskedSgd(model, masks, lr, s.Momentum, s.WeightDecay, groups);
    }

    /// <summary>
    /// Seed tag of a step's random draws (mixup/cutmix, random erasing, and libtorch's generator: stochastic depth), apart
    /// from the data order's. Seeded per step, so that a run resumed at any step draws what the uninterrupted run drew.
    /// </summary>
    const long RecipeSeedTag = 0x524543; // "REC"

    public static TrainingSummary Train(nn.Module<Tensor, Tensor> model, PruningMasks masks, BatchLoader train,
        ScheduleConfig schedule, double peakLr, int epochs, Device device, int seed, Action<string> progress, string label,
        bool channelsLast = false, bool flatOptimizer = false, BatchLoader? emaValidation = null, TrainingResume? resume = null)
    {
        model.train();
        using var optimizer = CreateOptimizer(model, masks, schedule, peakLr, flatOptimizer);
        using var ema = schedule.ModelEma ? new ModelEma(model, ModelEma.AdjustedDecay(schedule, epochs)) : null;
        var mixing = schedule.MixupAlpha > 0 || schedule.CutmixAlpha > 0;
        var softTargets = mixing || schedule.LabelSmoothing > 0;
        var parameters = schedule.ClipGradNorm is null ? [] : model.parameters().ToList();
        var total = Stopwatch.StartNew();
        var from = resume?.From?.Position;
        if (resume?.From is { } state)
        {
            ResumeCheckpoint.ReadBlock(state.Optimizer, optimizer.LoadState);
            if (ema != null) ResumeCheckpoint.ReadBlock(state.Ema ?? throw new InvalidDataException($"{resume.Describe}: the checkpoint has no moving average, but schedule.model_ema is on"), ema.LoadState);
        }
        long images = from?.Images ?? 0;
        var secondsBefore = from?.Seconds ?? 0;
        double loss = 0, accuracy = 0;
        for (var epoch = from?.Epoch ?? 0; epoch < epochs; epoch++)
        {
            var lr = LearningRate(schedule, peakLr, epoch, epochs);
            optimizer.LearningRate = lr;
            var sw = Stopwatch.StartNew();
            var resumed = from != null && epoch == from.Epoch && from.Step > 0 ? from : null;
            // Summed on the device and read once per epoch: a read per step would stall the GPU every step.
            using var lossSum = tensor(new[] { resumed?.EpochLossSum ?? 0 }, device: device);
            using var correct = tensor(new[] { resumed?.EpochCorrect ?? 0L }, device: device);
            long seen = resumed?.EpochSeen ?? 0;
            var step = resumed?.Step ?? 0;
            TrainingPosition Position(int nextEpoch, int nextStep, bool inEpoch) => inEpoch
                ? new(nextEpoch, nextStep, epochs, lossSum.item<double>(), correct.item<long>(), seen, images + seen, secondsBefore + total.Elapsed.TotalSeconds)
                : new(nextEpoch, 0, epochs, 0, 0, 0, images, secondsBefore + total.Elapsed.TotalSeconds);
            foreach (var batch in train.Batches(Seeds.Derive(seed, epoch), schedule.TrainImagesPerEpoch, schedule.RaSampler ? schedule.RaReps : 1, skip: step))
            {
                using var b = batch;
                using var scope = NewDisposeScope();
                var stepSeed = Seeds.Derive(seed, epoch, step, RecipeSeedTag);
                manual_seed(stepSeed);
                var rng = new Random(stepSeed);
                var x = b.Images.to(device);
                if (schedule.RandomErase > 0) Regularisation.RandomErase(x, schedule.RandomErase, rng);
                var lambda = 1.0;
                if (mixing && Regularisation.MixupOrCutmix(x, schedule.MixupAlpha, schedule.CutmixAlpha, rng) is var (mixed, l))
                    (x, lambda) = (mixed, l);
                if (channelsLast) x = MemoryLayout.ChannelsLast(x);
                var y = b.Labels.to(device);
                var logits = model.call(x);
                var batchLoss = softTargets
                    ? Regularisation.SoftCrossEntropy(logits, Regularisation.MixedTargets(y, logits.shape[1], lambda, logits.dtype), schedule.LabelSmoothing)
                    : nn.functional.cross_entropy(logits, y);
                optimizer.ZeroGrad();
                batchLoss.backward();
                if (schedule.ClipGradNorm is { } maxNorm)
                {
                    // Pruned weights' gradients are not part of the model: masked before the norm is taken.
                    masks.ApplyToGradients();
                    Regularisation.ClipGradNorm(parameters, maxNorm);
                }
                optimizer.Step();
                // train.py updates the average at every model_ema_steps-th batch of an epoch and restarts it during warm-up.
                if (ema != null && step % schedule.ModelEmaSteps == 0) ema.Update(model, restart: epoch < schedule.WarmupEpochs);
                step++;
                using (no_grad())
                {
                    lossSum.add_(batchLoss.detach().to(ScalarType.Float64).mul(Scalars.Of(b.Count)), Scalars.One);
                    correct.add_(logits.argmax(1).eq(y).sum(), Scalars.One);
                }
                seen += b.Count;
                if (resume != null && StopSignal.Requested is { } signal)
                {
                    resume.Save(Position(epoch, step, inEpoch: true), optimizer, ema);
                    throw new StoppedBySignalException(
                        $"{signal} during {resume.Describe}, epoch {epoch + 1}/{epochs}: its state after {step} step(s) of that epoch is checkpointed; rerun (or requeue) to resume there");
                }
            }
            images += seen;
            loss = lossSum.item<double>() / Math.Max(1, seen);
            accuracy = correct.item<long>() / (double)Math.Max(1, seen);
            progress($"  {label} epoch {epoch + 1}/{epochs}  lr {lr:G3}  loss {loss:F3}  train-acc {accuracy:P1}  " +
                     $"{seen / sw.Elapsed.TotalSeconds:F0} img/s  ETA {TimeSpan.FromSeconds(sw.Elapsed.TotalSeconds * (epochs - epoch - 1)):mm\\:ss}");
            if (resume == null) continue;
            var reached = Position(epoch + 1, 0, inEpoch: false);
            resume.EpochDone?.Invoke(reached);
            if (epoch + 1 < epochs && (epoch + 1) % resume.EveryEpochs == 0) resume.Save(reached, optimizer, ema);
        }
        var seconds = secondsBefore + total.Elapsed.TotalSeconds;
        double? emaTop1 = ema != null && emaValidation != null ? EvaluateAverage(model, ema, emaValidation, device, channelsLast) : null;
        return new TrainingSummary(loss, accuracy, seconds, images / seconds, emaTop1);
    }

    /// <summary>Top-1 of the averaged weights, evaluated in <paramref name="model"/> and then the trained weights put back.</summary>
    static double EvaluateAverage(nn.Module<Tensor, Tensor> model, ModelEma ema, BatchLoader val, Device device, bool channelsLast)
    {
        List<Tensor> trained;
        using (no_grad()) trained = model.parameters().Cast<Tensor>().Concat(model.buffers()).Select(t => t.detach().clone()).ToList();
        try
        {
            ema.CopyTo(model);
            return Evaluate(model, val, device, channelsLast);
        }
        finally
        {
            using (no_grad())
            {
                var i = 0;
                foreach (var t in model.parameters().Cast<Tensor>().Concat(model.buffers())) t.copy_(trained[i++]);
            }
            foreach (var t in trained) t.Dispose();
        }
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
