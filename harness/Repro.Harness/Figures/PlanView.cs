using System.Globalization;
using System.Text;
using Repro.Config;
using Repro.Models;
using Repro.Training;

namespace Repro.Figures;

/// <summary>
/// What a profile would run, and its price: models, figures, training runs, epochs, images, the deviations from the
/// paper, and GPU-hours estimated from the measured end-to-end training throughputs the profile's plan section records
/// (data pipeline included; other architectures scaled by FLOPs, width² and input area, stated as such).
/// </summary>
public static class PlanView
{
    /// <param name="paper">The paper's profile to list deviations against; null for the paper profile itself.</param>
    public static string Render(Profile p, Profile? paper, int trainImages, int valImages)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(string.Create(inv, $"profile {p.Name}: {p.Description}"));
        sb.AppendLine(string.Create(inv, $"data: {p.Data.Kind.ToString().ToLowerInvariant()}, {trainImages:N0} train / {valImages:N0} val images, input {p.Data.ImageSize}px"));
        sb.AppendLine(string.Create(inv, $"models ({p.Models.Count}): {string.Join(", ", p.Models.Select(m => m.Key))}"));
        sb.AppendLine(string.Create(inv, $"figures ({p.Figures.Count}): {string.Join(", ", p.Figures)}"));
        sb.AppendLine(string.Create(inv, $"pruning: {p.Pruning.Method.ToString().ToLowerInvariant()}, rate {p.Pruning.Rate} per iteration, layers {StrictYaml.EnumNames(typeof(PrunedLayers))[(int)p.Pruning.Layers]}, learning-rate rewinding"));
        if (p.Pruning.Control)
            sb.AppendLine("control: each model's dense model is also retrained as often without pruning (rows <model>-control; its iteration 0 is the pruned arm's)");
        sb.AppendLine($"speed options: {p.Performance.Describe()}, flat_optimizer {(p.Performance.FlatOptimizer ? "on" : "off")}");
        sb.AppendLine();
        // wide enough for the longest row key, so the control rows stay in their columns
        var width = Math.Max(18, p.Models.Max(m => m.Key.Length + (p.Pruning.Control ? Trajectory.ControlSuffix.Length : 0)));
        sb.AppendLine($"{"model".PadRight(width)} {"iters",5} {"final sparsity",14} {"epochs/iter",11} {"batch",5} {"train images",16} {"est. GPU-hours",14}");
        double totalHours = 0;
        var bases = new List<string>();
        foreach (var m in p.Models)
        {
            var schedule = p.ScheduleFor(m);
            var iterations = p.IterationsFor(m);
            var epochs = p.EpochsFor(m);
            var perEpoch = Math.Min(trainImages, schedule.TrainImagesPerEpoch ?? int.MaxValue);
            var (ips, basis) = Throughput(p, m);
            bases.Add($"{m.Key}: {basis}");
            // Validation is priced at the measured inference rate where there is one, else at the training rate (an upper bound).
            var evalIps = p.Plan?.EvalImagesPerSecond.GetValueOrDefault(m.Architecture) is > 0 and var e ? e / Scale(p, m) : ips;
            // The control shares the dense run: it adds the K retraining runs and their validation passes only.
            var arms = new List<(string Key, double Images, int Evaluations, double Sparsity)>
            {
                (m.Key, (double)(p.EpochsFor(m, 0) + iterations * epochs) * perEpoch, iterations + 1, 1 - Math.Pow(1 - p.Pruning.Rate, iterations)),
            };
            if (p.Pruning.Control) arms.Add((m.Key + Trajectory.ControlSuffix, (double)iterations * epochs * perEpoch, iterations, 0));
            foreach (var (key, images, evaluations, sparsity) in arms)
            {
                var hours = ips > 0 ? (images / ips + evaluations * valImages / evalIps) / 3600 : double.NaN;
                if (!double.IsNaN(hours)) totalHours += hours;
                sb.AppendLine(string.Create(inv,
                    $"{key.PadRight(width)} {iterations,5} {100 * sparsity,13:F1}% {epochs,11} {schedule.BatchSize,5} {images,16:N0} {(double.IsNaN(hours) ? "n/a" : hours.ToString(hours >= 0.1 ? "F1" : "F3", inv)),14}"));
            }
        }
        var total = totalHours >= 1 ? string.Create(inv, $"{totalHours:F1} GPU-hours") : string.Create(inv, $"{totalHours * 60:F1} GPU-minutes");
        sb.AppendLine($"total: about {total} (training, plus one validation pass per iteration; the figures' own measurements are not priced).");
        sb.AppendLine();
        sb.AppendLine("basis of each model's price:");
        foreach (var b in bases) sb.AppendLine($"  {b}");
        sb.AppendLine();
        var deviations = Deviations.All(p, paper);
        sb.AppendLine($"deviations from the paper ({deviations.Count}):");
        foreach (var d in deviations) sb.AppendLine($"  - {d}");
        return sb.ToString();
    }

    /// <summary>Work per image relative to the measurement's: width² and input area (the measurements are at full width, 224 px).</summary>
    static double Scale(Profile p, ModelConfig m) => m.Width * m.Width * (p.Data.ImageSize * p.Data.ImageSize) / (224.0 * 224.0);

    /// <summary>
    /// The model's end-to-end training rate and where it comes from: its architecture's measurement, else the measured
    /// architecture nearest in FLOPs scaled by the FLOPs ratio.
    /// </summary>
    static (double ImagesPerSecond, string Basis) Throughput(Profile p, ModelConfig m)
    {
        if (p.Plan == null) return (0, "no plan section in the profile");
        var scale = Scale(p, m);
        var scaled = scale == 1 ? "" : string.Create(CultureInfo.InvariantCulture, $", scaled by width² and input area (×{1 / scale:G3})");
        if (p.Plan.EndToEnd.TryGetValue(m.Architecture, out var own))
            return (own.ImagesPerSecond / scale, string.Create(CultureInfo.InvariantCulture,
                $"measured end to end {own.ImagesPerSecond:F0} img/s ({own.Measured}){scaled}"));
        if (!ModelZoo.GigaFlops224.TryGetValue(m.Architecture, out var flops))
            return (0, "no measured throughput and no FLOPs count to scale one by");
        var nearest = p.Plan.EndToEnd
            .Where(kv => ModelZoo.GigaFlops224.ContainsKey(kv.Key))
            .OrderBy(kv => Math.Abs(Math.Log(ModelZoo.GigaFlops224[kv.Key] / flops)))
            .Select(kv => (Architecture: kv.Key, kv.Value))
            .FirstOrDefault();
        if (nearest.Value == null) return (0, "no measured end-to-end throughput in plan.end_to_end");
        var refFlops = ModelZoo.GigaFlops224[nearest.Architecture];
        return (nearest.Value.ImagesPerSecond * refFlops / flops / scale, string.Create(CultureInfo.InvariantCulture,
            $"not measured: {nearest.Architecture}'s end-to-end {nearest.Value.ImagesPerSecond:F0} img/s ({nearest.Value.Measured}) scaled by FLOPs ({refFlops}/{flops} GFLOPs){scaled}"));
    }
}
