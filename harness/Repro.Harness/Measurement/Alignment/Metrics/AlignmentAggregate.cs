namespace Repro.Measurement.Alignment.Metrics;

/// <summary>An observer and its reference on one dataset.</summary>
public sealed record DatasetComparison(string Dataset, ObserverDecisions Observer, ReferenceGroup Reference);

/// <summary>
/// A pairwise metric summarised over the benchmark. <see cref="Reference"/> travels with the number so that a
/// comparison with the dense model is never reported as human alignment.
/// </summary>
public sealed record AlignmentScore(string Metric, ReferenceKind Reference, double Value,
    IReadOnlyList<(string Dataset, double Value)> PerDataset)
{
    public string Label => $"{Metric} ({ReferenceGroup.Describe(Reference)})";
}

/// <summary>
/// The benchmark's summary of a pairwise metric (model-vs-human get_raw_benchmark_df + format_benchmark_df): per
/// dataset, per included condition (<see cref="BenchmarkConditions"/>; a non-parametric dataset is one condition),
/// per reference observer, the metric on that condition's trials; averaged over conditions, then over reference
/// observers, then over datasets. All datasets must use the same kind of reference.
/// </summary>
public static class AlignmentAggregate
{
    public static AlignmentScore Compute(IPairwiseMetric metric, IReadOnlyList<DatasetComparison> datasets)
    {
        if (datasets.Count == 0) throw new ArgumentException($"{metric.Name}: no datasets to summarise");
        var kind = datasets[0].Reference.Kind;
        var mixed = datasets.FirstOrDefault(d => d.Reference.Kind != kind);
        if (mixed != null)
            throw new ArgumentException(
                $"{metric.Name}: dataset '{mixed.Dataset}' is compared with a {mixed.Reference.Kind} reference but '{datasets[0].Dataset}' with a {kind} reference; summarise them separately");
        var perDataset = datasets.Select(d => (d.Dataset, OnDataset(metric, d))).ToList();
        return new AlignmentScore(metric.Name, kind, perDataset.Average(p => p.Item2), perDataset);
    }

    static double OnDataset(IPairwiseMetric metric, DatasetComparison d)
    {
        var conditions = d.Observer.Decisions.Select(x => x.Condition).Distinct()
            .Where(c => !BenchmarkConditions.IsExcluded(d.Dataset, c)).ToList();
        if (conditions.Count == 0)
            throw new ArgumentException($"{metric.Name}: dataset '{d.Dataset}' has no decisions outside its excluded conditions");
        return d.Reference.Observers
            .Select(r => conditions.Average(c => metric.Compute(InCondition(d.Observer, c, d.Dataset), InCondition(r, c, d.Dataset))))
            .Average();
    }

    static List<Decision> InCondition(ObserverDecisions o, string condition, string dataset)
    {
        var decisions = o.Decisions.Where(x => x.Condition == condition).ToList();
        if (decisions.Count == 0)
            throw new ArgumentException($"'{o.Observer}' has no decisions in condition '{condition}' of dataset '{dataset}'; both observers need the same trials");
        return decisions;
    }
}
