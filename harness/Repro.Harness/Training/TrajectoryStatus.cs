using System.Globalization;
using System.Text;
using Repro.Config;

namespace Repro.Training;

/// <summary>One trajectory's state as its cache folder shows it.</summary>
/// <param name="Completed">Iterations 0..Completed−1 are checkpointed.</param>
/// <param name="Total">Iterations of the whole trajectory (null when no progress file says: trained before it was written).</param>
/// <param name="Resume">The checkpoint inside the training iteration, if any.</param>
/// <param name="Holder">The lock's holder line when a run holds it now.</param>
/// <param name="SecondsLeft">Training time left at the pace measured so far; null when nothing was timed yet.</param>
public sealed record TrajectoryState(string Folder, string Series, int? Seed, int Completed, int? Total, TrajectoryProgress? Progress,
    TrainingPosition? Resume, string? Holder, double? SecondsLeft)
{
    public bool Done => Total is { } total && Completed >= total;
}

/// <summary>repro status: every trajectory of a profile, read from the cache alone (no data, no model, no libtorch).</summary>
public static class TrajectoryStatus
{
    public static IReadOnlyList<TrajectoryState> Read(string cacheRoot, string profile)
    {
        var root = Path.Combine(cacheRoot, "checkpoints", profile);
        if (!Directory.Exists(root)) return [];
        var folders = Directory.EnumerateDirectories(root).Where(d => Path.GetFileName(d) != "imported")
            .Concat(Directory.Exists(Path.Combine(root, "imported")) ? Directory.EnumerateDirectories(Path.Combine(root, "imported")) : []);
        return folders.Order(StringComparer.Ordinal).Select(ReadOne).ToList();
    }

    static TrajectoryState ReadOne(string folder)
    {
        var store = new CheckpointStore(folder);
        var progress = File.Exists(store.ProgressPath) ? ContentHash.LoadYaml<TrajectoryProgress>(store.ProgressPath, "Delete it; the next training epoch writes it again.") : null;
        var completed = store.LastCompleted(int.MaxValue - 1) + 1;
        var total = progress?.Iterations + 1;
        var resume = ResumeCheckpoint.PeekPosition(store.ResumePath(completed));
        var name = Path.GetFileName(folder);
        var series = progress?.Series ?? (name.LastIndexOf('-') is > 0 and var dash ? name[..dash] : name);
        return new TrajectoryState(folder, series, progress?.Seed, completed, total, progress, resume,
            CacheLock.IsHeld(folder) ? CacheLock.Holder(folder) ?? "a run (no holder line)" : null, SecondsLeft(store, progress, completed));
    }

    /// <summary>Epochs left × seconds per epoch, the pace taken from the completed iterations' training time, else from the current one's.</summary>
    static double? SecondsLeft(CheckpointStore store, TrajectoryProgress? progress, int completed)
    {
        if (progress is not { EpochsPerIteration.Count: > 0 } p) return null;
        double seconds = 0, epochs = 0;
        for (var k = 0; k < completed && k < p.EpochsPerIteration.Count; k++)
        {
            var metrics = store.ReadMetrics(k);
            if (metrics.TrainSeconds <= 0) continue;
            seconds += metrics.TrainSeconds;
            epochs += p.EpochsPerIteration[k];
        }
        var inCurrent = p.Iteration == completed ? p.Epoch : 0;
        if (epochs == 0 && inCurrent > 0) (seconds, epochs) = (p.IterationSeconds, inCurrent);
        if (epochs == 0) return completed >= p.EpochsPerIteration.Count ? 0 : null;
        var left = p.EpochsPerIteration.Skip(completed).Sum() - inCurrent;
        return Math.Max(0, left) * seconds / epochs;
    }

    public static string Render(IReadOnlyList<TrajectoryState> states, string cacheRoot, string profile, DateTime now)
    {
        var text = new StringBuilder();
        var root = Path.Combine(cacheRoot, "checkpoints", profile);
        if (states.Count == 0)
            return $"no trajectory of profile '{profile}' under {root} yet (train one: repro train --profile {profile}, or repro submit)\n";
        text.AppendLine(CultureInfo.InvariantCulture, $"trajectories of profile '{profile}' in {root}:");
        var rows = states.Select(s => new[]
        {
            s.Series, s.Seed?.ToString(CultureInfo.InvariantCulture) ?? "?",
            s.Total is { } total ? $"{s.Completed}/{total}" : $"{s.Completed} done",
            Now(s), s.Resume is { } r ? r.Step > 0 ? $"epoch {r.Epoch + 1}/{r.Epochs}, step {r.Step}" : $"after epoch {r.Epoch}/{r.Epochs}" : "-",
            s.Holder ?? (s.Done ? "free" : "free: no run trains it"),
            s.Done ? "done" : s.SecondsLeft is { } left ? Duration(left) : "unknown",
            s.Progress is { Updated.Length: > 0 } p ? p.Updated : "-",
        }).Prepend(["series", "seed", "iterations", "training now", "checkpoint inside", "lock", "time left", "updated"]).ToList();
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(row => row[c].Length)).ToArray();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        text.AppendLine(CultureInfo.InvariantCulture, $"({now:yyyy-MM-ddTHH:mm:ssZ}; time left is training only, at the pace measured so far)");
        return text.ToString();
    }

    static string Now(TrajectoryState s) => s.Progress is { } p && !s.Done && p.Iteration == s.Completed && p.Iteration < p.EpochsPerIteration.Count
        ? $"iter {p.Iteration}: epoch {Math.Min(p.Epoch + 1, p.EpochsPerIteration[p.Iteration])}/{p.EpochsPerIteration[p.Iteration]}"
        : s.Done ? "-" : $"iter {s.Completed}";

    static string Duration(double seconds) => TimeSpan.FromSeconds(seconds) switch
    {
        { TotalDays: >= 1 } t => $"{(int)t.TotalDays} d {t.Hours} h",
        { TotalHours: >= 1 } t => $"{(int)t.TotalHours} h {t.Minutes} min",
        { TotalMinutes: >= 1 } t => $"{(int)t.TotalMinutes} min",
        var t => $"{(int)t.TotalSeconds} s",
    };
}
