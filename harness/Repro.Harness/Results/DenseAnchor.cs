using System.Globalization;

namespace Repro.Results;

/// <summary>
/// Whether a figure's data can show anything at all: one property of the dense model (or of the trajectory) beside the
/// reference it must clear (chance, a baseline, a ceiling) and the goal the embedded data were designed to meet. The
/// report gathers them in its "Is the data informative?" section; a claim whose anchor fails is "uninformative".
/// </summary>
public sealed class DenseAnchor
{
    /// <summary>What is measured, e.g. "dense top-1 (val images)".</summary>
    public string Measure { get; set; } = "";
    public double Value { get; set; }
    /// <summary>The reference in words, e.g. "uniform heatmap" or "centred box".</summary>
    public string Reference { get; set; } = "";
    public double? ReferenceValue { get; set; }
    /// <summary>The goal in words, e.g. "≥ 2× the uniform heatmap".</summary>
    public string Goal { get; set; } = "";
    public bool Met { get; set; }

    /// <summary>Value / reference at least <paramref name="factor"/>.</summary>
    public static DenseAnchor Ratio(string measure, double value, string reference, double referenceValue, double factor) => new()
    {
        Measure = measure, Value = value, Reference = reference, ReferenceValue = referenceValue,
        Goal = string.Create(CultureInfo.InvariantCulture, $"≥ {factor:0.##}× {reference}"),
        Met = value >= factor * referenceValue,
    };

    /// <summary>Value at least <paramref name="margin"/> above the reference.</summary>
    public static DenseAnchor Margin(string measure, double value, string reference, double referenceValue, double margin, string marginInWords) => new()
    {
        Measure = measure, Value = value, Reference = reference, ReferenceValue = referenceValue,
        Goal = $"≥ {reference} + {marginInWords}", Met = value >= referenceValue + margin,
    };

    /// <summary>Value inside [low, high].</summary>
    public static DenseAnchor Between(string measure, double value, double low, double high, string reference, double? referenceValue, string goal) => new()
    {
        Measure = measure, Value = value, Reference = reference, ReferenceValue = referenceValue, Goal = goal,
        Met = value >= low && value <= high,
    };
}
