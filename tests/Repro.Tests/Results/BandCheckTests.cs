using Repro.Config;
using Repro.Results;

namespace Repro.Tests.Results;

[Trait("Category", TestCategories.Unit)]
public class BandCheckTests
{
    const string Here = "GenuineIntel family 6 model 85 avx512f";

    static ExpectedResults Expected() => new()
    {
        Figure = "accuracy", Profile = "ci", Derivation = "test", Seed = 1, Threads = 2, Machine = Here, Convolutions = "native",
        Values =
        [
            new ExpectedValue { Series = "resnet18", Metric = "top1", Iteration = 0, Sparsity = 0, Expected = 0.90, AbsTol = 0.05, CrossMachineAbsTol = 0.1 },
            new ExpectedValue { Series = "resnet18", Metric = "top1", Iteration = 1, Sparsity = 20, Expected = 0.80, AbsTol = 0.01 },
        ],
    };

    static Provenance Run(int seed = 1, string machine = Here, string convolutions = "native: performance.onednn: off, not checked") =>
        new() { Seed = seed, Machine = machine, Convolutions = convolutions, Threads = 2 };

    static MeasuredValue Got(int iteration, double value, string metric = "top1") =>
        new() { Series = "resnet18", Metric = metric, Iteration = iteration, Sparsity = iteration * 20, Value = value };

    [Fact]
    public void Values_inside_their_bands_pass()
    {
        var c = BandCheck.Compare(Expected(), [Got(0, 0.94), Got(1, 0.80 - 0.01 + 1e-9)], Run());
        Assert.Empty(c.Violations);
        Assert.True(c.MachineMatches);
        Assert.Equal(0, c.NotComparable);
    }

    [Fact]
    public void An_out_of_band_value_reads_metric_sparsity_expected_band_and_got()
    {
        var v = Assert.Single(BandCheck.Compare(Expected(), [Got(0, 0.80), Got(1, 0.80)], Run()).Violations);
        Assert.Equal("resnet18/top1@0 (sparsity 0.0%): expected 0.9 ± 0.05, got 0.8 (off by 0.1)", v.ToString());
    }

    [Fact]
    public void A_missing_value_and_an_unexpected_value_are_reported()
    {
        var v = BandCheck.Compare(Expected(), [Got(0, 0.9), Got(2, 0.5)], Run()).Violations;
        Assert.Equal(2, v.Count);
        Assert.Contains(v, x => x.Problem == "missing" && x.Key == "resnet18/top1@1" && x.ToString().Contains("did not produce it"));
        Assert.Contains(v, x => x.Problem == "unexpected" && x.Key == "resnet18/top1@2");
    }

    [Fact]
    public void NaN_is_never_in_band()
    {
        Assert.Single(BandCheck.Compare(Expected(), [Got(0, double.NaN), Got(1, 0.8)], Run()).Violations);
    }

    [Fact]
    public void On_another_machine_the_cross_machine_tolerance_applies_and_values_without_one_are_not_compared()
    {
        // 0.98 is outside the same-machine 0.05 but inside the cross-machine 0.1; @1 has no cross-machine tolerance
        var elsewhere = Run(machine: "AuthenticAMD family 25 model 1 avx2");
        var c = BandCheck.Compare(Expected(), [Got(0, 0.98), Got(1, 0.2)], elsewhere);
        Assert.Empty(c.Violations);
        Assert.False(c.MachineMatches);
        Assert.Equal(1, c.NotComparable);

        var v = Assert.Single(BandCheck.Compare(Expected(), [Got(0, 1.01), Got(1, 0.2)], elsewhere).Violations);
        Assert.Equal(0.1, v.Band);
        Assert.Single(BandCheck.Compare(Expected(), [Got(0, 0.98), Got(1, 0.8)], Run()).Violations);
    }

    [Fact]
    public void Other_convolution_kernels_count_as_another_machine_but_another_reason_for_the_same_kernels_does_not()
    {
        Assert.False(BandCheck.Compare(Expected(), [Got(0, 0.9), Got(1, 0.8)], Run(convolutions: "onednn: passed its self-check")).MachineMatches);
        Assert.True(BandCheck.Compare(Expected(), [Got(0, 0.9), Got(1, 0.8)], Run(convolutions: "native: oneDNN failed its self-check")).MachineMatches);
    }

    [Fact]
    public void A_run_of_another_seed_is_one_violation_naming_both_seeds_and_how_to_derive()
    {
        var c = BandCheck.Compare(Expected(), [Got(0, 0.9), Got(1, 0.8)], Run(seed: 2));
        var v = Assert.Single(c.Violations);
        Assert.Equal("seed", v.Problem);
        Assert.Contains("the expected values are for training seed 1, but this run trained seed 2", v.ToString());
        Assert.Contains("dotnet build -t:DeriveBands -p:Profile=ci", v.ToString());
    }

    [Fact]
    public void Received_file_round_trips_with_the_runs_seed_and_machine_and_keeps_existing_tolerances()
    {
        using var tmp = new TempDir();
        var run = Run(machine: "AuthenticAMD family 25 model 1 avx2");
        run.Threads = 1;
        var received = BandCheck.Received("accuracy", "ci", [Got(0, 0.91), Got(1, 0.79), Got(2, 0.7), Got(2, 0.7, "sparsity_pct"), Got(2, 5e5, "nonzero_weights")],
            Expected(), m => m == "sparsity_pct" ? 0.1 : 0.7, run, "a test run");
        var path = tmp.Combine("received.yaml");
        StrictYaml.SaveAtomically(path, received);
        var back = ExpectedResults.Load(path);
        Assert.Equal((1, "AuthenticAMD family 25 model 1 avx2", 1, "native"), (back.Seed, back.Machine, back.Threads, back.Convolutions));
        Assert.Equal(5, back.Values.Count);
        Assert.Equal((0.05, 0.1), (back.Values[0].AbsTol, back.Values[0].CrossMachineAbsTol));
        Assert.Equal((0.01, null), (back.Values[1].AbsTol, back.Values[1].CrossMachineAbsTol));
        // a new value: the figure's default, its band never spanning more than half the metric's range, and no cross-machine tolerance
        Assert.Equal((0.25, null), (back.Values[2].AbsTol, back.Values[2].CrossMachineAbsTol));
        Assert.Equal(0.1, back.Values[3].AbsTol);
        Assert.Equal(0, back.Values[4].AbsTol);
        Assert.Contains("a test run", back.Derivation);
    }

    [Fact]
    public void A_file_in_the_format_before_per_seed_values_says_to_derive_it_anew()
    {
        using var tmp = new TempDir();
        var path = tmp.Combine("accuracy.yaml");
        File.WriteAllText(path, "figure: accuracy\nprofile: ci\nderivation: old\nvalues:\n- series: m\n  metric: top1\n  iteration: 0\n  expected: 0.5\n  abs_tol: 0.1\n  rel_tol: 0\n");
        var e = Assert.Throws<ConfigException>(() => ExpectedResults.Load(path));
        Assert.StartsWith($"{path}: written before expected values were per seed", e.Message);
        Assert.Contains("repro derive-bands", e.Message);
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
