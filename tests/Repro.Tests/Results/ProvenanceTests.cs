using System.Reflection;
using Repro.Config;
using Repro.Models;
using Repro.Results;
using Repro.Torch;

namespace Repro.Tests.Results;

[Trait("Category", TestCategories.Unit)]
public class ProvenanceTests
{
    [Fact]
    public void The_commit_is_the_one_the_build_stamped_into_the_assembly()
    {
        var stamp = typeof(Provenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        // The SDK appends +<SourceRevisionId> when it builds from a git checkout, as the tests are.
        Assert.Matches("^[^+]+\\+[0-9a-f]{40}$", stamp);
        var provenance = Provenance.Capture(TestSupport.TinyProfile(), TestSupport.RepoRoot, "cpu", "", 1);
        Assert.Equal(stamp.Split('+')[1], provenance.GitCommit);
        Assert.Equal(stamp.Split('+')[0], provenance.ReproVersion);
    }

    [Theory]
    [InlineData("1.0.0+0123abc", "0123abc")]
    [InlineData("1.0.0", "unknown")]
    [InlineData("1.0.0+", "unknown")]
    [InlineData(null, "unknown")]
    public void Without_a_stamp_the_commit_is_unknown(string? informationalVersion, string commit) =>
        Assert.Equal(commit, Provenance.Commit(informationalVersion));

    [Fact]
    public void The_backend_switches_are_recorded_and_survive_the_results_file()
    {
        var profile = TestSupport.TinyProfile();
        var kernels = ConvolutionBackend.Select(OneDnnMode.On, [], _ => { });
        var provenance = Provenance.Capture(profile, TestSupport.RepoRoot, "cpu", "", 1, kernels);
        var setup = TorchRuntime.Require("the test");
        Assert.Equal(setup.OpenMp, provenance.Backends.OpenMp);
        Assert.Equal("off", provenance.Backends.Nnpack);
        Assert.Equal("on", provenance.Backends.Onednn);
        Assert.Equal(TorchRuntime.LibtorchDefault, provenance.Backends.Tf32);
        Assert.StartsWith("applied (TorchSharp 0.107.0)", provenance.Backends.LibtorchSwitches);
        Assert.StartsWith("onednn: ", provenance.Convolutions);
        ConvolutionBackend.SetOneDnn(false);
        Assert.Equal("off", Provenance.Capture(profile, TestSupport.RepoRoot, "cpu", "", 1).Backends.Onednn);

        var yaml = StrictYaml.Serializer.Serialize(provenance);
        Assert.Contains("\nbackends:\n  open_mp: ", yaml);
        Assert.Contains("\n  libtorch_switches: applied", yaml);
        Assert.DoesNotContain("git_dirty", yaml);
        var read = StrictYaml.Parse<Provenance>(yaml, "provenance");
        Assert.Equal(provenance.Backends.ToString(), read.Backends.ToString());
        Assert.Equal(provenance.GitCommit, read.GitCommit);
    }
}
