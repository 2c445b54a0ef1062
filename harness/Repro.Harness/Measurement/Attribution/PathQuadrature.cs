namespace Repro.Measurement.Attribution;

/// <summary>How the path integral of Integrated Gradients is approximated (Captum's method names).</summary>
public enum IntegrationRule { GaussLegendre, RiemannLeft, RiemannRight, RiemannMiddle, RiemannTrapezoid }

/// <summary>Points α_k on [0,1] and weights w_k with ∫₀¹ g(α) dα ≈ Σ w_k g(α_k), as Captum defines each rule.</summary>
public sealed record PathQuadrature(double[] Alphas, double[] Weights)
{
    public static PathQuadrature For(IntegrationRule rule, int steps)
    {
        if (steps < 1 || (rule == IntegrationRule.RiemannTrapezoid && steps < 2))
            throw new ArgumentOutOfRangeException(nameof(steps), steps,
                $"{rule} needs at least {(rule == IntegrationRule.RiemannTrapezoid ? 2 : 1)} steps");
        double[] Uniform(double first, double last) =>
            Enumerable.Range(0, steps).Select(k => steps == 1 ? first : first + (last - first) * k / (steps - 1)).ToArray();
        double[] Equal(double w) => Enumerable.Repeat(w, steps).ToArray();
        return rule switch
        {
            IntegrationRule.GaussLegendre => GaussLegendre(steps),
            IntegrationRule.RiemannLeft => new(Uniform(0, 1 - 1.0 / steps), Equal(1.0 / steps)),
            IntegrationRule.RiemannRight => new(Uniform(1.0 / steps, 1), Equal(1.0 / steps)),
            IntegrationRule.RiemannMiddle => new(Uniform(0.5 / steps, 1 - 0.5 / steps), Equal(1.0 / steps)),
            IntegrationRule.RiemannTrapezoid => new(Uniform(0, 1),
                Enumerable.Range(0, steps).Select(k => k == 0 || k == steps - 1 ? 0.5 / (steps - 1) : 1.0 / (steps - 1)).ToArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
        };
    }

    /// <summary>
    /// Gauss-Legendre nodes and weights on [-1,1] (Newton iteration on the Legendre polynomial P_n), mapped to [0,1]
    /// as Captum does: α = (x+1)/2, w' = w/2. Exact for polynomials of degree up to 2n-1. Nodes ascending.
    /// </summary>
    static PathQuadrature GaussLegendre(int n)
    {
        var alphas = new double[n];
        var weights = new double[n];
        for (var i = 0; i < (n + 1) / 2; i++)
        {
            var x = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
            double derivative;
            for (var iteration = 0; ; iteration++)
            {
                (var p, derivative) = Legendre(n, x);
                var dx = p / derivative;
                x -= dx;
                if (Math.Abs(dx) < 1e-14) break;
                if (iteration == 100) throw new InvalidOperationException($"Gauss-Legendre node {i} of {n} did not converge");
            }
            (_, derivative) = Legendre(n, x);
            var w = 2 / ((1 - x * x) * derivative * derivative);
            // x runs from near +1 downwards; node i and its mirror n-1-i.
            alphas[n - 1 - i] = (1 + x) / 2;
            alphas[i] = (1 - x) / 2;
            weights[n - 1 - i] = weights[i] = w / 2;
        }
        return new PathQuadrature(alphas, weights);
    }

    /// <summary>P_n(x) and P_n'(x) by the three-term recurrence.</summary>
    static (double Value, double Derivative) Legendre(int n, double x)
    {
        double previous = 1, current = x;
        if (n == 0) return (1, 0);
        for (var k = 2; k <= n; k++)
            (previous, current) = (current, ((2 * k - 1) * x * current - (k - 1) * previous) / k);
        return (current, n * (x * current - previous) / (x * x - 1));
    }
}
