namespace Repro.Measurement.Alignment.Metrics;

/// <summary>One observer's decisions on one dataset of the benchmark.</summary>
public sealed record DatasetDecisions(string Dataset, IReadOnlyList<Decision> Decisions);

/// <summary>
/// OOD accuracy (Geirhos et al. 2021): per dataset, top-1 accuracy over the trials of its included conditions
/// (<see cref="BenchmarkConditions"/>); then the mean over datasets (get_mean_over_datasets).
/// </summary>
public static class OodAccuracy
{
    public static double Of(IReadOnlyList<DatasetDecisions> datasets) => PerDataset(datasets).Average(d => d.Accuracy);

    public static IReadOnlyList<(string Dataset, double Accuracy)> PerDataset(IReadOnlyList<DatasetDecisions> datasets)
    {
        if (datasets.Count == 0) throw new ArgumentException("OOD accuracy needs at least one dataset");
        return datasets.Select(d =>
        {
            var included = BenchmarkConditions.Included(d.Dataset, d.Decisions);
            if (included.Count == 0)
                throw new ArgumentException($"dataset '{d.Dataset}' has no decisions outside its excluded conditions");
            return (d.Dataset, Top1Accuracy.Of(included));
        }).ToList();
    }
}
