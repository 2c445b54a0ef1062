using System.Reflection;
using Repro.Config;
using Repro.Results;
using Repro.Training;

namespace Repro.Figures;

/// <summary>What a figure's measurement stage returns.</summary>
/// <param name="SkippedInputs">Input files left out by the profile's choice (e.g. alignment.missing_images: skip), each named.</param>
public sealed record FigureMeasurement(List<MeasuredValue> Values, List<ClaimOutcome> Claims, IReadOnlyList<string>? SkippedInputs = null)
{
    /// <summary>Per-image values behind the claims and the plots' intervals.</summary>
    public List<Observation> Observations { get; init; } = [];
    /// <summary>Whether the data can show anything: the dense model against chance, baselines and ceilings.</summary>
    public List<DenseAnchor> Anchors { get; init; } = [];
}

/// <summary>
/// One paper figure as a self-contained recipe: which profile settings it reads and checks, where those depart from the
/// paper, what it measures, how it is plotted, and what band a metric gets by default. Figures are found by reflection
/// (<see cref="FigureCatalog"/>); <see cref="FigureRunner"/> runs the stages around them.
/// </summary>
public interface IFigure
{
    /// <summary>Kebab-case name used in profiles, folders and expected-results file names.</summary>
    string Name { get; }
    string Title { get; }
    /// <summary>One sentence: what the figure shows.</summary>
    string Shows { get; }

    /// <summary>The top-level profile section this figure owns, if any (read into <see cref="Profile.Sections"/>).</summary>
    ProfileSection? Section => null;

    /// <summary>
    /// Checks the profile's settings this figure reads. Called for every registered figure, so a section is checked
    /// wherever it appears; <paramref name="listed"/> says whether the profile runs this figure (what it then requires).
    /// </summary>
    void Validate(Profile profile, bool listed, ProfileChecks checks) { }

    /// <summary>Where this figure's own settings in <paramref name="profile"/> depart from the paper's (<paramref name="paper"/>; null for the paper profile itself), in words.</summary>
    IEnumerable<string> Deviations(Profile profile, Profile? paper) => [];

    /// <summary>
    /// Checks, before any training, the input files and folders <see cref="Measure"/> will read, adding one message
    /// per problem (what is missing, where, what to do). Figures that read only the training data check nothing.
    /// </summary>
    void Preflight(RunContext context, List<string> problems) { }

    /// <summary>Measures the values and claims; any artefact (an image cell, a predictions file) goes through <paramref name="folder"/>.</summary>
    FigureMeasurement Measure(RunContext context, FigureFolder folder);

    /// <summary>Renders the plots from <paramref name="results"/> and the artefacts it names into <paramref name="folder"/>; returns the PNG file names.</summary>
    IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder);

    /// <summary>Default band for a metric when no derived band exists yet.</summary>
    double DefaultAbsTol(string metric);
}

/// <summary>Every figure of the assembly: each non-abstract <see cref="IFigure"/> with a parameterless constructor.</summary>
public static class FigureCatalog
{
    public static readonly IReadOnlyList<IFigure> All = typeof(IFigure).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IFigure).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) != null)
        .Select(t => (IFigure)Activator.CreateInstance(t)!)
        .OrderBy(f => f.Name, StringComparer.Ordinal)
        .ToList();

    public static IReadOnlyList<string> Names => All.Select(f => f.Name).ToList();

    public static IFigure Get(string name) =>
        All.FirstOrDefault(f => f.Name == name)
        ?? throw new ConfigException($"unknown figure '{name}'; allowed values: {string.Join(", ", Names)}");

    /// <summary>The figures a profile lists, in its order (the report's order).</summary>
    public static IReadOnlyList<IFigure> Of(Profile profile) => profile.Figures.Select(Get).ToList();
}
