using System.Text.RegularExpressions;
using Repro.Config;

namespace Repro.Results;

public sealed class ExpectedValue
{
    public required string Series { get; set; }
    public required string Metric { get; set; }
    public required int Iteration { get; set; }
    public double Sparsity { get; set; }
    public required double Expected { get; set; }
    /// <summary>Allowed |got − expected| on the machine the value was measured on: twice the run-to-run difference, at least the file's resolution.</summary>
    public required double AbsTol { get; set; }
    /// <summary>Allowed |got − expected| on another machine: the spread over seeds; null where that spread exceeds half the metric's range, so the value is not compared there.</summary>
    public double? CrossMachineAbsTol { get; set; }

    [YamlDotNet.Serialization.YamlIgnore]
    public string Key => $"{Series}/{Metric}@{Iteration}";
}

/// <summary>
/// expected-results/&lt;profile&gt;/&lt;figure&gt;.yaml: the numbers of one training seed on one machine, each with its
/// same-machine and cross-machine tolerance, and how they were derived. A run writes its values in the same format to
/// reports/&lt;profile&gt;/&lt;figure&gt;/received.yaml; accepting a run copies that file here.
/// </summary>
public sealed partial class ExpectedResults
{
    public required string Figure { get; set; }
    public required string Profile { get; set; }
    /// <summary>How the expected values and bands were obtained, in words.</summary>
    public required string Derivation { get; set; }
    /// <summary>The training seed the values are for; a run of another seed is not compared with them.</summary>
    public int Seed { get; set; }
    /// <summary>The seeds whose spread gave the cross-machine tolerances.</summary>
    public List<int> ReferenceSeeds { get; set; } = [];
    /// <summary>libtorch's intra-op CPU threads the values were measured with (CPU numbers depend on it); empty off CPU.</summary>
    public int? Threads { get; set; }
    /// <summary>The CPU the values were measured on (<see cref="MachineFingerprint"/>); elsewhere the cross-machine tolerances apply.</summary>
    public string Machine { get; set; } = "";
    /// <summary>The CPU convolution kernels ("onednn", "native"); other kernels move numbers as another machine does. Empty off CPU.</summary>
    public string Convolutions { get; set; } = "";
    public required List<ExpectedValue> Values { get; set; }

    public static string PathFor(string repoRoot, string profile, string figure) =>
        System.IO.Path.Combine(repoRoot, "expected-results", profile, figure + ".yaml");

    /// <summary>
    /// The folder of a profile's expected results for a run on <paramref name="cpuThreads"/> CPU threads:
    /// expected-results/&lt;profile&gt;/ at the profile's own <c>performance.threads</c> (and off CPU, and for profiles
    /// that leave the count to the machine), expected-results/&lt;profile&gt;/threads-&lt;n&gt;/ at any other count.
    /// </summary>
    public static string Folder(Config.Profile profile, int? cpuThreads) =>
        cpuThreads is { } n && profile.Performance.Threads is { } pinned && n != pinned
            ? System.IO.Path.Combine(profile.Name, $"threads-{n}")
            : profile.Name;

    public static ExpectedResults Load(string path)
    {
        if (File.Exists(path) && OldFormat().IsMatch(File.ReadAllText(path)))
            throw new ConfigException(
                $"{path}: written before expected values were per seed (it has 'rel_tol', bands over several seeds); " +
                "derive it anew with 'repro derive-bands' (dotnet build -t:DeriveBands), see docs/bands.md.");
        var e = StrictYaml.LoadFile<ExpectedResults>(path,
            "Create it by running the figure and then AcceptResults (dotnet build -t:AcceptResults), or derive it with 'repro derive-bands'.");
        var duplicate = e.Values.GroupBy(v => v.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new ConfigException($"{path}: value '{duplicate.Key}' is listed {duplicate.Count()} times; keep one.");
        foreach (var (v, i) in e.Values.Select((v, i) => (v, i)))
            foreach (var (key, number, tolerance) in new[]
                     {
                         ("expected", (double?)v.Expected, false), ("abs_tol", v.AbsTol, true), ("cross_machine_abs_tol", v.CrossMachineAbsTol, true),
                     })
                if (number is { } n && (!double.IsFinite(n) || (tolerance && n < 0)))
                    throw new ConfigException(
                        $"{path}: 'values[{i}].{key}' of '{v.Key}' is {n}; must be a finite number{(tolerance ? " >= 0" : "")}. " +
                        "Correct it, or rederive the bands with 'repro derive-bands'.");
        return e;
    }

    [GeneratedRegex(@"^\s+rel_tol:", RegexOptions.Multiline)]
    private static partial Regex OldFormat();
}
