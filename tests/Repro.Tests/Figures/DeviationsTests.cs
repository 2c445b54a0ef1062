using Repro.Config;
using Repro.Figures;
using Repro.Report;
using Repro.Results;

namespace Repro.Tests.Figures;

/// <summary>Every profile's report lists where it departs from the authors' run, the paper profile's included.</summary>
[Trait("Category", TestCategories.Unit)]
public class DeviationsTests
{
    static Profile Named(string name)
    {
        var p = TestSupport.TinyProfile();
        p.Name = name;
        return p;
    }

    [Fact]
    public void The_paper_profile_lists_the_errata_it_corrects_and_what_it_sets_apart_from_the_authors()
    {
        var paper = Named("paper");
        var plain = Deviations.Describe(paper, null);
        Assert.Contains(plain, d => d.Contains("errata 6"));
        Assert.Contains(plain, d => d.Contains("errata 7"));
        Assert.DoesNotContain(plain, d => d.Contains("speed options"));

        // settings that never match the authors' are listed with no paper profile to compare with
        paper.Performance.Tf32 = true;
        paper.Schedule.TrainImagesPerEpoch = 100;
        paper.Models[0].Schedule = new ScheduleConfig { Epochs = 1, BatchSize = 8, TrainImagesPerEpoch = 50 };
        var set = Deviations.Describe(paper, null);
        Assert.Contains(set, d => d.StartsWith("speed options (tf32 on", StringComparison.Ordinal));
        Assert.Contains("train images per epoch capped at 100", set);
        Assert.Contains("resnet18: train images per epoch capped at 50", set);
    }

    [Fact]
    public void A_model_with_its_own_recipe_is_compared_recipe_to_recipe()
    {
        var paper = Named("paper");
        paper.Models = [new ModelConfig { Architecture = "vit_b_32", Schedule = new ScheduleConfig { Epochs = 300, BatchSize = 512, WeightDecay = 0.3, LrSchedule = LrScheduleKind.Cosine, Lr = 0.003 } }];
        var ours = Named("ours");
        ours.Models = [new ModelConfig { Architecture = "vit_b_32", Lr = 0.01 }];
        var list = Deviations.Describe(ours, paper);
        Assert.Contains("vit_b_32 batch size: 8 (paper: 512)", list);
        Assert.Contains("vit_b_32 weight decay: 0.0001 (paper: 0.3)", list);
        Assert.Contains("vit_b_32 epochs per iteration: 1 (paper: 300)", list);
        Assert.Contains("vit_b_32 learning rate: 0.01 (paper: 0.003)", list);
        Assert.DoesNotContain(list, d => d.StartsWith("vit_b_32 LR schedule", StringComparison.Ordinal)); // both cosine
    }

    [Fact]
    public void The_plan_lists_each_figures_own_deviations_after_the_shared_ones()
    {
        var p = Named("paper");
        p.Figures = ["accuracy", "interpretability"];
        p.Interpretability = new InterpretabilityConfig { Images = 2, HeatmapImages = 1, IgSteps = 2, SmoothgradSamples = 1, NoiseStd = 1 };
        var all = Deviations.All(p, null);
        var shared = Deviations.Describe(p, null);
        Assert.Equal(shared, all.Take(shared.Count));
        var own = ((IFigure)new InterpretabilityFigure()).Deviations(p, null).ToList();
        Assert.Contains(own, d => d.Contains("errata 2"));
        Assert.Equal(own.Select(d => $"interpretability: {d}"), all.Skip(shared.Count));
    }

    [Fact]
    public void The_paper_profiles_report_shows_its_deviations_section()
    {
        using var tmp = new TempDir();
        var paper = Named("paper");
        var dir = FigureRunner.FigureDirectory(tmp.Path, "paper", "accuracy");
        var deviations = Deviations.Describe(paper, null);
        ContentHash.SaveYaml(Path.Combine(dir, FigureRunner.ResultsFile), new FigureResults
        {
            Figure = "accuracy", Title = "Top-1 accuracy vs sparsity", Profile = "paper",
            Values = [new MeasuredValue { Series = "resnet18", Metric = "top1", Iteration = 0, Sparsity = 0, Value = 0.7 }],
            Provenance = new Provenance { Seed = 1, GitCommit = "0123456789ab", Device = "cuda" },
            ProfileDeviations = deviations, Deviations = [],
        });
        var html = File.ReadAllText(HtmlReport.Write(tmp.Path, "paper", [new AccuracyFigure()]));
        var section = html[html.IndexOf("<h2 id=\"deviations\">", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("<section", StringComparison.Ordinal)];
        Assert.NotEmpty(deviations);
        foreach (var d in deviations) Assert.Contains($"<li>{System.Net.WebUtility.HtmlEncode(d)}</li>", section);
        Assert.DoesNotContain("<p class=\"none\">none</p>", section);
    }
}
