using Repro.Results;
using Repro.Training;

namespace Repro.Figures;

/// <summary>What a figure's measurement stage returns.</summary>
/// <param name="SkippedInputs">Input files left out by the profile's choice (e.g. alignment.missing_images: skip), each named.</param>
public sealed record FigureMeasurement(List<MeasuredValue> Values, List<ClaimOutcome> Claims, IReadOnlyList<string>? SkippedInputs = null);

/// <summary>
/// One paper figure as a self-contained recipe: what it measures, how it is plotted, what band a
/// metric gets by default. <see cref="FigureRunner"/> does the shared work around it (results file,
/// band check, report).
/// </summary>
public interface IFigure
{
    /// <summary>Short name used in profiles, file names and the MSBuild target (Figure-&lt;Name&gt;).</summary>
    string Name { get; }
    string Title { get; }
    /// <summary>One sentence: what the figure shows.</summary>
    string Shows { get; }
    FigureMeasurement Measure(RunContext context);
    /// <summary>Renders the plots into <paramref name="directory"/>; returns the PNG file names.</summary>
    IReadOnlyList<string> Plot(FigureResults results, string directory);
    /// <summary>
    /// Checks, before any training, the input files and folders <see cref="Measure"/> will read, adding one message
    /// per problem (what is missing, where, what to do). Figures that read only the training data check nothing.
    /// </summary>
    void Preflight(RunContext context, List<string> problems) { }
    /// <summary>Default band for a metric when no derived band exists yet.</summary>
    double DefaultAbsTol(string metric);
}

public static class FigureCatalog
{
    public static readonly IReadOnlyList<IFigure> All =
        [new AccuracyFigure(), new InterpretabilityFigure(), new HeatmapsFigure(), new ObjectDiscoveryFigure(), new HumanAlignmentFigure(),
         new RotationFigure(), new ResNet18TasksFigure()];

    public static IReadOnlyList<string> Names => All.Select(f => f.Name).ToList();

    public static IFigure Get(string name) =>
        All.FirstOrDefault(f => f.Name == name)
        ?? throw new Config.ConfigException($"unknown figure '{name}'; allowed values: {string.Join(", ", Names)}");
}
