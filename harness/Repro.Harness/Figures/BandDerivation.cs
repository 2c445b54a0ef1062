using System.Globalization;
using Repro.Config;
using Repro.Results;
using Repro.Training;

namespace Repro.Figures;

/// <summary>
/// Derives expected values and bands from a multi-seed reference run: the figure is measured once per
/// reference seed; expected = mean over seeds; band = max(the metric's floor, 3 × sample std, max − min).
/// </summary>
public static class BandDerivation
{
    public static ExpectedResults Derive(IFigure figure, Profile profile, IReadOnlyList<int> seeds,
        Func<Profile, RunContext> contextFor)
    {
        if (seeds.Count < 2)
            throw new ConfigException($"profile '{profile.Name}': deriving bands needs at least two reference seeds (reference_seeds), got {seeds.Count}");
        var runs = new List<List<MeasuredValue>>();
        string device = "";
        int? threads = null;
        foreach (var seed in seeds)
        {
            var seeded = ProfileLoader.Read(ProfileLoader.Write(profile), $"profile '{profile.Name}'");
            seeded.Seed = seed;
            var context = contextFor(seeded);
            device = context.DeviceDescription;
            threads = context.CpuThreads;
            context.Log($"== reference run for '{figure.Name}', seed {seed} ({runs.Count + 1}/{seeds.Count})");
            runs.Add(FigureRunner.Measure(figure, context).Values);
        }
        var keys = runs[0].Select(v => v.Key).ToList();
        var values = new List<ExpectedValue>();
        foreach (var key in keys)
        {
            var samples = runs.Select(r => r.FirstOrDefault(v => v.Key == key)).ToList();
            if (samples.Any(s => s == null))
                throw new InvalidOperationException($"value {key} is missing from some reference runs");
            var xs = samples.Select(s => s!.Value).ToArray();
            var mean = xs.Average();
            var sd = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Length - 1));
            var first = samples[0]!;
            values.Add(new ExpectedValue
            {
                Series = first.Series, Metric = first.Metric, Iteration = first.Iteration, Sparsity = first.Sparsity,
                Expected = Math.Round(mean, 6),
                AbsTol = Math.Round(Math.Max(figure.DefaultAbsTol(first.Metric), Math.Max(3 * sd, xs.Max() - xs.Min())), 6),
            });
        }
        return new ExpectedResults
        {
            Figure = figure.Name,
            Profile = profile.Name,
            ReferenceSeeds = seeds.ToList(),
            Threads = threads,
            Derivation = FormattableString.Invariant(
                $"Reference run with seeds {string.Join(", ", seeds)} on {device} (speed options: {profile.Performance.Describe()}), {DateTime.UtcNow:yyyy-MM-dd}. expected = mean over seeds; abs_tol = max(metric floor, 3 x sample std, max - min). Metric floors: ") +
                string.Join(", ", keys.Select(k => runs[0].First(v => v.Key == k).Metric).Distinct().Select(m => FormattableString.Invariant($"{m} {figure.DefaultAbsTol(m)}"))) + ".",
            Values = values,
        };
    }
}
