namespace Repro.Data.ModelVsHuman;

/// <summary>The benchmark's 16 entry-level categories (sorted, as the benchmark orders them) and their ImageNet classes.</summary>
public static class ModelVsHumanCategories
{
    public static IReadOnlyList<string> Names { get; } = ClassLists.ModelVsHuman.Select(c => c.Category).ToList();

    /// <summary>ImageNet-1k class indices mapped to each category, in <see cref="Names"/> order.</summary>
    public static IReadOnlyList<int[]> ImageNetIndices { get; } = ClassLists.ModelVsHuman.Select(c => c.ImageNetIndices).ToList();

    public static int IndexOf(string category)
    {
        for (var i = 0; i < Names.Count; i++)
            if (Names[i] == category) return i;
        return -1;
    }
}

/// <summary>
/// The benchmark's decision rule for a 1000-class ImageNet model (ImageNetProbabilitiesTo16ClassesMapping):
/// each category's score is the mean softmax probability of its ImageNet classes; the decision is the
/// highest-scoring category (on an exact tie, the first in <see cref="ModelVsHumanCategories.Names"/>).
/// </summary>
public static class SixteenClassDecision
{
    public const int ImageNetClasses = 1000;

    public static double[] Softmax(ReadOnlySpan<float> logits)
    {
        var max = double.NegativeInfinity;
        foreach (var l in logits) max = Math.Max(max, l);
        var p = new double[logits.Length];
        var sum = 0.0;
        for (var i = 0; i < p.Length; i++) sum += p[i] = Math.Exp(logits[i] - max);
        for (var i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }

    public static double[] CategoryScores(ReadOnlySpan<double> probabilities)
    {
        if (probabilities.Length != ImageNetClasses)
            throw new ArgumentException($"expected {ImageNetClasses} ImageNet probabilities, got {probabilities.Length}");
        var scores = new double[ModelVsHumanCategories.Names.Count];
        for (var c = 0; c < scores.Length; c++)
        {
            var indices = ModelVsHumanCategories.ImageNetIndices[c];
            var sum = 0.0;
            foreach (var i in indices) sum += probabilities[i];
            scores[c] = sum / indices.Length;
        }
        return scores;
    }

    /// <summary>The category index chosen for one image's 1000 softmax probabilities.</summary>
    public static int Decide(ReadOnlySpan<double> probabilities)
    {
        var scores = CategoryScores(probabilities);
        var best = 0;
        for (var c = 1; c < scores.Length; c++)
            if (scores[c] > scores[best]) best = c;
        return best;
    }

    public static int DecideFromLogits(ReadOnlySpan<float> logits) => Decide(Softmax(logits));
}
