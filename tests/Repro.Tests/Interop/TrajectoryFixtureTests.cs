using System.Diagnostics;
using Repro.Interop;
using Repro.Tests.Training;

namespace Repro.Tests.Interop;

/// <summary>A test that needs Debian's /usr/bin/python3 with torch and torchvision; skipped where they are missing.</summary>
public sealed class TorchPythonFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    static readonly Lazy<bool> Available = new(() =>
    {
        if (!File.Exists(Python)) return false;
        var start = new ProcessStartInfo(Python, ["-c", "import torch, torchvision"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        return TestSupport.Run(start).Code == 0;
    });

    public TorchPythonFactAttribute()
    {
        if (!Available.Value) Skip = $"needs {Python} with torch and torchvision (apt-get install python3-torch python3-torchvision)";
    }
}

/// <summary>The checked-in trajectory fixture is what tools/trajectory/make_fixture.py writes, as the suite reads it.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class TrajectoryFixtureTests
{
    [TorchPythonFact]
    public void The_fixture_regenerates_to_the_same_tensors()
    {
        using var tmp = new TempDir();
        var script = Path.Combine(TestSupport.RepoRoot, "tools", "trajectory", "make_fixture.py");
        var (code, stdout, stderr) = TestSupport.Run(new ProcessStartInfo(TorchPythonFactAttribute.Python, [script, "--out", tmp.Path])
        { RedirectStandardOutput = true, RedirectStandardError = true });
        Assert.True(code == 0, $"make_fixture.py failed ({code}):\n{stdout}\n{stderr}");

        var checkedIn = Directory.GetFiles(TrajectoryImportTests.Fixture, "*.pth", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(TrajectoryImportTests.Fixture, f)).Order().ToList();
        var regenerated = Directory.GetFiles(tmp.Path, "*.pth", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(tmp.Path, f)).Order().ToList();
        Assert.Equal(6, checkedIn.Count);
        Assert.Equal(checkedIn, regenerated);
        // the forms the fixture stands for, as torch itself reads them
        const string forms = """
            import argparse, sys, torch
            for path in sys.argv[1:]:
                c = torch.load(path)
                assert isinstance(c["args"], argparse.Namespace), path
                assert set(c) >= {"model", "optimizer", "lr_scheduler", "epoch", "args", "sparsity"}, path
                assert all("momentum_buffer" in s for s in c["optimizer"]["state"].values()) and c["optimizer"]["state"], path
                assert all(k.startswith("module.") for k in c["model"]), path
                pruned = any(k.endswith(".weight_mask") for k in c["model"])
                assert pruned == (not path.endswith("_0.pth")), path
                assert ("model_ema" in c) == ("vit_b_32" in path), path
            """;
        var check = TestSupport.Run(new ProcessStartInfo(TorchPythonFactAttribute.Python,
            ["-c", forms, .. checkedIn.Select(f => Path.Combine(TrajectoryImportTests.Fixture, f))])
        { RedirectStandardOutput = true, RedirectStandardError = true });
        Assert.True(check.Code == 0, $"the fixture is not in the forms it stands for:\n{check.Stderr}");

        foreach (var file in checkedIn)
        {
            var expected = TorchSaveFile.ReadStateDict(Path.Combine(TrajectoryImportTests.Fixture, file));
            var actual = TorchSaveFile.ReadStateDict(Path.Combine(tmp.Path, file));
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (name, t) in expected)
                Assert.True(t.shape.SequenceEqual(actual[name].shape) && t.eq(actual[name]).all().item<bool>(), $"{file}: '{name}' differs from the regenerated one");
        }
    }
}
