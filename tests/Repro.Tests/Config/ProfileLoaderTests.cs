using Repro.Config;
using Repro.Figures;

namespace Repro.Tests.Config;

[Trait("Category", TestCategories.Unit)]
public class ProfileLoaderTests
{
    [Theory]
    [InlineData("smoke")]
    [InlineData("ci")]
    [InlineData("paper")]
    [InlineData("gpu")]
    public void Committed_profiles_load_and_validate(string name)
    {
        var p = ProfileLoader.Load(TestSupport.RepoRoot, name);
        Assert.Equal(name, p.Name);
        // Written back and read again, it is the same profile (the kill test and tools hand profiles on this way).
        var yaml = ProfileLoader.Write(p);
        var back = ProfileLoader.Parse(yaml, $"{name} written back");
        Assert.Equal(yaml, ProfileLoader.Write(back));
        Assert.Equal(p.Sections.Keys.Order(), back.Sections.Keys.Order());
        Assert.Equal(p.Models.Select(m => m.Key), back.Models.Select(m => m.Key));
    }

    [Fact]
    public void Paper_profile_writes_down_the_authors_protocol()
    {
        var p = ProfileLoader.Load(TestSupport.RepoRoot, "paper");
        Assert.Equal(0.2, p.Pruning.Rate);
        Assert.Equal(90, p.Schedule.Epochs);
        Assert.Equal(LrScheduleKind.Step, p.Schedule.LrSchedule);
        Assert.Equal((30, 0.1), (p.Schedule.StepEpochs, p.Schedule.Gamma));
        Assert.Equal(224, p.Data.ImageSize);
        Assert.Equal(26, p.IterationsFor(p.Models.Single(m => m.Architecture == "resnet18")));
    }

    [Fact]
    public void Paper_profile_holds_the_papers_attribution_settings()
    {
        var i = ProfileLoader.Load(TestSupport.RepoRoot, "paper").Interpretability!;
        // no layer named: each ResNet's last block of layer4, as the paper's
        Assert.Equal(((string?)null, 50, 2, 1.0), (i.GradCamLayer, i.IgSteps, i.SmoothgradSamples, i.NoiseStd));
        Assert.Equal(("VOCdevkit/VOC2012", "trainval", 100), (i.Voc12Root, i.Split, i.Images));
    }

    static string Ci => File.ReadAllText(Path.Combine(TestSupport.RepoRoot, "profiles", "ci.yaml"));

    [Fact]
    public void The_interpretability_figures_need_their_section_and_sane_counts()
    {
        var without = System.Text.RegularExpressions.Regex.Replace(Ci, @"interpretability:\n(  .*\n)+", "");
        var missing = Assert.Throws<ConfigException>(() => ProfileLoader.Parse(without, "p.yaml"));
        Assert.Contains("'interpretability' is required by figure 'interpretability'", missing.Message);

        var tooMany = System.Text.RegularExpressions.Regex.Replace(Ci, @"heatmap_images: \d+", "heatmap_images: 30");
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Parse(tooMany, "p.yaml"));
        Assert.Contains("'interpretability.heatmap_images' is 30", e.Message);

        var typo = Assert.Throws<ConfigException>(() => ProfileLoader.Read(Ci.Replace("ig_steps:", "ig_step:"), "p.yaml"));
        Assert.Contains("unknown key 'interpretability.ig_step'", typo.Message);
    }

    [Theory]
    [InlineData("smoke", true)]
    [InlineData("paper", true)]
    [InlineData("ci", true)]
    [InlineData("gpu", true)]
    public void The_control_key_is_read_and_written_back(string name, bool control)
    {
        var p = ProfileLoader.Load(TestSupport.RepoRoot, name);
        Assert.Equal(control, p.Pruning.Control);
        Assert.Equal(control, ProfileLoader.Parse(ProfileLoader.Write(p), "written back").Pruning.Control);
    }

    [Fact]
    public void A_control_with_method_snip_is_refused_naming_the_key()
    {
        var snip = Smoke.Replace("  method: magnitude\n", "  method: snip\n  snip_sparsity: 0.5\n");
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Parse(snip, "p.yaml"));
        Assert.Contains("'pruning.control' is true, but method snip", e.Message);
        Assert.False(ProfileLoader.Parse(snip.Replace("  control: true\n", ""), "p.yaml").Pruning.Control);
    }

    [Fact]
    public void Unknown_profile_lists_the_available_ones()
    {
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Load(TestSupport.RepoRoot, "smok"));
        Assert.Contains("unknown profile 'smok'", e.Message);
        Assert.Contains("smoke", e.Message);
    }

    static string Smoke => File.ReadAllText(Path.Combine(TestSupport.RepoRoot, "profiles", "smoke.yaml"));

    [Fact]
    public void A_typo_names_the_file_the_key_and_the_allowed_keys()
    {
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Read(Smoke.Replace("  epochs: ", "  epocs: "), "profiles/typo.yaml"));
        Assert.Contains("profiles/typo.yaml:", e.Message);
        Assert.Contains("unknown key 'schedule.epocs'", e.Message);
        Assert.Contains("epochs", e.Message);
    }

    [Fact]
    public void A_missing_required_key_is_named()
    {
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Read(Smoke.Replace("  rate: 0.2\n", ""), "p.yaml"));
        Assert.Contains("missing key 'pruning.rate'", e.Message);
    }

    [Fact]
    public void A_bad_enum_value_lists_the_allowed_values()
    {
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Read(Smoke.Replace("lr_schedule: cosine", "lr_schedule: cosin"), "p.yaml"));
        Assert.Contains("'schedule.lr_schedule' is 'cosin'", e.Message);
        Assert.Contains("step, cosine, constant", e.Message);
    }

    [Fact]
    public void An_unknown_architecture_is_rejected_with_the_allowed_list()
    {
        var p = ProfileLoader.Read(Smoke.Replace("architecture: resnet18", "architecture: resnet19"), "p.yaml");
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Validate(p, "p.yaml"));
        Assert.Contains("resnet19", e.Message);
        Assert.Contains("resnet18", e.Message);
    }

    [Fact]
    public void The_gpu_profile_runs_the_papers_full_size_models_with_its_speed_options()
    {
        var p = ProfileLoader.Load(TestSupport.RepoRoot, "gpu");
        Assert.Equal(["resnet18", "resnet50", "vit_b_32", "swin_v2_t"], p.Models.Select(m => m.Key));
        Assert.Equal(224, p.Data.ImageSize);
        Assert.Equal(DeviceChoice.Cuda, p.Device);
        Assert.True(p.Performance.Tf32 && p.Performance.ChannelsLast && p.Performance.DeviceTransforms && p.Performance.FlatOptimizer);
        Assert.Equal((0.01, 0.01), (p.LrFor(p.Models[2]), p.LrFor(p.Models[3])));
        Assert.Equal(FigureCatalog.Names.Order(), p.Figures.Order());
    }

    [Fact]
    public void Retraining_gets_its_own_learning_rate_when_the_schedule_sets_one()
    {
        var p = ProfileLoader.Parse(Smoke, "p.yaml");
        var model = p.Models[0];
        Assert.Equal(p.Schedule.Lr, p.LrFor(model, 0));
        Assert.Equal(p.Schedule.RetrainLr, p.LrFor(model, 1));
        p.Schedule.RetrainLr = null;
        Assert.Equal(p.Schedule.Lr, p.LrFor(model, 3));
    }

    [Fact]
    public void A_typo_in_the_performance_section_names_the_allowed_keys()
    {
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Read(Smoke.Replace("performance:\n", "performance:\n  tf23: true\n"), "p.yaml"));
        Assert.Contains("tf23", e.Message);
        Assert.Contains("channels_last", e.Message);
    }

    [Fact]
    public void A_discovery_stride_other_than_8_16_or_32_is_rejected()
    {
        var p = ProfileLoader.Read(Smoke.Replace("discovery:\n", "discovery:\n  stride: 12\n"), "p.yaml");
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Validate(p, "p.yaml"));
        Assert.Contains("'discovery.stride' is 12; allowed values: 8, 16, 32", e.Message);
    }

    [Fact]
    public void Paper_profile_evaluates_every_model_vs_human_image_of_the_release()
    {
        var a = ProfileLoader.Load(TestSupport.RepoRoot, "paper").Alignment!;
        Assert.Equal(AlignmentSource.ModelVsHuman, a.Source);
        Assert.Equal(Repro.Data.ModelVsHuman.ModelVsHumanDatasets.All.Select(d => d.Name).Order(), a.Datasets.Order());
        Assert.Null(a.ParametricImagesPerClass);
        Assert.Null(a.NonParametricImagesPerClass);
    }

    [Theory]
    [InlineData("cue-conflict, colour", "cue-confict, colour", "names 'cue-confict'")]
    [InlineData("rotation, eidolonI", "eidolonI", "lacks rotation, which figure 'rotation' plots")]
    [InlineData("  parametric_images_per_class: 2\n", "", "are required when alignment.source is synthetic")]
    [InlineData("  seed: 1\n", "", "are required when alignment.source is synthetic")]
    [InlineData("non_parametric_images_per_class: 10", "non_parametric_images_per_class: 0", "must be >= 1")]
    [InlineData("edge, silhouette,", "edge, edge,", "lists 'edge' more than once")]
    public void Alignment_section_mistakes_are_named(string from, string to, string message)
    {
        var text = Smoke.Replace(from, to);
        Assert.NotEqual(Smoke, text);
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Parse(text, "p.yaml"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Alignment_figures_need_the_alignment_section()
    {
        var text = Smoke[..Smoke.IndexOf("# Model-vs-human sets", StringComparison.Ordinal)];
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Parse(text, "p.yaml"));
        Assert.Contains("'alignment' is missing; figure 'human-alignment'", e.Message);
    }
}
