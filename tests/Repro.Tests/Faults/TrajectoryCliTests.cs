using Repro.Tests.Training;

namespace Repro.Tests.Faults;

/// <summary>
/// `repro reproduce --trajectory DIR`, the option -p:Trajectory= passes on: a folder that is not a trajectory stops the
/// run before anything is computed, and a checkpoint that does not fit stops it naming the file, the key and what to do.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public class TrajectoryCliTests
{
    /// <summary>A repository holding the fixture's profile with <paramref name="edit"/> applied and the accuracy figure alone.</summary>
    static TempDir RepoWithFixtureProfile(Func<string, string> edit)
    {
        var repo = new TempDir();
        Directory.CreateDirectory(repo["profiles"]);
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "trajectory-fixture.yaml"));
        text = text.Replace("figures: [accuracy, interpretability, heatmaps, object-discovery, human-alignment, rotation, resnet18-tasks]", "figures: [accuracy]");
        File.WriteAllText(repo["profiles/trajectory-fixture.yaml"], edit(text));
        return repo;
    }

    static (int Code, string Stdout, string Stderr) Reproduce(TempDir repo, string trajectory) => TestSupport.Run(TestSupport.ReproCli(
        "reproduce", "--profile", "trajectory-fixture", "--repo-root", repo.Path, "--cache-dir", TestSupport.CacheRoot,
        "--reports-dir", repo["reports"], "--trajectory", trajectory));

    [Fact]
    public void A_folder_without_the_models_stops_before_anything_runs()
    {
        using var repo = RepoWithFixtureProfile(t => t);
        Directory.CreateDirectory(repo["empty"]);
        var (code, stdout, stderr) = Reproduce(repo, repo["empty"]);
        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("problem(s) found before training", stderr);
        Assert.Contains($"{repo["empty"]}: no folder 'resnet18/' or 'resnet18-w0.031/'", stderr);
        Assert.Contains($"{repo["empty"]}: no folder 'vit_b_32/'", stderr);
        Assert.DoesNotContain("imported", stdout);
    }

    [Fact]
    public void A_checkpoint_of_another_width_exits_2_naming_the_file_and_the_key()
    {
        using var repo = RepoWithFixtureProfile(t => t.Replace("    width: 0.03125", "    width: 0.0625"));
        var (code, stdout, stderr) = Reproduce(repo, TrajectoryImportTests.Fixture);
        Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
        var key = new Repro.Config.ModelConfig { Architecture = "resnet18", Width = 0.0625 }.Key;
        Assert.Contains($"{key} pruning iteration 0: {Path.Combine(TrajectoryImportTests.Fixture, "resnet18", TrajectoryImportTests.FixtureFile(0))}", stderr);
        Assert.Contains("'conv1.weight': checkpoint [2, 3, 7, 7], model [4, 3, 7, 7]", stderr);
        Assert.Contains("Make models[] of profile 'trajectory-fixture'", stderr);
        Assert.DoesNotContain(": training ", stdout);
    }
}
