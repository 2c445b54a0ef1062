using Repro.Data;

namespace Repro.Measurement.Discovery;

/// <summary>
/// The sanity anchor: always predicts the centred box covering the middle <see cref="SideFraction"/> of each
/// side (0.5: from W/4 to 3W/4 and H/4 to 3H/4). A feature-based method that does not beat it has learnt nothing
/// about where objects are beyond the photographer's centring.
/// </summary>
public sealed class CentredBoxBaseline : IObjectDiscoverer
{
    public double SideFraction { get; }

    public CentredBoxBaseline(double sideFraction = 0.5)
    {
        if (sideFraction is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(sideFraction), sideFraction, "must be in (0, 1]");
        SideFraction = sideFraction;
    }

    public string Name => "centred-box";

    public DiscoveryOutcome Discover(RgbImage image)
    {
        double mx = image.Width * (1 - SideFraction) / 2, my = image.Height * (1 - SideFraction) / 2;
        return DiscoveryOutcome.Found(new PixelBox(mx, my, image.Width - mx, image.Height - my));
    }
}
