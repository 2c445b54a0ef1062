namespace Repro.Measurement.Alignment.Metrics;

/// <summary>A metric comparing one observer's decisions with a reference observer's on the same trials.</summary>
public interface IPairwiseMetric
{
    string Name { get; }

    /// <summary>True when larger values mean more similar to the reference.</summary>
    bool HigherIsCloser { get; }

    double Compute(IReadOnlyList<Decision> observer, IReadOnlyList<Decision> reference);
}
