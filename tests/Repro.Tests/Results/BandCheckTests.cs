using Repro.Config;
using Repro.Results;

namespace Repro.Tests.Results;

[Trait("Category", TestCategories.Unit)]
public class BandCheckTests
{
    static ExpectedResults Expected() => new()
    {
        Figure = "accuracy", Profile = "ci", Derivation = "test",
        Values =
        [
            new ExpectedValue { Series = "resnet18", Metric = "top1", Iteration = 0, Sparsity = 0, Expected = 0.90, AbsTol = 0.05 },
            new ExpectedValue { Series = "resnet18", Metric = "top1", Iteration = 1, Sparsity = 20, Expected = 0.80, AbsTol = 0.01, RelTol = 0.1 },
        ],
    };

    static MeasuredValue Got(int iteration, double value, string metric = "top1") =>
        new() { Series = "resnet18", Metric = metric, Iteration = iteration, Sparsity = iteration * 20, Value = value };

    [Fact]
    public void Values_inside_their_bands_pass()
    {
        Assert.Empty(BandCheck.Compare(Expected(), [Got(0, 0.94), Got(1, 0.80 - 0.01 - 0.08 + 1e-9)]));
    }

    [Fact]
    public void An_out_of_band_value_reads_metric_sparsity_expected_band_and_got()
    {
        var v = Assert.Single(BandCheck.Compare(Expected(), [Got(0, 0.80), Got(1, 0.80)]));
        Assert.Equal("resnet18/top1@0 (sparsity 0.0%): expected 0.9 ± 0.05, got 0.8 (off by 0.1)", v.ToString());
    }

    [Fact]
    public void A_missing_value_and_an_unexpected_value_are_reported()
    {
        var v = BandCheck.Compare(Expected(), [Got(0, 0.9), Got(2, 0.5)]);
        Assert.Equal(2, v.Count);
        Assert.Contains(v, x => x.Problem == "missing" && x.Key == "resnet18/top1@1" && x.ToString().Contains("did not produce it"));
        Assert.Contains(v, x => x.Problem == "unexpected" && x.Key == "resnet18/top1@2");
    }

    [Fact]
    public void NaN_is_never_in_band()
    {
        Assert.Single(BandCheck.Compare(Expected(), [Got(0, double.NaN), Got(1, 0.8)]));
    }

    [Fact]
    public void Received_file_round_trips_and_keeps_existing_bands()
    {
        using var tmp = new TempDir();
        var received = BandCheck.Received("accuracy", "ci", [Got(0, 0.91), Got(1, 0.79), Got(2, 0.7)], Expected(), _ => 0.03, "a test run");
        var path = tmp.Combine("accuracy.received.yaml");
        StrictYaml.SaveAtomically(path, received);
        var back = ExpectedResults.Load(path);
        Assert.Equal(3, back.Values.Count);
        Assert.Equal(0.05, back.Values[0].AbsTol);
        Assert.Equal(0.1, back.Values[1].RelTol);
        Assert.Equal(0.03, back.Values[2].AbsTol);
        Assert.Contains("a test run", back.Derivation);
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_line()
    {
        using var tmp = new TempDir();
        var path = tmp.Combine("accuracy.yaml");
        File.WriteAllText(path, "figure: accuracy\nprofile: ci\nvalues:\n  - series: [unclosed\n");
        var e = Assert.Throws<ConfigException>(() => ExpectedResults.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("malformed YAML", e.Message);
    }

    [Fact]
    public void A_truncated_band_file_names_the_missing_key()
    {
        using var tmp = new TempDir();
        var path = tmp.Combine("accuracy.yaml");
        var full = StrictYaml.Serializer.Serialize(Expected());
        File.WriteAllText(path, full[..full.IndexOf("abs_tol", StringComparison.Ordinal)]);
        var e = Assert.Throws<ConfigException>(() => ExpectedResults.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("missing key 'values[0].abs_tol'", e.Message);
    }

    [Fact]
    public void A_missing_band_file_says_how_to_create_it()
    {
        var e = Assert.Throws<ConfigException>(() => ExpectedResults.Load("/nonexistent/expected-results/ci/accuracy.yaml"));
        Assert.Contains("AcceptResults", e.Message);
    }
}
