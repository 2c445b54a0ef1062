
namespace Repro.Tests.Faults;

/// <summary>build/Repro.Reproduce.targets turns each CLI exit code into its own MSBuild error, carrying the CLI's line.</summary>
[Trait("Category", TestCategories.Integration)]
public class MsBuildExitCodeTests
{
    /// <summary>
    /// Runs <paramref name="target"/> (with <paramref name="properties"/>) with the CLI replaced by a script that prints its
    /// arguments and <paramref name="line"/> and exits with <paramref name="code"/>.
    /// </summary>
    static (int Code, string Output) PlanWithFakeCli(int code, string line, string target = "Plan", params string[] properties)
    {
        using var dir = new TempDir();
        // Like the real CLI, it writes the report folder (where Reproduce leaves its stamp).
        File.WriteAllText(dir["fake-cli.sh"], $"mkdir -p reports/smoke\necho \"[00:00] arguments: $*\"\necho \"$FAKE_LINE\" >&2\nexit {code}\n");
        File.WriteAllText(dir["stub.proj"], $"""
            <Project>
              <PropertyGroup><RepoRoot>{dir.Path}/</RepoRoot><TargetPath>{dir["repro.dll"]}</TargetPath></PropertyGroup>
              <Import Project="{Path.Combine(TestSupport.RepoRoot, "build", "Repro.Reproduce.targets")}" />
              <PropertyGroup><ReproExe>sh "{dir["fake-cli.sh"]}"</ReproExe></PropertyGroup>
              <Target Name="Build" />
            </Project>
            """);
        var start = TestSupport.Dotnet(["msbuild", dir["stub.proj"], $"-t:{target}", "-nologo", "-nodeReuse:false", "-tl:off", "-v:n", .. properties]);
        start.WorkingDirectory = dir.Path;
        start.Environment["FAKE_LINE"] = line;
        var (exit, stdout, stderr) = TestSupport.Run(start);
        return (exit, stdout + stderr);
    }

    [Theory]
    [InlineData(1, "[00:03] FAILED: accuracy did not match expected-results/ci/", "error REPRO1: numbers out of band: FAILED: accuracy did not match expected-results/ci/")]
    [InlineData(2, "error: p.yaml:3: 'data.kind' is 'x'; allowed values: synthetic, image_folder", "error REPRO2: bad input or configuration: p.yaml:3: 'data.kind' is 'x'; allowed values: synthetic, image_folder")]
    [InlineData(3, "environment: No space left on device : '/c'. The disk is full", "error REPRO3: environment: No space left on device : '/c'. The disk is full")]
    [InlineData(3, "stopped: stopped after iteration 1 as requested. Rerun to resume.", "error REPRO3: environment: stopped: stopped after iteration 1 as requested. Rerun to resume.")]
    [InlineData(4, "internal error: NullReferenceException: x. Stack trace: /c/logs/crash-1.log", "error REPRO4: internal error: NullReferenceException: x. Stack trace: /c/logs/crash-1.log")]
    public void Each_exit_code_is_its_own_error_with_the_clis_line(int code, string line, string error)
    {
        var (exit, output) = PlanWithFakeCli(code, line);
        Assert.NotEqual(0, exit);
        Assert.Contains(error, output);
    }

    [Fact]
    public void Exit_code_0_is_no_error()
    {
        var (exit, output) = PlanWithFakeCli(0, "");
        Assert.Equal(0, exit);
        Assert.DoesNotContain("REPRO", output);
    }

    [Fact]
    public void A_figure_list_reaches_the_cli_with_the_comma_escaped_and_a_bare_comma_is_refused_by_msbuild()
    {
        var (exit, output) = PlanWithFakeCli(0, "", "Reproduce", "-p:Figures=accuracy%2Cheatmaps", "-p:Threads=1");
        Assert.True(exit == 0, output);
        Assert.Contains("--figures accuracy,heatmaps", output);
        Assert.Contains("--threads 1", output);

        var (bare, refused) = PlanWithFakeCli(0, "", "Reproduce", "-p:Figures=accuracy,heatmaps");
        Assert.NotEqual(0, bare);
        Assert.Contains("MSB1006", refused);
    }
}
