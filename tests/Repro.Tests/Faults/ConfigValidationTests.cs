using Repro.Config;
using Repro.Figures;
using Repro.Results;

namespace Repro.Tests.Faults;

/// <summary>Values that would fail only at run time, or never, are refused when the file is loaded.</summary>
[Trait("Category", TestCategories.Unit)]
public class ConfigValidationTests
{

    [Theory]
    [InlineData("  batch_size: 32", "  batch_size: 0", "'schedule.batch_size' is 0; must be >= 1")]
    [InlineData("  eval_batch_size: 100", "  eval_batch_size: 0", "'data.eval_batch_size' is 0; must be >= 1")]
    [InlineData("  eval_batch_size: 100", "  eval_batch_size: -4", "'data.eval_batch_size' is -4; must be >= 1")]
    [InlineData("  lr: 0.05", "  lr: 0", "'schedule.lr' is 0; the learning rate must be a finite number > 0")]
    [InlineData("  lr: 0.05", "  lr: -0.1", "'schedule.lr' is -0.1; the learning rate must be a finite number > 0")]
    [InlineData("  lr: 0.05", "  lr: .inf", "'schedule.lr' is Infinity; the learning rate must be a finite number > 0")]
    [InlineData("  lr: 0.05", "  lr: .nan", "'schedule.lr' is NaN; the learning rate must be a finite number > 0")]
    public void A_profile_value_out_of_range_names_the_file_the_key_and_the_value(string line, string replacement, string message)
    {
        var e = Assert.Throws<ConfigException>(() =>
            ProfileLoader.Parse(TestSupport.CommittedWithLine(["profiles", "ci.yaml"], line, replacement).Text, "ci.yaml"));
        Assert.StartsWith($"ci.yaml: {message}", e.Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-3)]
    [InlineData(double.PositiveInfinity)]
    public void A_per_model_lr_must_be_positive_and_finite(double lr)
    {
        var p = TestSupport.TinyProfile();
        p.Models.Add(new ModelConfig { Architecture = "resnet18", Width = 0.5, Lr = lr });
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Validate(p, "tiny.yaml"));
        Assert.StartsWith($"tiny.yaml: 'models[1].lr' is {lr}; the learning rate of resnet18 must be a finite number > 0", e.Message);
    }

    [Fact]
    public void The_checks_accept_the_committed_values()
    {
        var p = TestSupport.TinyProfile();
        p.Models[0].Lr = 0.01;
        Assert.Same(p, ProfileLoader.Validate(p, "tiny.yaml"));
    }

    [Theory]
    [InlineData("  abs_tol: ", "  abs_tol: .inf", "'values[0].abs_tol' of 'resnet18-w0.25/top1@0' is Infinity; must be a finite number >= 0")]
    [InlineData("  abs_tol: ", "  abs_tol: -0.1", "'values[0].abs_tol' of 'resnet18-w0.25/top1@0' is -0.1; must be a finite number >= 0")]
    [InlineData("  abs_tol: ", "  abs_tol: .nan", "'values[0].abs_tol' of 'resnet18-w0.25/top1@0' is NaN; must be a finite number >= 0")]
    [InlineData("  expected: ", "  expected: .nan", "'values[0].expected' of 'resnet18-w0.25/top1@0' is NaN; must be a finite number.")]
    [InlineData("  expected: ", "  expected: -.inf", "'values[0].expected' of 'resnet18-w0.25/top1@0' is -Infinity; must be a finite number.")]
    public void An_expected_results_value_out_of_range_names_the_file_the_key_and_the_value(string line, string replacement, string message)
    {
        using var dir = new TempDir();
        var path = dir["accuracy.yaml"];
        File.WriteAllText(path, TestSupport.CommittedWithLine(["expected-results", "ci", "accuracy.yaml"], line, replacement).Text);
        var e = Assert.Throws<ConfigException>(() => ExpectedResults.Load(path));
        Assert.StartsWith($"{path}: {message}", e.Message);
        Assert.EndsWith("Correct it, or rederive the bands with 'repro derive-bands'.", e.Message);
    }

    [Theory]
    [InlineData("-0.1", "is -0.1")]
    [InlineData(".inf", "is Infinity")]
    [InlineData(".nan", "is NaN")]
    public void A_cross_machine_tolerance_out_of_range_is_refused(string written, string reads)
    {
        using var dir = new TempDir();
        var path = dir["accuracy.yaml"];
        File.WriteAllText(path, StrictYaml.Serializer.Serialize(new ExpectedResults
        {
            Figure = "accuracy", Profile = "ci", Derivation = "test", Seed = 1,
            Values =
            [
                new ExpectedValue { Series = "m", Metric = "top1", Iteration = 0, Expected = 0.5, AbsTol = 0.01, CrossMachineAbsTol = 0.25 },
                new ExpectedValue { Series = "m", Metric = "top1", Iteration = 1, Expected = 0.5, AbsTol = 0.01 },
            ],
        }).Replace("cross_machine_abs_tol: 0.25", $"cross_machine_abs_tol: {written}"));
        var e = Assert.Throws<ConfigException>(() => ExpectedResults.Load(path));
        Assert.StartsWith($"{path}: 'values[0].cross_machine_abs_tol' of 'm/top1@0' {reads}; must be a finite number >= 0", e.Message);
    }
}
