namespace Repro.Measurement.Alignment.Metrics;

/// <summary>
/// Pairs two observers' decisions trial by trial, by (condition, image id). Both must have seen exactly the same
/// images (the benchmark asserts equal, sorted image ids).
/// </summary>
public static class TrialPairs
{
    public static IReadOnlyList<(Decision A, Decision B)> Match(IReadOnlyList<Decision> a, IReadOnlyList<Decision> b)
    {
        var byKey = new Dictionary<(string, string), Decision>();
        foreach (var d in b)
            if (!byKey.TryAdd((d.Condition, d.ImageId), d))
                throw new ArgumentException($"image '{d.ImageId}' (condition '{d.Condition}') occurs twice in one observer's decisions");
        if (a.Count != b.Count)
            throw new ArgumentException($"observers saw different numbers of trials ({a.Count} vs {b.Count}); compare decisions on the same images");
        var pairs = new List<(Decision, Decision)>(a.Count);
        foreach (var d in a)
        {
            if (!byKey.Remove((d.Condition, d.ImageId), out var other))
                throw new ArgumentException(
                    $"image '{d.ImageId}' (condition '{d.Condition}') was seen by one observer only, or twice; compare decisions on the same images");
            if (other.Category != d.Category)
                throw new ArgumentException($"image '{d.ImageId}' has category '{d.Category}' for one observer and '{other.Category}' for the other");
            pairs.Add((d, other));
        }
        return pairs;
    }
}
