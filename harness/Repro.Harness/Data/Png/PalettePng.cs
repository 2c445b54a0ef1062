using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Repro.Data.Png;

public enum PngColourType : byte { Greyscale = 0, Rgb = 2, Palette = 3, GreyscaleAlpha = 4, Rgba = 6 }

/// <summary>The fields of a PNG's IHDR chunk.</summary>
public sealed record PngHeader(int Width, int Height, int BitDepth, PngColourType ColourType, bool Interlaced);

/// <summary>A palette-indexed image: one palette index per pixel (row-major) and the palette as RGB triplets.</summary>
public sealed record PaletteImage(int Width, int Height, byte[] Indices, byte[] Palette)
{
    public byte this[int y, int x] => Indices[y * Width + x];
    public int PaletteSize => Palette.Length / 3;
}

/// <summary>The per-row filter a PNG encoder applies; <see cref="Adaptive"/> picks per row (minimum sum of absolute differences).</summary>
public enum PngFilter { None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4, Adaptive = 5 }

/// <summary>
/// Reads and writes palette-indexed PNGs (colour type 3, bit depths 1/2/4/8, not interlaced) at the level of
/// palette indices. Decoders such as SkiaSharp only hand out the palette colours; segmentation masks need the
/// indices themselves (VOC: 0 = background, 1..20 = class, 255 = void).
/// </summary>
public static class PalettePng
{
    static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    const string Remedy = "Replace the file with a valid palette PNG, or regenerate the dataset";

    /// <summary>Reads only the signature and IHDR chunk.</summary>
    public static PngHeader ReadHeader(string path)
    {
        var head = new byte[33];
        int read;
        try
        {
            using var file = File.OpenRead(path);
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (IOException e) { throw new DataFileException(path, DataProblem.UnreadableImage, $"cannot read file ({e.Message})", Remedy); }
        if (read < head.Length)
            throw new DataFileException(path, DataProblem.UnreadableImage, $"truncated PNG: {read} bytes, too short for a PNG header", Remedy);
        CheckSignature(head, path);
        return ParseHeader(head.AsSpan(8, 25), path);
    }

    public static PaletteImage Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DataFileException(path, DataProblem.UnreadableImage, $"cannot read file ({e.Message})", Remedy); }
        return Decode(bytes, path);
    }

    public static PaletteImage Decode(byte[] bytes, string nameForErrors)
    {
        if (bytes.Length < 33)
            throw new DataFileException(nameForErrors, DataProblem.UnreadableImage, $"truncated PNG: {bytes.Length} bytes, too short for a PNG header", Remedy);
        CheckSignature(bytes, nameForErrors);
        PngHeader? header = null;
        byte[]? palette = null;
        using var idat = new MemoryStream();
        var pos = 8;
        var sawEnd = false;
        while (!sawEnd)
        {
            if (pos + 8 > bytes.Length)
                throw new DataFileException(nameForErrors, DataProblem.UnreadableImage, "truncated PNG: the file ends before the IEND chunk", Remedy);
            var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos));
            var type = Encoding.ASCII.GetString(bytes, pos + 4, 4);
            if (length < 0 || (long)pos + 12 + length > bytes.Length)
                throw new DataFileException(nameForErrors, DataProblem.UnreadableImage, $"truncated PNG: chunk {type} ({length} bytes) runs past the end of the file", Remedy);
            var data = bytes.AsSpan(pos + 8, length);
            var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(pos + 8 + length));
            if (Crc32.Compute(bytes.AsSpan(pos + 4, 4), data) != storedCrc)
                throw new DataFileException(nameForErrors, DataProblem.UnreadableImage, $"corrupt PNG: CRC mismatch in chunk {type}", Remedy);
            switch (type)
            {
                case "IHDR":
                    header = ParseHeader(bytes.AsSpan(pos, 8 + length), nameForErrors);
                    if (header.ColourType != PngColourType.Palette)
                        throw NotPalette(nameForErrors, header);
                    if (header.BitDepth is not (1 or 2 or 4 or 8))
                        throw new DataFileException(nameForErrors, DataProblem.UnreadableImage, $"palette PNG with bit depth {header.BitDepth}; PNG allows 1, 2, 4 or 8", Remedy);
                    if (header.Interlaced)
                        throw new DataFileException(nameForErrors, DataProblem.UnreadableImage, "interlaced (Adam7) PNG; masks are read only non-interlaced",
                            "Re-save the mask without interlacing");
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 768)
                        throw new DataFileException(nameForErrors, DataProblem.UnreadableImage, $"PLTE chunk of {length} bytes; expected 3 to 768, a multiple of 3", Remedy);
                    palette = data.ToArray();
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }
            if (header == null)
                throw new DataFileException(nameForErrors, DataProblem.UnreadableImage, $"first chunk is {type}, expected IHDR", Remedy);
            pos += 12 + length;
        }
        if (palette == null)
            throw new DataFileException(nameForErrors, DataProblem.UnreadableImage, "palette PNG without a PLTE chunk", Remedy);
        if (idat.Length == 0)
            throw new DataFileException(nameForErrors, DataProblem.UnreadableImage, "PNG without image data (no IDAT chunk)", Remedy);
        return new PaletteImage(header!.Width, header.Height, Unfilter(idat.ToArray(), header, nameForErrors), palette);
    }

    static void CheckSignature(ReadOnlySpan<byte> bytes, string name)
    {
        if (!bytes[..8].SequenceEqual(Signature))
            throw new DataFileException(name, DataProblem.UnreadableImage, "not a PNG file (wrong signature)", Remedy);
    }

    /// <summary>Parses an IHDR chunk given from its length field on.</summary>
    static PngHeader ParseHeader(ReadOnlySpan<byte> chunk, string name)
    {
        if (Encoding.ASCII.GetString(chunk.Slice(4, 4)) != "IHDR" || BinaryPrimitives.ReadInt32BigEndian(chunk) != 13)
            throw new DataFileException(name, DataProblem.UnreadableImage, "PNG does not start with a 13-byte IHDR chunk", Remedy);
        var d = chunk.Slice(8, 13);
        int width = BinaryPrimitives.ReadInt32BigEndian(d), height = BinaryPrimitives.ReadInt32BigEndian(d[4..]);
        if (width <= 0 || height <= 0)
            throw new DataFileException(name, DataProblem.UnreadableImage, $"PNG header gives size {width}x{height}", Remedy);
        return new PngHeader(width, height, d[8], (PngColourType)d[9], d[12] != 0);
    }

    static DataFileException NotPalette(string name, PngHeader h) => new(name, DataProblem.NotPaletteMask,
        $"{h.ColourType} PNG (colour type {(int)h.ColourType}, {h.BitDepth}-bit), not palette-indexed (colour type 3): " +
        "segmentation masks must store class indices in a palette, as VOC's SegmentationClass PNGs do",
        "Use the dataset's original SegmentationClass PNGs, or re-save the mask as an indexed-colour PNG");

    static int RowBytes(int width, int bitDepth) => (width * bitDepth + 7) / 8;

    static byte[] Unfilter(byte[] compressed, PngHeader h, string name)
    {
        var rowBytes = RowBytes(h.Width, h.BitDepth);
        var raw = new byte[(long)(rowBytes + 1) * h.Height];
        int got;
        try
        {
            using var z = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            got = z.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e) { throw new DataFileException(name, DataProblem.UnreadableImage, $"corrupt PNG image data ({e.Message})", Remedy); }
        if (got < raw.Length)
            throw new DataFileException(name, DataProblem.UnreadableImage, $"truncated PNG image data: {got / (rowBytes + 1)} of {h.Height} rows present", Remedy);

        var rows = new byte[rowBytes * h.Height];
        for (var y = 0; y < h.Height; y++)
        {
            var filter = raw[y * (rowBytes + 1)];
            var src = raw.AsSpan(y * (rowBytes + 1) + 1, rowBytes);
            var cur = rows.AsSpan(y * rowBytes, rowBytes);
            var prev = y > 0 ? rows.AsSpan((y - 1) * rowBytes, rowBytes) : Span<byte>.Empty;
            for (var i = 0; i < rowBytes; i++)
            {
                // Palette pixels occupy at most one byte, so the "previous pixel" is the previous byte.
                int a = i > 0 ? cur[i - 1] : 0, b = y > 0 ? prev[i] : 0, c = i > 0 && y > 0 ? prev[i - 1] : 0;
                cur[i] = filter switch
                {
                    0 => src[i],
                    1 => (byte)(src[i] + a),
                    2 => (byte)(src[i] + b),
                    3 => (byte)(src[i] + ((a + b) >> 1)),
                    4 => (byte)(src[i] + Paeth(a, b, c)),
                    _ => throw new DataFileException(name, DataProblem.UnreadableImage, $"corrupt PNG: row {y} has filter type {filter} (0-4 allowed)", Remedy),
                };
            }
        }
        return Unpack(rows, h.Width, h.Height, h.BitDepth, rowBytes);
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    static byte[] Unpack(byte[] rows, int width, int height, int bitDepth, int rowBytes)
    {
        if (bitDepth == 8) return rows;
        var indices = new byte[width * height];
        var perByte = 8 / bitDepth;
        var mask = (1 << bitDepth) - 1;
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var packed = rows[y * rowBytes + x / perByte];
                var shift = 8 - bitDepth * (x % perByte + 1);
                indices[y * width + x] = (byte)((packed >> shift) & mask);
            }
        return indices;
    }

    public static void Write(string path, PaletteImage image, int bitDepth = 8, PngFilter filter = PngFilter.Adaptive) =>
        File.WriteAllBytes(path, Encode(image, bitDepth, filter));

    public static byte[] Encode(PaletteImage image, int bitDepth = 8, PngFilter filter = PngFilter.Adaptive)
    {
        if (bitDepth is not (1 or 2 or 4 or 8))
            throw new ArgumentException($"bit depth {bitDepth}: palette PNGs allow 1, 2, 4 or 8", nameof(bitDepth));
        if (image.Palette.Length == 0 || image.Palette.Length % 3 != 0 || image.PaletteSize > 1 << bitDepth)
            throw new ArgumentException($"palette of {image.Palette.Length} bytes does not fit bit depth {bitDepth} (3 bytes per entry, at most {1 << bitDepth} entries)");
        if (image.Indices.Length != image.Width * image.Height)
            throw new ArgumentException($"{image.Indices.Length} indices for a {image.Width}x{image.Height} image");
        var max = image.Indices.Length == 0 ? 0 : image.Indices.Max();
        if (max >= image.PaletteSize)
            throw new ArgumentException($"index {max} is outside the palette of {image.PaletteSize} entries");

        var rowBytes = RowBytes(image.Width, bitDepth);
        var packed = Pack(image, bitDepth, rowBytes);
        var filtered = new byte[(long)(rowBytes + 1) * image.Height];
        var candidate = new byte[rowBytes];
        for (var y = 0; y < image.Height; y++)
        {
            var cur = packed.AsSpan(y * rowBytes, rowBytes);
            var prev = y > 0 ? packed.AsSpan((y - 1) * rowBytes, rowBytes) : Span<byte>.Empty;
            var outRow = filtered.AsSpan(y * (rowBytes + 1) + 1, rowBytes);
            var best = long.MaxValue;
            for (var f = 0; f <= 4; f++)
            {
                if (filter != PngFilter.Adaptive && f != (int)filter) continue;
                long cost = 0;
                for (var i = 0; i < rowBytes; i++)
                {
                    int a = i > 0 ? cur[i - 1] : 0, b = y > 0 ? prev[i] : 0, c = i > 0 && y > 0 ? prev[i - 1] : 0;
                    var v = (byte)(cur[i] - f switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => Paeth(a, b, c) });
                    candidate[i] = v;
                    cost += Math.Abs((int)(sbyte)v);
                }
                if (cost < best)
                {
                    best = cost;
                    filtered[y * (rowBytes + 1)] = (byte)f;
                    candidate.CopyTo(outRow);
                }
            }
        }

        using var output = new MemoryStream();
        output.Write(Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), image.Height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)PngColourType.Palette;
        WriteChunk(output, "IHDR", ihdr);
        WriteChunk(output, "PLTE", image.Palette);
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(filtered);
            WriteChunk(output, "IDAT", compressed.ToArray());
        }
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    static byte[] Pack(PaletteImage image, int bitDepth, int rowBytes)
    {
        if (bitDepth == 8) return image.Indices;
        var packed = new byte[rowBytes * image.Height];
        var perByte = 8 / bitDepth;
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
                packed[y * rowBytes + x / perByte] |= (byte)(image.Indices[y * image.Width + x] << (8 - bitDepth * (x % perByte + 1)));
        return packed;
    }

    static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(typeBytes, data));
        s.Write(word);
    }
}
