namespace Repro.Figures;

/// <summary>
/// reports/&lt;profile&gt;/&lt;figure&gt;/ as one stage sees it. Measurement records every artefact it writes, so that
/// results.yaml can name them; plotting may read only artefacts the results name.
/// </summary>
public sealed class FigureFolder
{
    readonly HashSet<string>? readable;
    readonly List<string> written = [];

    FigureFolder(string directory, IEnumerable<string>? readable)
    {
        Directory = directory;
        this.readable = readable?.ToHashSet(StringComparer.Ordinal);
    }

    public string Directory { get; }

    /// <summary>Artefacts written so far, relative to <see cref="Directory"/>, with '/' separators, in writing order.</summary>
    public IReadOnlyList<string> Artefacts => written;

    /// <summary>The folder of a measurement: artefacts may be written, none read.</summary>
    public static FigureFolder ForMeasurement(string directory) => new(directory, []);

    /// <summary>The folder of the plot stage: the artefacts <paramref name="named"/> by the results may be read.</summary>
    public static FigureFolder ForPlot(string directory, IEnumerable<string> named) => new(directory, named);

    /// <summary>Where to write artefact <paramref name="relative"/> (its folder is created); recorded for results.yaml.</summary>
    public string NewArtefact(string relative)
    {
        relative = relative.Replace('\\', '/');
        if (!written.Contains(relative)) written.Add(relative);
        var path = Path.Combine(Directory, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>Whether the results name artefact <paramref name="relative"/>.</summary>
    public bool Has(string relative) => readable?.Contains(relative.Replace('\\', '/')) == true;

    /// <summary>The path of a named artefact, failing with what to do when the results do not name it or it is gone.</summary>
    public string Artefact(string relative)
    {
        var path = Path.Combine(Directory, relative);
        if (!Has(relative))
            throw new Config.ConfigException($"{Path.Combine(Directory, "results.yaml")} does not name the artefact '{relative}' the plot reads; rerun the figure.");
        if (!File.Exists(path))
            throw new Config.ConfigException($"{path}: artefact named by results.yaml is missing; rerun the figure to write it again.");
        return path;
    }

    /// <summary>Where a plot file goes.</summary>
    public string PlotPath(string fileName) => Path.Combine(Directory, fileName);
}
