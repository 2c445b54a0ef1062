using Repro.Config;
using Repro.Figures;

namespace Repro.Tests.Config;

/// <summary>A figure's own profile section is read beside the profile, as strictly, without the profile type knowing it.</summary>
[Trait("Category", TestCategories.Unit)]
public class FigureSectionTests
{
    static string Ci => File.ReadAllText(Path.Combine(TestSupport.RepoRoot, "profiles", "ci.yaml"));

    [Fact]
    public void The_discovery_section_belongs_to_the_object_discovery_figure_and_is_read_into_the_profile()
    {
        Assert.Equal(new ProfileSection("discovery", typeof(DiscoveryConfig)), new ObjectDiscoveryFigure().Section);
        Assert.DoesNotContain(typeof(Profile).GetProperties(), p => p.PropertyType == typeof(DiscoveryConfig));
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        var discovery = Assert.IsType<DiscoveryConfig>(profile.Sections["discovery"]);
        Assert.Equal(["voc12-trainval", "voc12-val", "coco20k"], discovery.Datasets);
        Assert.Same(discovery, DiscoveryConfig.Of(profile));
    }

    [Fact]
    public void A_typo_inside_a_figure_section_names_the_file_line_and_key()
    {
        var text = Ci.Replace("  qualitative_images:", "  qualitative_image:");
        var line = text.Split('\n').ToList().FindIndex(l => l.StartsWith("  qualitative_image:", StringComparison.Ordinal)) + 1;
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Parse(text, "ci.yaml"));
        Assert.Contains($"ci.yaml:{line}", e.Message);
        Assert.Contains("qualitative_image", e.Message);
    }

    [Fact]
    public void Keys_after_a_figure_section_keep_their_line_numbers()
    {
        // a typo in the last top-level key, after the discovery section was taken out of the text
        var text = Ci.TrimEnd('\n') + "\nreference_sedes: [1, 2]\n";
        var line = text.Split('\n').Length - 1;
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Parse(text, "ci.yaml"));
        Assert.Contains($"ci.yaml:{line}", e.Message);
    }

    [Fact]
    public void A_profile_without_the_section_gets_its_defaults_and_changes_to_them_stick()
    {
        var profile = TestSupport.TinyProfile();
        Assert.Empty(profile.Sections);
        DiscoveryConfig.Of(profile).Stride = 16;
        Assert.Equal(16, DiscoveryConfig.Of(profile).Stride);
        Assert.Equal(100, DiscoveryConfig.Of(TestSupport.TinyProfile()).KPatches);
    }
}
