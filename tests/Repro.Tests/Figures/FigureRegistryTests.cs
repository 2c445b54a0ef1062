using System.Text.RegularExpressions;
using System.Xml.Linq;
using Repro.Figures;

namespace Repro.Tests.Figures;

/// <summary>The figure registry is the one list: names, MSBuild targets and profiles must agree with it.</summary>
[Trait("Category", TestCategories.Unit)]
public class FigureRegistryTests
{
    [Fact]
    public void Every_figure_is_found_by_reflection_and_named_in_kebab_case()
    {
        Assert.Equal(["accuracy", "heatmaps", "human-alignment", "interpretability", "object-discovery", "resnet18-tasks", "rotation"], FigureCatalog.Names);
        Assert.All(FigureCatalog.Names, n => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", n));
    }

    [Fact]
    public void Each_figure_has_exactly_one_msbuild_target_that_runs_it()
    {
        var targets = XDocument.Load(Path.Combine(TestSupport.RepoRoot, "after.Repro.sln.targets")).Root!.Elements("Target")
            .Where(t => t.Attribute("Name")!.Value.StartsWith("Figure-", StringComparison.Ordinal))
            .ToDictionary(t => t.Attribute("Name")!.Value, t => Regex.Match(t.Element("MSBuild")!.Attribute("Properties")!.Value, @"Figures=([a-z0-9-]+)").Groups[1].Value);
        Assert.Equal(FigureCatalog.Names.Order(), targets.Values.Order());
        foreach (var (target, figure) in targets)
            Assert.Equal("Figure-" + string.Concat(figure.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])), target, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_profile_lists_only_registered_figures_and_loads()
    {
        foreach (var name in ProfileLoader.Available(TestSupport.RepoRoot))
        {
            var profile = ProfileLoader.Load(TestSupport.RepoRoot, name);
            Assert.All(profile.Figures, f => Assert.Contains(f, FigureCatalog.Names));
        }
    }

    [Fact]
    public void A_profile_naming_an_unknown_figure_is_refused_with_the_registered_names()
    {
        var profile = TestSupport.TinyProfile();
        profile.Figures = ["accuracy", "human_alignment"];
        var e = Assert.Throws<Repro.Config.ConfigException>(() => ProfileLoader.Validate(profile, "tiny.yaml"));
        Assert.Contains("names 'human_alignment'; allowed values: accuracy, heatmaps, human-alignment", e.Message);
    }
}
