using Repro.Data;

namespace Repro.Measurement.Discovery;

/// <summary>Why an image has no scored prediction. Skips leave the CorLoc denominator; failures count as misses.</summary>
public enum DiscoveryIssue
{
    None,
    /// <summary>Skip: the image has no ground-truth box to compare with.</summary>
    NoGroundTruth,
    /// <summary>Skip ("no hard" protocol): every object of the image is difficult or truncated.</summary>
    AllObjectsHard,
    /// <summary>Skip: the image is narrower or lower than one feature stride, so it has no full patch row or column.</summary>
    ImageSmallerThanStride,
    /// <summary>Miss: the backbone produced NaN or infinite features (e.g. a diverged model).</summary>
    NonFiniteFeatures,
    /// <summary>Miss: after seed expansion the seed is not in M &gt; 0 (degenerate, e.g. all-zero, features).</summary>
    SeedInBackground,
}

public static class DiscoveryIssues
{
    public static bool IsSkip(this DiscoveryIssue issue) =>
        issue is DiscoveryIssue.NoGroundTruth or DiscoveryIssue.AllObjectsHard or DiscoveryIssue.ImageSmallerThanStride;
}

/// <summary>A method's answer for one image: a box (and, for LOST, its seed patch), or an issue.</summary>
public sealed record DiscoveryOutcome(PixelBox? Box, DiscoveryIssue Issue, string? Detail = null, int? SeedRow = null, int? SeedCol = null)
{
    public static DiscoveryOutcome Found(PixelBox box, int? seedRow = null, int? seedCol = null) => new(box, DiscoveryIssue.None, null, seedRow, seedCol);
    public static DiscoveryOutcome Problem(DiscoveryIssue issue, string detail) => new(null, issue, detail);
}

/// <summary>A single-object discovery method: one box per image, no labels.</summary>
public interface IObjectDiscoverer
{
    /// <summary>Short name for files and plots, e.g. "lost" or "centred-box".</summary>
    string Name { get; }
    DiscoveryOutcome Discover(RgbImage image);
}
