namespace Repro.Data;

/// <summary>One annotated object of a localisation benchmark; the flags matter for the "no hard" protocol.</summary>
public sealed record GroundTruthObject(string ClassName, PixelBox Box, bool Difficult = false, bool Truncated = false)
{
    public bool IsHard => Difficult || Truncated;
}

/// <summary>An image of a localisation benchmark (VOC, COCO20k) with every annotated object, used at full resolution.</summary>
public sealed record LocalisationImage(string Id, string ImagePath, int Width, int Height, IReadOnlyList<GroundTruthObject> Objects);
