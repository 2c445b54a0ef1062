using System.Globalization;
using Repro.Config;
using Repro.Figures;

namespace Repro.Tests.Figures;

/// <summary>The plan view prices each model from measured end-to-end throughput, with the model's own schedule, and lists what runs.</summary>
[Trait("Category", TestCategories.Unit)]
public class PlanViewTests
{
    static Profile Gpu => ProfileLoader.Load(TestSupport.RepoRoot, "gpu");

    static string[] Row(string plan, string key) =>
        plan.Split('\n').Single(l => l.StartsWith(key + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    static string BasisOf(string plan, string key) =>
        plan.Split('\n').Single(l => l.StartsWith($"  {key}: ", StringComparison.Ordinal));

    /// <summary>The "total: about X GPU-minutes/hours" line, in minutes.</summary>
    static double TotalMinutes(string plan)
    {
        var words = plan.Split('\n').Single(l => l.StartsWith("total: about ", StringComparison.Ordinal)).Split(' ');
        var value = double.Parse(words[2], CultureInfo.InvariantCulture);
        return words[3] == "GPU-hours" ? value * 60 : value;
    }

    [Fact]
    public void The_gpu_plan_lists_four_models_seven_figures_and_the_basis_of_every_price()
    {
        var p = Gpu;
        var plan = PlanView.Render(p, null, 2600, 500);
        Assert.Contains("models (4): resnet18, resnet50, vit_b_32, swin_v2_t", plan);
        Assert.Contains("figures (7): accuracy, interpretability, heatmaps, object-discovery, human-alignment, rotation, resnet18-tasks", plan);
        foreach (var arch in new[] { "resnet18", "resnet50", "vit_b_32" })
            Assert.StartsWith($"  {arch}: measured end to end {p.Plan!.EndToEnd[arch].ImagesPerSecond:F0} img/s ({p.Plan.EndToEnd[arch].Measured})", BasisOf(plan, arch));
        Assert.Contains("not measured: vit_b_32's end-to-end 1250 img/s", BasisOf(plan, "swin_v2_t"));
        Assert.Contains("scaled by FLOPs (4.41/5.94 GFLOPs)", BasisOf(plan, "swin_v2_t"));
        Assert.Contains("deviations from the paper (", plan);
        Assert.Contains("  - accuracy is measured over every validation image", plan);
    }

    [Fact]
    public void A_model_without_a_measurement_is_priced_from_the_nearest_measured_architecture_by_FLOPs()
    {
        var p = TestSupport.TinyProfile(iterations: 1);
        p.Data.ImageSize = 224;
        p.Models = [new ModelConfig { Architecture = "swin_v2_t" }];
        p.Plan = new PlanConfig
        {
            ReferenceDevice = "a test device",
            EndToEnd = new()
            {
                ["resnet18"] = new MeasuredThroughput { ImagesPerSecond = 2000, Measured = "far in FLOPs" },
                ["vit_b_32"] = new MeasuredThroughput { ImagesPerSecond = 1000, Measured = "near in FLOPs" },
            },
        };
        var plan = PlanView.Render(p, null, 3600, 0);
        Assert.Contains("swin_v2_t: not measured: vit_b_32's end-to-end 1000 img/s (near in FLOPs) scaled by FLOPs (4.41/5.94 GFLOPs)", plan);
        // (1 dense + 1 retraining epoch) × 3,600 images at 1000 × 4.41 / 5.94 img/s, no validation images
        var hours = 2 * 3600 / (1000 * 4.41 / 5.94) / 3600;
        Assert.Equal(hours.ToString("F3", CultureInfo.InvariantCulture), Row(plan, "swin_v2_t")[6]);
    }

    [Fact]
    public void Each_model_is_priced_with_its_own_schedule_when_it_has_one()
    {
        var p = TestSupport.TinyProfile(iterations: 2);
        p.Models.Add(new ModelConfig { Architecture = "resnet50", Width = 0.25, Schedule = new ScheduleConfig { Epochs = 3, DenseEpochs = 5, BatchSize = 16, TrainImagesPerEpoch = 10 } });
        p.Plan = new PlanConfig { ReferenceDevice = "d", EndToEnd = new() { ["resnet18"] = new MeasuredThroughput { ImagesPerSecond = 100, Measured = "m" } } };
        var plan = PlanView.Render(p, null, 24, 12);
        var shared = Row(plan, "resnet18-w0.25");
        var own = Row(plan, "resnet50-w0.25");
        // columns: model, iterations, final sparsity, epochs/iteration, batch, train images, hours
        Assert.Equal(("1", "8", "72"), (shared[3], shared[4], shared[5])); // (1 + 2 × 1) epochs × 24 images
        Assert.Equal(("3", "16", "110"), (own[3], own[4], own[5]));      // (5 + 2 × 3) epochs × 10 images (the cap)
    }

    [Fact]
    public void The_gpu_profile_reaches_95_percent_sparsity_on_the_resnets_within_30_gpu_minutes_per_seed()
    {
        var p = Gpu;
        var plan = PlanView.Render(p, null, p.Plan!.TrainImages, p.Plan.ValImages);
        foreach (var resnet in new[] { "resnet18", "resnet50" })
        {
            Assert.True(p.IterationsFor(p.Models.Single(m => m.Architecture == resnet)) >= 14);
            Assert.True(double.Parse(Row(plan, resnet)[2].TrimEnd('%'), CultureInfo.InvariantCulture) >= 95, plan);
        }
        Assert.Equal(224, p.Data.ImageSize);
        Assert.InRange(TotalMinutes(plan), 1, 30);
    }

    [Fact]
    public void The_paper_plan_lists_four_models_seven_figures_the_deviations_and_gpu_hours()
    {
        var p = ProfileLoader.Load(TestSupport.RepoRoot, "paper");
        var plan = PlanView.Render(p, Deviations.PaperFor(p, TestSupport.RepoRoot), p.Plan!.TrainImages, p.Plan.ValImages);
        Assert.Contains("models (4): resnet18, resnet50, vit_b_32, swin_v2_t", plan);
        Assert.Contains("figures (7): ", plan);
        Assert.Equal(("26", "25", "13", "7"), (Row(plan, "resnet18")[1], Row(plan, "resnet50")[1], Row(plan, "vit_b_32")[1], Row(plan, "swin_v2_t")[1]));
        // each model at its own recipe's epochs and batch
        Assert.Equal(("90", "32"), (Row(plan, "resnet18")[3], Row(plan, "resnet18")[4]));
        Assert.Equal(("300", "512"), (Row(plan, "vit_b_32")[3], Row(plan, "vit_b_32")[4]));
        Assert.Equal(("300", "128"), (Row(plan, "swin_v2_t")[3], Row(plan, "swin_v2_t")[4]));
        Assert.StartsWith("  resnet18: measured end to end 2200 img/s", BasisOf(plan, "resnet18"));
        Assert.Contains("scaled by FLOPs", BasisOf(plan, "swin_v2_t"));
        Assert.Contains("GPU-hours", plan);
        Assert.Contains("  - accuracy is measured over every validation image", plan);
    }
}
