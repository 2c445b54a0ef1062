using Repro.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Data;

/// <summary>A crop window in pixel coordinates of the source image.</summary>
public readonly record struct CropBox(int Top, int Left, int Height, int Width);

/// <summary>
/// torchvision's classification transforms on decoded images: eval = Resize(shorter side) + CenterCrop,
/// train = RandomResizedCrop + RandomHorizontalFlip, then ImageNet normalisation. Bilinear with antialias,
/// as torchvision's tensor transforms do. Randomness comes from the caller's seeded <see cref="Random"/>.
/// These libtorch versions run where the transforms run on a GPU (performance.device_transforms) and are the
/// reference that <see cref="PixelTransform"/>, the CPU path, is tested against.
/// </summary>
public static class ImageTransforms
{
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>HWC bytes to a CHW float tensor in [0, 1], on <paramref name="device"/> (null = CPU).</summary>
    public static Tensor ToTensor(RgbImage img, Device? device = null)
    {
        // Filling an empty tensor through .bytes is a plain copy; torch.tensor(byte[]) took 20-50x longer here.
        using var hwc = empty([img.Height, img.Width, 3], ScalarType.Byte);
        hwc.bytes = img.Pixels;
        if (device == null || device.type == DeviceType.CPU) return HwcBytesToChw(hwc);
        // Bytes travel to the device, a quarter of the float32 size.
        using var placed = hwc.to(device);
        return HwcBytesToChw(placed);
    }

    static Tensor HwcBytesToChw(Tensor hwc)
    {
        using var chw = hwc.permute(2, 0, 1);
        return chw.to(ScalarType.Float32).div_(Scalars.Of(255f));
    }

    public static Tensor Normalize(Tensor chw)
    {
        var mean = tensor(ImageNetMean, device: chw.device).view(3, 1, 1);
        var std = tensor(ImageNetStd, device: chw.device).view(3, 1, 1);
        return chw.sub(mean).div_(std);
    }

    public static Tensor Resize(Tensor chw, int height, int width) =>
        nn.functional.interpolate(chw.unsqueeze(0), [height, width], mode: InterpolationMode.Bilinear,
            align_corners: false, antialias: true).squeeze(0);

    /// <summary>Resize so that the shorter side equals <paramref name="size"/> (torchvision Resize(int)).</summary>
    public static Tensor ResizeShorterSide(Tensor chw, int size)
    {
        int h = (int)chw.shape[1], w = (int)chw.shape[2];
        var (nh, nw) = ShorterSideSize(h, w, size);
        return nh == h && nw == w ? chw : Resize(chw, nh, nw);
    }

    /// <summary>The (height, width) torchvision's Resize(int) gives: the shorter side becomes <paramref name="size"/>, the other truncated.</summary>
    public static (int Height, int Width) ShorterSideSize(int height, int width, int size) =>
        height <= width ? (size, (int)(size * (long)width / height)) : ((int)(size * (long)height / width), size);

    public static Tensor CenterCrop(Tensor chw, int size)
    {
        int h = (int)chw.shape[1], w = (int)chw.shape[2];
        if (h < size || w < size)
            throw new ArgumentException($"image {w}x{h} is smaller than the {size}px centre crop");
        int top = (int)Math.Round((h - size) / 2.0), left = (int)Math.Round((w - size) / 2.0);
        return chw[.., top..(top + size), left..(left + size)];
    }

    public static Tensor Eval(RgbImage img, int resizeSize, int cropSize, Device? device = null)
    {
        using var scope = NewDisposeScope();
        return Normalize(CenterCrop(ResizeShorterSide(ToTensor(img, device), resizeSize), cropSize)).MoveToOuterDisposeScope();
    }

    /// <summary>torchvision RandomResizedCrop.get_params, including its centre-crop fallback after 10 tries.</summary>
    public static CropBox RandomResizedCropBox(int height, int width, Random rng, double scaleMin = 0.08, double scaleMax = 1.0,
        double ratioMin = 3.0 / 4.0, double ratioMax = 4.0 / 3.0)
    {
        double area = height * (double)width;
        double logMin = Math.Log(ratioMin), logMax = Math.Log(ratioMax);
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var targetArea = area * (scaleMin + rng.NextDouble() * (scaleMax - scaleMin));
            var aspect = Math.Exp(logMin + rng.NextDouble() * (logMax - logMin));
            var w = (int)Math.Round(Math.Sqrt(targetArea * aspect));
            var h = (int)Math.Round(Math.Sqrt(targetArea / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height)
                return new CropBox(rng.Next(height - h + 1), rng.Next(width - w + 1), h, w);
        }
        double inRatio = width / (double)height;
        int cw, ch;
        if (inRatio < ratioMin) { cw = width; ch = (int)Math.Round(cw / ratioMin); }
        else if (inRatio > ratioMax) { ch = height; cw = (int)Math.Round(ch * ratioMax); }
        else { cw = width; ch = height; }
        return new CropBox((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    public static Tensor Train(RgbImage img, int size, Config.TrainAugmentation augmentation, double scaleMin, Random rng,
        Device? device = null)
    {
        using var scope = NewDisposeScope();
        var x = ToTensor(img, device);
        switch (augmentation)
        {
            case Config.TrainAugmentation.RandomResizedCrop:
                var box = RandomResizedCropBox(img.Height, img.Width, rng, scaleMin);
                x = Resize(x[.., box.Top..(box.Top + box.Height), box.Left..(box.Left + box.Width)], size, size);
                break;
            default:
                x = Resize(x, size, size);
                break;
        }
        if (augmentation != Config.TrainAugmentation.None && rng.NextDouble() < 0.5)
            x = x.flip(2);
        return Normalize(x).MoveToOuterDisposeScope();
    }
}
