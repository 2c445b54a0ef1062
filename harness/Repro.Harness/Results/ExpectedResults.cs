using Repro.Config;

namespace Repro.Results;

public sealed class ExpectedValue
{
    public required string Series { get; set; }
    public required string Metric { get; set; }
    public required int Iteration { get; set; }
    public double Sparsity { get; set; }
    public required double Expected { get; set; }
    /// <summary>Allowed |got − expected|, before the relative part.</summary>
    public required double AbsTol { get; set; }
    /// <summary>Extra allowance as a share of |expected|.</summary>
    public double RelTol { get; set; }

    [YamlDotNet.Serialization.YamlIgnore]
    public string Key => $"{Series}/{Metric}@{Iteration}";
    [YamlDotNet.Serialization.YamlIgnore]
    public double Band => AbsTol + RelTol * Math.Abs(Expected);
}

/// <summary>
/// expected-results/&lt;profile&gt;/&lt;figure&gt;.yaml: each number with its tolerance band and how the bands
/// were derived. A run writes its values in the same format to reports/&lt;profile&gt;/&lt;figure&gt;/received.yaml;
/// accepting a run copies that file here.
/// </summary>
public sealed class ExpectedResults
{
    public required string Figure { get; set; }
    public required string Profile { get; set; }
    /// <summary>How the expected values and bands were obtained, in words.</summary>
    public required string Derivation { get; set; }
    public List<int> ReferenceSeeds { get; set; } = [];
    /// <summary>libtorch's intra-op CPU threads the values were measured with (CPU numbers depend on it); empty off CPU.</summary>
    public int? Threads { get; set; }
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
        var e = StrictYaml.LoadFile<ExpectedResults>(path,
            "Create it by running the figure and then AcceptResults (dotnet build -t:AcceptResults), or derive bands with 'repro derive-bands'.");
        var duplicate = e.Values.GroupBy(v => v.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new ConfigException($"{path}: value '{duplicate.Key}' is listed {duplicate.Count()} times; keep one.");
        foreach (var (v, i) in e.Values.Select((v, i) => (v, i)))
            foreach (var (key, number, tolerance) in new[] { ("expected", v.Expected, false), ("abs_tol", v.AbsTol, true), ("rel_tol", v.RelTol, true) })
                if (!double.IsFinite(number) || (tolerance && number < 0))
                    throw new ConfigException(
                        $"{path}: 'values[{i}].{key}' of '{v.Key}' is {number}; must be a finite number{(tolerance ? " >= 0" : "")}. " +
                        "Correct it, or rederive the bands with 'repro derive-bands'.");
        return e;
    }
}
