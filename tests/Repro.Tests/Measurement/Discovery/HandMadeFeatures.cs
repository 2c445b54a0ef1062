using Repro.Measurement.Discovery;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement.Discovery;

/// <summary>Feature maps drawn by hand: every patch gets one of a few 2-D vectors.</summary>
static class HandMadeFeatures
{
    /// <summary>Three unit vectors 120° apart: any two different ones have a negative dot product.</summary>
    public static readonly float[] Background = [1f, 0f];
    public static readonly float[] ObjectA = [-0.5f, 0.8660254f];
    public static readonly float[] ObjectB = [-0.5f, -0.8660254f];

    /// <summary>Tokens [rows·cols, 2] in row-major order; <paramref name="at"/> picks each patch's vector.</summary>
    public static Tensor Map(int rows, int cols, Func<int, int, float[]> at)
    {
        var data = new float[rows * cols * 2];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                at(r, c).CopyTo(data, (r * cols + c) * 2);
        return tensor(data, [rows * cols, 2]);
    }

    public static bool Inside(int r, int c, GridBox b) => r >= b.Row0 && r < b.Row1 && c >= b.Col0 && c < b.Col1;
}

/// <summary>A backbone stand-in whose tokens come from a function of the patch grid.</summary>
sealed class FakeFeatures(int stride, Func<int, int, Tensor> tokens) : IDiscoveryFeatures
{
    public int Calls { get; private set; }
    public string Description => "hand-made";
    public int Stride => stride;
    public Device Device => CPU;

    public PatchTokens Extract(Tensor paddedImage)
    {
        Calls++;
        int rows = (int)paddedImage.shape[2] / stride, cols = (int)paddedImage.shape[3] / stride;
        return new PatchTokens(tokens(rows, cols), rows, cols);
    }
}
