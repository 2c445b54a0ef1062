using Repro.Config;

namespace Repro.Tests.Config;

public class ProfileLoaderTests
{
    [Theory]
    [InlineData("smoke")]
    [InlineData("ci")]
    [InlineData("paper")]
    public void Committed_profiles_load_and_validate(string name)
    {
        var p = ProfileLoader.Load(TestSupport.RepoRoot, name);
        Assert.Equal(name, p.Name);
        Assert.NotEmpty(p.Models);
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
        Assert.Equal(("layer4.1", 50, 2, 1.0), (i.GradCamLayer, i.IgSteps, i.SmoothgradSamples, i.NoiseStd));
    }

    static string Ci => File.ReadAllText(Path.Combine(TestSupport.RepoRoot, "profiles", "ci.yaml"));

    [Fact]
    public void The_interpretability_figures_need_their_section_and_sane_counts()
    {
        var without = System.Text.RegularExpressions.Regex.Replace(Ci, @"interpretability:\n(  .*\n)+", "");
        var missing = Assert.Throws<ConfigException>(() => ProfileLoader.Validate(StrictYaml.Parse<Profile>(without, "p.yaml"), "p.yaml"));
        Assert.Contains("'interpretability' is required by figure 'interpretability'", missing.Message);

        var tooMany = System.Text.RegularExpressions.Regex.Replace(Ci, @"heatmap_images: \d+", "heatmap_images: 30");
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Validate(StrictYaml.Parse<Profile>(tooMany, "p.yaml"), "p.yaml"));
        Assert.Contains("'interpretability.heatmap_images' is 30", e.Message);

        var typo = Assert.Throws<ConfigException>(() => StrictYaml.Parse<Profile>(Ci.Replace("ig_steps:", "ig_step:"), "p.yaml"));
        Assert.Contains("unknown key 'interpretability.ig_step'", typo.Message);
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
        var e = Assert.Throws<ConfigException>(() => StrictYaml.Parse<Profile>(Smoke.Replace("  epochs: ", "  epocs: "), "profiles/typo.yaml"));
        Assert.Contains("profiles/typo.yaml:", e.Message);
        Assert.Contains("unknown key 'schedule.epocs'", e.Message);
        Assert.Contains("epochs", e.Message);
    }

    [Fact]
    public void A_missing_required_key_is_named()
    {
        var e = Assert.Throws<ConfigException>(() => StrictYaml.Parse<Profile>(Smoke.Replace("  rate: 0.2\n", ""), "p.yaml"));
        Assert.Contains("missing key 'pruning.rate'", e.Message);
    }

    [Fact]
    public void A_bad_enum_value_lists_the_allowed_values()
    {
        var e = Assert.Throws<ConfigException>(() => StrictYaml.Parse<Profile>(Smoke.Replace("lr_schedule: cosine", "lr_schedule: cosin"), "p.yaml"));
        Assert.Contains("'schedule.lr_schedule' is 'cosin'", e.Message);
        Assert.Contains("step, cosine, constant", e.Message);
    }

    [Fact]
    public void An_unknown_architecture_is_rejected_with_the_allowed_list()
    {
        var p = StrictYaml.Parse<Profile>(Smoke.Replace("architecture: resnet18", "architecture: resnet19"), "p.yaml");
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Validate(p, "p.yaml"));
        Assert.Contains("resnet19", e.Message);
        Assert.Contains("resnet18", e.Message);
    }
}
