
namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// One parametric distortion of the model-vs-human benchmark (Geirhos et al. 2018, 2021): its dataset name and
/// condition names as the benchmark spells them, and the image transform for one condition. Deterministic under
/// <c>seed</c>. Implementations that use torch must be called on the thread that runs the other torch work.
/// </summary>
public interface IDistortion
{
    /// <summary>The benchmark's dataset name, e.g. "phase-scrambling".</summary>
    string Name { get; }

    /// <summary>The benchmark's condition names (its data_conditions), weakest first.</summary>
    IReadOnlyList<string> Conditions { get; }

    RgbImage Apply(RgbImage image, string condition, int seed);
}

/// <summary>An unknown condition for a distortion; names both and lists the valid ones.</summary>
public sealed class UnknownConditionException(string distortion, string condition, IEnumerable<string> valid)
    : ArgumentException($"{distortion}: unknown condition '{condition}'; valid conditions: {string.Join(", ", valid)}");

/// <summary>The twelve parametric datasets of the benchmark, in its order.</summary>
public static class ParametricDistortions
{
    /// <param name="powerSpectrumTarget">
    /// Mean amplitude spectrum that power equalisation imposes (the benchmark used the mean over its own images):
    /// see <see cref="AmplitudeSpectrum.MeanOf"/>.
    /// </param>
    /// <param name="eidolonPictureSize">The Eidolon Factory's working size (benchmark: 256).</param>
    public static IReadOnlyList<IDistortion> Create(AmplitudeSpectrum powerSpectrumTarget, int eidolonPictureSize = EidolonFactory.DefaultPictureSize) =>
    [
        new ColourDistortion(),
        new ContrastDistortion(),
        new HighPassDistortion(),
        new LowPassDistortion(),
        new PhaseScrambling(),
        new PowerEqualisation(powerSpectrumTarget),
        new FalseColour(),
        new RotationDistortion(),
        .. EidolonDistortion.All(eidolonPictureSize),
        new UniformNoise(),
    ];
}
