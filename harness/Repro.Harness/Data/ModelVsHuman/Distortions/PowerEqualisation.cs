using static TorchSharp.torch;

namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// "power-equalisation": greyscale, then the Fourier amplitude spectrum replaced by a target (the benchmark used the
/// mean amplitude spectrum over its images), phases kept, real part of the inverse, clipped
/// (equalise_power_spectrum in Geirhos et al. 2018). "0" is the greyscale original.
/// </summary>
public sealed class PowerEqualisation(AmplitudeSpectrum target) : IDistortion
{
    public string Name => "power-equalisation";
    public IReadOnlyList<string> Conditions { get; } = ["0", "pow"];

    public AmplitudeSpectrum Target { get; } = target;

    public RgbImage Apply(RgbImage image, string condition, int seed)
    {
        var grey = GreyPlane.Luminance(image);
        return condition switch
        {
            "0" => grey.ToImage(),
            "pow" => Equalise(grey).ToImage(),
            _ => throw new UnknownConditionException(Name, condition, Conditions),
        };
    }

    internal GreyPlane Equalise(GreyPlane grey)
    {
        if (grey.Width != Target.Width || grey.Height != Target.Height)
            throw new ArgumentException(
                $"{Name}: image is {grey.Width}x{grey.Height} but the target amplitude spectrum is {Target.Width}x{Target.Height}; " +
                "compute the target from images of the size being distorted");
        using var scope = NewDisposeScope();
        var phase = fft.fftshift(fft.fft2(grey.ToTensor())).angle();
        var equalised = polar(Target.ToTensor(), phase);
        return GreyPlane.FromTensor(fft.ifft2(fft.ifftshift(equalised)).real);
    }
}
