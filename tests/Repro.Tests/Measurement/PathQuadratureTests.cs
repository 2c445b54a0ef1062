using Repro.Measurement.Attribution;

namespace Repro.Tests.Measurement;

[Trait("Category", TestCategories.Unit)]
public class PathQuadratureTests
{
    [Fact]
    public void Gauss_Legendre_with_three_nodes_matches_the_closed_form()
    {
        // On [-1,1]: nodes 0, ±√(3/5), weights 8/9, 5/9; mapped to [0,1] they halve.
        var q = PathQuadrature.For(IntegrationRule.GaussLegendre, 3);
        var r = Math.Sqrt(0.6);
        Assert.Equal([(1 - r) / 2, 0.5, (1 + r) / 2], q.Alphas, (a, b) => Math.Abs(a - b) < 1e-14);
        Assert.Equal([5.0 / 18, 8.0 / 18, 5.0 / 18], q.Weights, (a, b) => Math.Abs(a - b) < 1e-14);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(50)]
    public void Gauss_Legendre_integrates_polynomials_up_to_degree_2n_minus_1_exactly(int n)
    {
        var q = PathQuadrature.For(IntegrationRule.GaussLegendre, n);
        Assert.Equal(n, q.Alphas.Length);
        Assert.True(q.Alphas.Zip(q.Alphas.Skip(1)).All(p => p.First < p.Second), "nodes ascending");
        Assert.True(q.Alphas.All(a => a is > 0 and < 1));
        for (var degree = 0; degree <= 2 * n - 1; degree++)
        {
            var sum = q.Alphas.Select((a, k) => q.Weights[k] * Math.Pow(a, degree)).Sum();
            Assert.True(Math.Abs(sum - 1.0 / (degree + 1)) < 1e-13, $"∫t^{degree} with {n} nodes: {sum} vs {1.0 / (degree + 1)}");
        }
    }

    [Fact]
    public void Riemann_rules_follow_Captums_definitions()
    {
        var left = PathQuadrature.For(IntegrationRule.RiemannLeft, 4);
        Assert.Equal([0, 0.25, 0.5, 0.75], left.Alphas);
        Assert.Equal([0.25, 0.25, 0.25, 0.25], left.Weights);
        Assert.Equal([0.25, 0.5, 0.75, 1], PathQuadrature.For(IntegrationRule.RiemannRight, 4).Alphas);
        Assert.Equal([0.125, 0.375, 0.625, 0.875], PathQuadrature.For(IntegrationRule.RiemannMiddle, 4).Alphas);
        var trapezoid = PathQuadrature.For(IntegrationRule.RiemannTrapezoid, 4);
        Assert.Equal([0, 1.0 / 3, 2.0 / 3, 1], trapezoid.Alphas, (a, b) => Math.Abs(a - b) < 1e-15);
        Assert.Equal([1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6], trapezoid.Weights, (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void Too_few_steps_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PathQuadrature.For(IntegrationRule.GaussLegendre, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PathQuadrature.For(IntegrationRule.RiemannTrapezoid, 1));
    }
}
