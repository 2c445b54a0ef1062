using System.Globalization;
using MathNet.Numerics.Distributions;

namespace Repro.Results;

/// <summary>
/// A mean paired difference over seeds × units with its standard error and degrees of freedom, and the Student-t
/// tests and intervals on it. A standard error of +∞ (one seed and one unit) admits no inference: both p-values are 1
/// and the interval is (−∞, ∞). A standard error of 0 (every difference exactly equal) makes the data decide alone:
/// a positive mean gives <see cref="PGreater"/> 0 and <see cref="PLess"/> 1, a negative one the reverse, and a mean
/// of exactly 0 gives 1 for both (the interval is the point itself; the degrees of freedom, (S − 1) + (n − 1), then
/// enter nothing).
/// </summary>
public sealed record EffectEstimate(double Mean, double StandardError, double DegreesOfFreedom, int Seeds, int Units)
{
    /// <summary>One-sided p-value of H0: true mean ≤ −<paramref name="margin"/> (t = (mean + margin) / SE).</summary>
    public double PGreater(double margin = 0)
    {
        if (!double.IsFinite(margin)) throw new ArgumentException($"the margin must be finite, got {margin}", nameof(margin));
        return UpperTail(Mean + margin);
    }

    /// <summary>One-sided p-value of H0: true mean ≥ 0.</summary>
    public double PLess() => UpperTail(-Mean);

    /// <summary>Two-sided interval at <paramref name="confidence"/>: mean ± t(df, 1 − (1 − confidence)/2) · SE.</summary>
    public (double Lower, double Upper) Interval(double confidence)
    {
        if (!(confidence > 0 && confidence < 1))
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "the confidence must lie strictly between 0 and 1");
        if (double.IsPositiveInfinity(StandardError)) return (double.NegativeInfinity, double.PositiveInfinity);
        if (StandardError == 0) return (Mean, Mean);
        var half = UpperQuantile(DegreesOfFreedom, (1 - confidence) / 2) * StandardError;
        return (Mean - half, Mean + half);
    }

    // The x with P(T > x) = tail. MathNet searches its inverse within ±800 only, which a t with one or two degrees of
    // freedom exceeds at the tails of a large family's Bonferroni level; beyond that, bisection on its CDF.
    static double UpperQuantile(double df, double tail)
    {
        const double Bracket = 800;
        var t = new StudentT(0, 1, df);
        if (t.CumulativeDistribution(-Bracket) < tail) return t.InverseCumulativeDistribution(1 - tail);
        double lo = Bracket, hi = 2 * Bracket;
        while (t.CumulativeDistribution(-hi) > tail) (lo, hi) = (hi, 2 * hi);
        for (var step = 0; step < 200 && hi - lo > 1e-12 * hi; step++)
        {
            var mid = (lo + hi) / 2;
            if (t.CumulativeDistribution(-mid) > tail) lo = mid;
            else hi = mid;
        }
        return (lo + hi) / 2;
    }

    // P(T ≥ shifted / SE) under H0, read from the lower tail so that small p-values keep their precision.
    double UpperTail(double shifted)
    {
        if (double.IsPositiveInfinity(StandardError)) return 1;
        if (StandardError == 0) return shifted > 0 ? 0 : 1;
        return new StudentT(0, 1, DegreesOfFreedom).CumulativeDistribution(-shifted / StandardError);
    }
}

/// <summary>
/// The mean paired difference of two arms measured on the same units (evaluation images, or validation images for an
/// accuracy) by the same seeds, x[seed][unit].
/// <para>
/// The design is crossed: every seed scores the same images, so an image that is hard is hard for every seed, and a
/// seed that trained well is good on every image. The differences are modelled as d = μ + a_s + b_i + e_si with
/// random seed effects a, image effects b and residual e. The images are a sample of their population just as the
/// seeds are, and the same sample serves every seed, so the image term must be counted once for the whole table
/// (resampled jointly across seeds): treating the S·n cells as independent would divide its variance by S·n instead
/// of n and overstate the evidence, and so would dropping the seed term.
/// </para>
/// <para>
/// With MS_seed = n·var(row means) on S − 1 df and MS_image = S·var(column means) on n − 1 df, the variance of the
/// grand mean, σ_a²/S + σ_b²/n + σ_e²/(S·n), is estimated by (MS_seed + MS_image)/(S·n). Its expectation exceeds
/// the true variance by σ_e²/(S·n), so it is conservative, but unlike the unbiased MS_seed + MS_image − MS_error it
/// can never be negative. Its degrees of freedom are Satterthwaite's. One seed reduces it to the paired t-test over
/// images (seed-to-seed variation is then not measured at all); one image to a t-test over seeds.
/// </para>
/// </summary>
public static class PairedEffect
{
    public static EffectEstimate Of(double[][] treated, double[][] reference)
    {
        ArgumentNullException.ThrowIfNull(treated);
        ArgumentNullException.ThrowIfNull(reference);
        var (seeds, units) = Shape(treated, nameof(treated));
        var shape = Shape(reference, nameof(reference));
        if (shape != (seeds, units))
            throw new ArgumentException(FormattableString.Invariant(
                $"treated is {Describe(treated)} but reference is {Describe(reference)}: a paired difference needs the same seeds and units in both"));
        var d = new double[seeds][];
        for (var s = 0; s < seeds; s++)
        {
            d[s] = new double[units];
            for (var i = 0; i < units; i++)
            {
                CheckFinite(treated[s][i], nameof(treated), s, i);
                CheckFinite(reference[s][i], nameof(reference), s, i);
                d[s][i] = treated[s][i] - reference[s][i];
            }
        }
        return Estimate(d);
    }

    public static EffectEstimate OfDifferences(double[][] d)
    {
        ArgumentNullException.ThrowIfNull(d);
        Shape(d, nameof(d));
        for (var s = 0; s < d.Length; s++)
            for (var i = 0; i < d[s].Length; i++)
                CheckFinite(d[s][i], nameof(d), s, i);
        return Estimate(d);
    }

    static EffectEstimate Estimate(double[][] d)
    {
        int seeds = d.Length, units = d[0].Length;
        var rows = new double[seeds];
        var columns = new double[units];
        double total = 0;
        var allEqual = true;
        for (var s = 0; s < seeds; s++)
            for (var i = 0; i < units; i++)
            {
                rows[s] += d[s][i];
                columns[i] += d[s][i];
                total += d[s][i];
                allEqual &= d[s][i] == d[0][0];
            }
        var mean = total / (seeds * units);
        if (seeds == 1 && units == 1) return new(mean, double.PositiveInfinity, 0, seeds, units);
        // Exactly equal differences: checked directly, as rounding in the means would leave a spurious tiny variance.
        if (allEqual) return new(d[0][0], 0, (seeds - 1) + (units - 1), seeds, units);

        double msSeed = 0, msImage = 0;
        if (seeds > 1)
        {
            foreach (var r in rows) msSeed += Square(r / units - mean);
            msSeed *= (double)units / (seeds - 1);
        }
        if (units > 1)
        {
            foreach (var c in columns) msImage += Square(c / seeds - mean);
            msImage *= (double)seeds / (units - 1);
        }
        var sum = msSeed + msImage;
        var se = Math.Sqrt(sum / (seeds * units));
        // Satterthwaite; a term without degrees of freedom is absent from both the sum and the denominator.
        var denominator = (seeds > 1 ? Square(msSeed) / (seeds - 1) : 0) + (units > 1 ? Square(msImage) / (units - 1) : 0);
        var df = Square(sum) / denominator;
        return new(mean, se, df, seeds, units);
    }

    static (int Seeds, int Units) Shape(double[][] x, string name)
    {
        if (x.Length == 0) throw new ArgumentException($"{name} has no seeds: at least one row is needed", name);
        for (var s = 0; s < x.Length; s++)
        {
            if (x[s] == null) throw new ArgumentException($"{name}[{s}] is null", name);
            if (x[s].Length != x[0].Length)
                throw new ArgumentException(FormattableString.Invariant(
                    $"{name} is ragged: seed 0 has {x[0].Length} units but seed {s} has {x[s].Length}; every seed must score the same units"), name);
        }
        if (x[0].Length == 0) throw new ArgumentException($"{name} has no units: at least one per seed is needed", name);
        return (x.Length, x[0].Length);
    }

    static string Describe(double[][] x) => x.Length == 0
        ? "0 seeds"
        : FormattableString.Invariant($"{x.Length} seed(s) × {x[0]?.Length ?? 0} units");

    static void CheckFinite(double v, string name, int seed, int unit)
    {
        if (!double.IsFinite(v))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{name}[{seed}][{unit}] (seed index {seed}, unit index {unit}) is {v}: every value must be finite"), name);
    }

    static double Square(double v) => v * v;
}
