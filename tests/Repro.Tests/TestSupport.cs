using System.Diagnostics;
using Repro.Config;
using Repro.Training;

namespace Repro.Tests;

/// <summary>A folder of one test's own under <see cref="TestSupport.OutputRoot"/>, deleted when the test ends.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateDirectory(
        System.IO.Path.Combine(TestSupport.OutputRoot, "tmp", $"repro-test-{Guid.NewGuid():N}")).FullName;
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);
    public string this[string relative] => System.IO.Path.Combine(Path, relative);
    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}

/// <summary>Temporary folders and tiny profiles shared by the tests.</summary>
public static class TestSupport
{
    public static string RepoRoot { get; } = Repro.Config.RepoRoot.Find();

    /// <summary>
    /// Where the test run writes, never the repository: $REPRO_TEST_OUTPUT if set, else repro-tests in the temp folder.
    /// </summary>
    public static string OutputRoot { get; } = Path.GetFullPath(
        Environment.GetEnvironmentVariable("REPRO_TEST_OUTPUT") is { Length: > 0 } root ? root : Path.Combine(Path.GetTempPath(), "repro-tests"));

    /// <summary>Generated data and checkpoints, kept from run to run so the small profiles' trajectories train once.</summary>
    public static string CacheRoot => Path.Combine(OutputRoot, "cache");

    /// <summary>The reports the tests write.</summary>
    public static string ReportsRoot => Path.Combine(OutputRoot, "reports");

    /// <summary>A profile small enough to train a whole trajectory in seconds.</summary>
    public static Profile TinyProfile(int iterations = 2, int seed = 7) => new()
    {
        Name = "tiny",
        Seed = seed,
        Data = new DataConfig
        {
            Kind = DataKind.Synthetic,
            Synthetic = new SyntheticConfig { Classes = 3, TrainPerClass = 8, ValPerClass = 4, ImageSize = 32 },
            ImageSize = 32,
            ResizeSize = 36,
            EvalBatchSize = 16,
            CropScaleMin = 0.5,
        },
        Models = [new ModelConfig { Architecture = "resnet18", Width = 0.25 }],
        Schedule = new ScheduleConfig { Epochs = 1, BatchSize = 8, Lr = 0.05, LrSchedule = LrScheduleKind.Cosine },
        Pruning = new PruningConfig { Rate = 0.2, Iterations = iterations },
        Figures = ["accuracy"],
    };

    /// <summary>
    /// A committed file's text (<paramref name="parts"/> under the repository root) with its first line that starts with
    /// <paramref name="line"/> replaced, and that line's number; fails if the file no longer has such a line. (A key
    /// alone, "  expected: ", picks the first value whatever the numbers re-derived bands hold.)
    /// </summary>
    public static (string Text, int Line) CommittedWithLine(string[] parts, string line, string replacement)
    {
        var lines = File.ReadAllText(System.IO.Path.Combine([RepoRoot, .. parts])).Split('\n');
        var index = Array.FindIndex(lines, l => l.StartsWith(line, StringComparison.Ordinal));
        Assert.True(index >= 0, $"the committed file {string.Join('/', parts)} no longer has a line starting '{line}'");
        lines[index] = replacement;
        return (string.Join('\n', lines), index + 1);
    }

    /// <summary>The dotnet host running these tests (DOTNET_HOST_PATH, set by the SDK), with its output captured.</summary>
    public static ProcessStartInfo Dotnet(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>Runs <paramref name="start"/> to its end; both streams are drained at once, so neither can fill and stall it.</summary>
    public static (int Code, string Stdout, string Stderr) Run(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    /// <summary>The real CLI, copied beside the tests by the project reference.</summary>
    public static ProcessStartInfo ReproCli(params string[] args) => Dotnet([Path.Combine(AppContext.BaseDirectory, "repro.dll"), .. args]);

    public static RunContext Context(Profile profile, string cacheRoot, List<string>? log = null, string? reportsRoot = null) =>
        Context(profile, cacheRoot, m => log?.Add(m), reportsRoot);

    public static RunContext Context(Profile profile, string cacheRoot, Action<string> log, string? reportsRoot = null) =>
        new(profile, RepoRoot, cacheRoot, null, DeviceChoice.Cpu, log) { ReportsRoot = reportsRoot ?? ReportsRoot };
}
