namespace Repro.Data.ModelVsHuman;

/// <summary>How a benchmark dataset folder is organised.</summary>
public enum ModelVsHumanLayout
{
    /// <summary>datasets/&lt;name&gt;/session-&lt;n&gt;/&lt;trial&gt;_&lt;exp&gt;_&lt;subj&gt;_&lt;condition&gt;_&lt;category&gt;_&lt;nn&gt;_&lt;source&gt;.png</summary>
    Sessions,
    /// <summary>datasets/&lt;name&gt;/&lt;category&gt;/&lt;image&gt;.png (edge, silhouette, cue-conflict)</summary>
    CategoryFolders,
}

/// <summary>One of the 17 datasets: its folder layout and, for the parametric ones, the condition codes in file names.</summary>
public sealed record ModelVsHumanDatasetInfo(string Name, ModelVsHumanLayout Layout, IReadOnlyList<string> Conditions)
{
    public bool Parametric => Conditions.Count > 1;
}

/// <summary>The benchmark's 17 out-of-distribution datasets (modelvshuman/constants.py DEFAULT_DATASETS, in its order).</summary>
public static class ModelVsHumanDatasets
{
    /// <summary>The single condition of the non-parametric datasets as human trials record it.</summary>
    public const string SingleCondition = "0";

    static ModelVsHumanDatasetInfo Folders(string name) => new(name, ModelVsHumanLayout.CategoryFolders, [SingleCondition]);
    static ModelVsHumanDatasetInfo Sessions(string name, params string[] conditions) =>
        new(name, ModelVsHumanLayout.Sessions, conditions.Length == 0 ? [SingleCondition] : conditions);

    /// <summary>Condition codes are the experiments' data_conditions (modelvshuman/datasets/experiments.py).</summary>
    public static IReadOnlyList<ModelVsHumanDatasetInfo> All { get; } =
    [
        Folders("edge"),
        Folders("silhouette"),
        Folders("cue-conflict"),
        Sessions("colour", "cr", "bw"),
        Sessions("contrast", "c100", "c50", "c30", "c15", "c10", "c05", "c03", "c01"),
        Sessions("high-pass", "inf", "3.0", "1.5", "1.0", "0.7", "0.55", "0.45", "0.4"),
        Sessions("low-pass", "0", "1", "3", "5", "7", "10", "15", "40"),
        Sessions("phase-scrambling", "0", "30", "60", "90", "120", "150", "180"),
        Sessions("power-equalisation", "0", "pow"),
        Sessions("false-colour", "True", "False"),
        Sessions("rotation", "0", "90", "180", "270"),
        Sessions("eidolonI", "1-10-10", "2-10-10", "4-10-10", "8-10-10", "16-10-10", "32-10-10", "64-10-10", "128-10-10"),
        Sessions("eidolonII", "1-3-10", "2-3-10", "4-3-10", "8-3-10", "16-3-10", "32-3-10", "64-3-10", "128-3-10"),
        Sessions("eidolonIII", "1-0-10", "2-0-10", "4-0-10", "8-0-10", "16-0-10", "32-0-10", "64-0-10", "128-0-10"),
        Sessions("uniform-noise", "0.0", "0.03", "0.05", "0.1", "0.2", "0.35", "0.6", "0.9"),
        Sessions("sketch"),
        Sessions("stylized"),
    ];

    public static ModelVsHumanDatasetInfo Get(string name) => All.FirstOrDefault(d => d.Name == name)
        ?? throw new ArgumentException($"unknown model-vs-human dataset '{name}'; the 17 datasets are: {string.Join(", ", All.Select(d => d.Name))}");
}
