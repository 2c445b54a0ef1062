using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using Repro.Config;
using Repro.Models;
using Repro.Torch;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Tests.Torch;

/// <summary>libtorch is set up by one explicit call (TorchRuntime.Configure), never by loading an assembly.</summary>
[Trait("Category", TestCategories.Integration)]
public class TorchRuntimeTests
{
    static readonly string[] TinySpeed = ["speed", "--device", "cpu", "--width", "0.25", "--size", "32", "--batch", "2", "--steps", "1",
        "--warmup", "0", "--settings", "defaults", "--workloads", "inference", "--threads", "1"];

    [Theory]
    [InlineData("Repro.Harness.dll")]
    [InlineData("repro.dll")]
    public void No_assembly_of_the_suite_has_a_module_initializer(string file)
    {
        using var pe = new PEReader(File.OpenRead(Path.Combine(AppContext.BaseDirectory, file)));
        var metadata = pe.GetMetadataReader();
        // <Module> is the first type; the runtime runs a module initializer from its static constructor.
        var module = metadata.GetTypeDefinition(MetadataTokens.TypeDefinitionHandle(1));
        Assert.Equal("<Module>", metadata.GetString(module.Name));
        Assert.DoesNotContain(module.GetMethods(), m => metadata.GetString(metadata.GetMethodDefinition(m).Name) == ".cctor");
    }

    [Fact]
    public void No_harness_method_is_marked_as_a_module_initializer() =>
        Assert.DoesNotContain(Analysis.IlCalls.MethodsOf(typeof(RunContext).Assembly), m => m.IsDefined(typeof(ModuleInitializerAttribute)));

    [Fact]
    public void Entry_points_that_need_the_setup_refuse_to_run_without_it()
    {
        var profile = TestSupport.TinyProfile();
        using var tmp = new TempDir();
        Action[] entryPoints =
        [
            () => _ = new RunContext(profile, TestSupport.RepoRoot, tmp.Path, null, DeviceChoice.Cpu, _ => { }),
            () => ConvolutionBackend.Select(OneDnnMode.Off, [], _ => { }),
            () => _ = new ThroughputProbe(CPU, profile.Models[0], batch: 2, imageSize: 32),
            () => Repro.Interop.ParityCheck.Run(tmp.Path, _ => { }),
            () => Repro.Results.Provenance.Capture(profile, TestSupport.RepoRoot, "cpu", "", 1),
            () => TorchRuntime.ApplyTf32(CPU, true),
        ];
        using (TorchRuntime.Unconfigured())
        {
            foreach (var run in entryPoints)
                Assert.StartsWith("call TorchRuntime.Configure first", Assert.Throws<InvalidOperationException>(run).Message);
        }
        Assert.True(TorchRuntime.Require("the test").SwitchesApplied);
    }

    [Fact]
    public void Configure_is_idempotent_and_refuses_other_options_once_set()
    {
        var setup = TorchRuntime.Configure(new TorchRuntimeOptions());
        Assert.Same(setup, TorchRuntime.Configure(new TorchRuntimeOptions()));
        Assert.Same(setup, TorchRuntime.Require("the test"));
        Assert.Contains("already called", Assert.Throws<InvalidOperationException>(
            () => TorchRuntime.Configure(new TorchRuntimeOptions { LibtorchDefaults = true })).Message);
    }

    [Fact]
    public void The_libtorch_switches_are_applied_only_for_the_TorchSharp_release_they_belong_to()
    {
        // oneDNN on beforehand shows whether the switches were called: applying them turns it off.
        var warnings = new List<string>();
        ConvolutionBackend.SetOneDnn(true);
        var other = TorchRuntime.Apply(new TorchRuntimeOptions(), new Version(0, 106, 1, 0), warnings.Add);
        Assert.False(other.SwitchesApplied);
        Assert.Contains("TorchSharp 0.106.1", other.Switches);
        Assert.Contains("TorchSharp 0.107.0", other.Switches);
        Assert.True(ConvolutionBackend.OneDnnEnabled);
        Assert.Single(warnings, w => w.Contains("NNPACK and oneDNN switches not applied"));

        warnings.Clear();
        var optedOut = TorchRuntime.Apply(new TorchRuntimeOptions { LibtorchDefaults = true }, TorchRuntime.SwitchesTorchSharpVersion, warnings.Add);
        Assert.False(optedOut.SwitchesApplied);
        Assert.Contains("LibtorchDefaults", optedOut.Switches);
        Assert.True(ConvolutionBackend.OneDnnEnabled);
        Assert.DoesNotContain(warnings, w => w.Contains("NNPACK"));

        var same = TorchRuntime.Apply(new TorchRuntimeOptions(), new Version(0, 107, 0, 0), _ => { });
        Assert.True(same.SwitchesApplied, same.Switches);
        Assert.False(ConvolutionBackend.OneDnnEnabled);
    }

    [Fact]
    public void Setting_the_OpenMP_policy_after_libtorch_has_loaded_says_it_is_too_late()
    {
        if (!OperatingSystem.IsLinux()) return;
        _ = CPU; // libtorch is loaded in this process by now
        var (description, tooLate) = OpenMpWaitPolicy.Apply();
        if ((Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") ?? Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")) is not null)
        {
            Assert.EndsWith("(from the environment)", description);
            return;
        }
        Assert.True(tooLate, description);
        Assert.Contains("was loaded before TorchRuntime.Configure, too late", description);
    }

    [Fact]
    public void The_cli_leaves_libtorchs_switches_alone_when_the_environment_asks_and_rejects_a_value_it_cannot_read()
    {
        var start = TestSupport.ReproCli([.. TinySpeed, "--onednn", "auto"]);
        start.Environment[TorchRuntimeOptions.LibtorchDefaultsVariable] = "1";
        var (code, stdout, stderr) = TestSupport.Run(start);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("convolutions: unknown (libtorch's own choice", stdout);
        Assert.Contains("libtorch-default convolutions", stdout);

        var bad = TestSupport.ReproCli("plan");
        bad.Environment[TorchRuntimeOptions.LibtorchDefaultsVariable] = "maybe";
        (code, stdout, stderr) = TestSupport.Run(bad);
        Assert.Equal((int)ExitCode.BadInput, code);
        Assert.Contains("REPRO_LIBTORCH_DEFAULTS is 'maybe'", stderr);
    }

    [Fact]
    public void TF32_is_left_alone_off_CUDA()
    {
        var before = TorchRuntime.Backends().Tf32;
        TorchRuntime.ApplyTf32(CPU, before != "on");
        Assert.Equal(before, TorchRuntime.Backends().Tf32);
    }
}
