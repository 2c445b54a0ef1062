using System.Globalization;
using System.Text;
using Repro.Config;
using Repro.Models;
using Repro.Training;

namespace Repro.Figures;

/// <summary>
/// What a profile would run, and its price: training runs, epochs, images, and GPU-hours estimated from
/// the measured throughputs the profile's plan section records (scaled by FLOPs for other architectures,
/// width² and input area; stated as such).
/// </summary>
public static class PlanView
{
    public static string Render(Profile p, int trainImages, int valImages)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(string.Create(inv, $"profile {p.Name}: {p.Description}"));
        sb.AppendLine(string.Create(inv, $"data: {p.Data.Kind.ToString().ToLowerInvariant()}, {trainImages:N0} train / {valImages:N0} val images, input {p.Data.ImageSize}px; figures: {string.Join(", ", p.Figures)}"));
        sb.AppendLine(string.Create(inv, $"pruning: {p.Pruning.Method.ToString().ToLowerInvariant()}, rate {p.Pruning.Rate} per iteration, layers {StrictYaml.EnumNames(typeof(PrunedLayers))[(int)p.Pruning.Layers]}, learning-rate rewinding"));
        if (p.Pruning.Control)
            sb.AppendLine("control: each model's dense model is also retrained as often without pruning (rows <model>-control; its iteration 0 is the pruned arm's)");
        sb.AppendLine();
        // wide enough for the longest row key, so the control rows stay in their columns
        var width = Math.Max(18, p.Models.Max(m => m.Key.Length + (p.Pruning.Control ? Trajectory.ControlSuffix.Length : 0)));
        sb.AppendLine($"{"model".PadRight(width)} {"iters",5} {"final sparsity",14} {"epochs/iter",11} {"train images",16} {"est. GPU-hours",14}  basis");
        double totalHours = 0;
        foreach (var m in p.Models)
        {
            var iterations = p.IterationsFor(m);
            var epochs = p.EpochsFor(m);
            var perEpoch = Math.Min(trainImages, p.ScheduleFor(m).TrainImagesPerEpoch ?? int.MaxValue);
            var (ips, basis) = Throughput(p, m);
            var evalIps = p.Plan?.EvalImagesPerSecond.GetValueOrDefault(m.Architecture) is > 0 and var e ? e / (m.Width * m.Width) : ips * 3;
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
                    $"{key.PadRight(width)} {iterations,5} {100 * sparsity,13:F1}% {epochs,11} {images,16:N0} {(double.IsNaN(hours) ? "n/a" : hours.ToString(hours >= 0.1 ? "F1" : "F3", inv)),14}  {basis}"));
            }
        }
        var total = totalHours >= 1 ? string.Create(inv, $"{totalHours:F1} GPU-hours") : string.Create(inv, $"{totalHours * 60:F1} GPU-minutes");
        sb.AppendLine($"total: about {total} (training, plus one validation pass per iteration).");
        return sb.ToString();
    }

    static (double ImagesPerSecond, string Basis) Throughput(Profile p, ModelConfig m)
    {
        if (p.Plan == null) return (0, "no plan section in the profile");
        var scale = m.Width * m.Width * (p.Data.ImageSize * p.Data.ImageSize) / (224.0 * 224.0);
        if (p.Plan.TrainImagesPerSecond.TryGetValue(m.Architecture, out var measured))
            return (measured / scale, $"measured {measured:F0} img/s on {p.Plan.ReferenceDevice}{(scale == 1 ? "" : ", scaled by width² and input area")}");
        var (refArch, refIps) = p.Plan.TrainImagesPerSecond.First();
        if (ModelZoo.GigaFlops224.TryGetValue(m.Architecture, out var flops) && ModelZoo.GigaFlops224.TryGetValue(refArch, out var refFlops))
            return (refIps * refFlops / flops / scale, $"{refArch}'s measured {refIps:F0} img/s on {p.Plan.ReferenceDevice} scaled by FLOPs ({refFlops}/{flops} GFLOPs)");
        return (0, "no measured throughput");
    }
}
