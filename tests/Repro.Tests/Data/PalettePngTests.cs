using Repro.Data;
using Repro.Data.Png;
using Repro.Data.Voc;

namespace Repro.Tests.Data;

[Trait("Category", TestCategories.Unit)]
public class PalettePngTests
{
    /// <summary>Palette PNGs written by Pillow 9.4 (Image mode 'P'), base64: an independent encoder's output.</summary>
    const string PillowVoc8Bit13x9 = "iVBORw0KGgoAAAANSUhEUgAAAA0AAAAJCAMAAADepFZYAAADAFBMVEUAAACAAAAAgACAgAAAAICAAIAAgICAgIBAAADAAABAgADAgABAAIDAAIBAgIDAgIAAQACAQAAAwACAwAAAQICAQIAAwICAwIBAQADAQABAwADAwABAQIDAQIBAwIDAwIAAAECAAEAAgECAgEAAAMCAAMAAgMCAgMBAAEDAAEBAgEDAgEBAAMDAAMBAgMDAgMAAQECAQEAAwECAwEAAQMCAQMAAwMCAwMBAQEDAQEBAwEDAwEBAQMDAQMBAwMDAwMAgAACgAAAggACggAAgAICgAIAggICggIBgAADgAABggADggABgAIDgAIBggIDggIAgQACgQAAgwACgwAAgQICgQIAgwICgwIBgQADgQABgwADgwABgQIDgQIBgwIDgwIAgAECgAEAggECggEAgAMCgAMAggMCggMBgAEDgAEBggEDggEBgAMDgAMBggMDggMAgQECgQEAgwECgwEAgQMCgQMAgwMCgwMBgQEDgQEBgwEDgwEBgQMDgQMBgwMDgwMAAIACAIAAAoACAoAAAIICAIIAAoICAoIBAIADAIABAoADAoABAIIDAIIBAoIDAoIAAYACAYAAA4ACA4AAAYICAYIAA4ICA4IBAYADAYABA4ADA4ABAYIDAYIBA4IDA4IAAIECAIEAAoECAoEAAIMCAIMAAoMCAoMBAIEDAIEBAoEDAoEBAIMDAIMBAoMDAoMAAYECAYEAA4ECA4EAAYMCAYMAA4MCA4MBAYEDAYEBA4EDA4EBAYMDAYMBA4MDA4MAgIACgIAAgoACgoAAgIICgIIAgoICgoIBgIADgIABgoADgoABgIIDgIIBgoIDgoIAgYACgYAAg4ACg4AAgYICgYIAg4ICg4IBgYADgYABg4ADg4ABgYIDgYIBg4IDg4IAgIECgIEAgoECgoEAgIMCgIMAgoMCgoMBgIEDgIEBgoEDgoEBgIMDgIMBgoMDgoMAgYECgYEAg4ECg4EAgYMCgYMAg4MCg4MBgYEDgYEBg4EDg4EBgYMDgYMBg4MDg4MCa7rFGAAAARUlEQVR4nGP4jwwY/nNw8wmKMLGCKCCPV0CYkYWdC0QBeUIMzGycPPwgCsiDKAKrBfIgisBqgTyIIrBaIA9mIJAC8pABAJEvKunSJiXBAAAAAElFTkSuQmCC";
    const string Pillow4Bit11x7 = "iVBORw0KGgoAAAANSUhEUgAAAAsAAAAHBAMAAAAsQKpuAAAAMFBMVEUAJUpvlLneAyhNcpe84QYrUHWav+QJLlN4ncLnDDFWe6DF6g80WX6jyO0SN1yBpst2OunoAAAALklEQVR4nGNgzjyv2v2AIWKfSNUFA4a1IG4Dwycwl8EdxFVgmAPiFjA8BHEPAADdMhPbO+Z/KgAAAABJRU5ErkJggg==";
    const string Pillow2Bit11x7 = "iVBORw0KGgoAAAANSUhEUgAAAAsAAAAHAgMAAACjAF/OAAAADFBMVEUAJUpvlLneAyhNcpfXdf45AAAAG0lEQVR4nGOwtLRg8PPzYZg8eQLDkydPGJD4AHkQCT00715xAAAAAElFTkSuQmCC";
    const string Pillow1Bit11x7 = "iVBORw0KGgoAAAANSUhEUgAAAAsAAAAHAQMAAADkoCUeAAAABlBMVEUAJUpvlLm89GnJAAAAEUlEQVR4nGMIdWBYtYABlQQAQVsGM42MknYAAAAASUVORK5CYII=";

    [Fact]
    public void Reads_Pillow_VOC_style_mask_with_void_border()
    {
        var mask = PalettePng.Decode(Convert.FromBase64String(PillowVoc8Bit13x9), "pillow-voc.png");
        Assert.Equal((13, 9, 256), (mask.Width, mask.Height, mask.PaletteSize));
        for (var y = 0; y < 9; y++)
            for (var x = 0; x < 13; x++)
                Assert.Equal(x is 0 or 12 || y is 0 or 8 ? 255 : (x * 3 + y * 5) % 21, mask[y, x]);
        Assert.Equal(VocLabels.Palette, mask.Palette);
    }

    [Theory]
    [InlineData(Pillow4Bit11x7, 4, 16)]
    [InlineData(Pillow2Bit11x7, 2, 4)]
    [InlineData(Pillow1Bit11x7, 1, 2)]
    public void Reads_Pillow_low_bit_depth_palettes(string base64, int bitDepth, int colours)
    {
        using var dir = new TempDir();
        var bytes = Convert.FromBase64String(base64);
        File.WriteAllBytes(dir["pillow.png"], bytes);
        Assert.Equal(new PngHeader(11, 7, bitDepth, PngColourType.Palette, false), PalettePng.ReadHeader(dir["pillow.png"]));
        var image = PalettePng.Decode(bytes, "pillow.png");
        Assert.Equal((11, 7), (image.Width, image.Height));
        for (var y = 0; y < 7; y++)
            for (var x = 0; x < 11; x++)
                Assert.Equal((x * 3 + y * 5) % colours, image[y, x]);
    }

    public static TheoryData<int, PngFilter> DepthsAndFilters()
    {
        var data = new TheoryData<int, PngFilter>();
        foreach (var depth in new[] { 1, 2, 4, 8 })
            foreach (var filter in Enum.GetValues<PngFilter>())
                data.Add(depth, filter);
        return data;
    }

    /// <summary>
    /// Odd widths (partial bytes at low depths); at depth 8 most indices are multiples of 5 from a small set so that
    /// the Paeth predictor often meets ties (e.g. left 15, up 0, up-left 10), where its tie-breaking order matters.
    /// </summary>
    static PaletteImage RandomImage(int depth, int seed)
    {
        var rng = new Random(seed);
        int width = 33 + rng.Next(7), height = 15 + rng.Next(5), colours = 1 << depth;
        var palette = new byte[colours * 3];
        rng.NextBytes(palette);
        var indices = new byte[width * height];
        for (var i = 0; i < indices.Length; i++)
            indices[i] = (byte)(i % 17 < 3 ? colours - 1 : depth == 8 && i % 5 != 0 ? 5 * rng.Next(7) : rng.Next(colours));
        return new PaletteImage(width, height, indices, palette);
    }

    [Theory]
    [MemberData(nameof(DepthsAndFilters))]
    public void Write_then_read_round_trips(int depth, PngFilter filter)
    {
        var image = RandomImage(depth, depth * 10 + (int)filter);
        var decoded = PalettePng.Decode(PalettePng.Encode(image, depth, filter), "roundtrip.png");
        Assert.Equal(image.Indices, decoded.Indices);
        Assert.Equal(image.Palette, decoded.Palette);
    }

    [Theory]
    [MemberData(nameof(DepthsAndFilters))]
    public void SkiaSharp_decodes_written_PNG_to_palette_colours(int depth, PngFilter filter)
    {
        var image = RandomImage(depth, 1000 + depth * 10 + (int)filter);
        var rgb = ImageCodec.Decode(PalettePng.Encode(image, depth, filter), "skia.png");
        Assert.Equal((image.Width, image.Height), (rgb.Width, rgb.Height));
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
                for (var c = 0; c < 3; c++)
                    Assert.Equal(image.Palette[image[y, x] * 3 + c], rgb[y, x, c]);
    }

    [Fact]
    public void VOC_palette_has_the_devkit_colours()
    {
        (byte, byte, byte) Colour(int i) => (VocLabels.Palette[3 * i], VocLabels.Palette[3 * i + 1], VocLabels.Palette[3 * i + 2]);
        Assert.Equal(((byte)0, (byte)0, (byte)0), Colour(0));
        Assert.Equal(((byte)128, (byte)0, (byte)0), Colour(1));       // aeroplane
        Assert.Equal(((byte)192, (byte)128, (byte)128), Colour(15));  // person
        Assert.Equal(((byte)0, (byte)64, (byte)128), Colour(20));     // tvmonitor
        Assert.Equal(((byte)224, (byte)224, (byte)192), Colour(255)); // void
    }

    [Fact]
    public void RGB_PNG_is_rejected_as_not_palette()
    {
        using var dir = new TempDir();
        var path = dir["rgb.png"];
        DataFixtures.WriteRgbPng(path, 8, 6);
        var e = Assert.Throws<DataFileException>(() => PalettePng.Read(path));
        Assert.Equal(DataProblem.NotPaletteMask, e.Problem);
        Assert.Contains(path, e.Message);
        Assert.Contains("not palette-indexed", e.Message);
        Assert.Equal(PngColourType.Rgb, PalettePng.ReadHeader(path).ColourType);
    }

    [Fact]
    public void Truncated_PNG_is_reported_with_its_path()
    {
        var full = PalettePng.Encode(RandomImage(8, 7));
        foreach (var keep in new[] { 20, 40, full.Length / 2, full.Length - 14, full.Length - 1 })
        {
            var e = Assert.Throws<DataFileException>(() => PalettePng.Decode(full[..keep], "cut.png"));
            Assert.Equal(DataProblem.UnreadableImage, e.Problem);
            Assert.StartsWith("cut.png: ", e.Message);
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void Corrupted_chunk_fails_its_checksum()
    {
        var bytes = PalettePng.Encode(RandomImage(8, 8));
        bytes[^20] ^= 0x5A;
        var e = Assert.Throws<DataFileException>(() => PalettePng.Decode(bytes, "flipped.png"));
        Assert.Contains("CRC mismatch", e.Message);
    }

    [Fact]
    public void Non_PNG_is_rejected()
    {
        var e = Assert.Throws<DataFileException>(() => PalettePng.Decode(new byte[64], "zeros.png"));
        Assert.Contains("not a PNG", e.Message);
    }
}
