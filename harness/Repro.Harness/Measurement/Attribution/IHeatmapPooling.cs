using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>
/// Turns attributions [B,C,H,W] into one non-negative relevance per pixel, [B,H,W], the input of the localisation
/// metrics (pooling in Arras et al., "CLEVR-XAI"). The paper pools Grad-CAM and attention maps by min-max scaling
/// and Integrated Gradients by the channel sum of squares.
/// </summary>
public interface IHeatmapPooling
{
    Tensor Pool(Tensor attributions);
}
