using System.Buffers.Binary;
using System.IO.Compression;

namespace SparseCore.Models.Data;

/// <summary>
/// Reads the IDX format of MNIST-style data sets: two zero bytes, a type code, the number of
/// dimensions, that many big-endian int32 sizes, then the elements. The file may be raw or gzip;
/// gzip is recognised by its 0x1F 0x8B magic rather than the ".gz" name because files get
/// renamed and decompressed in place, and the magic cannot collide with IDX's two zero bytes.
/// Every problem surfaces as a <see cref="DataFormatException"/> naming the file and the field.
/// </summary>
public static class IdxReader
{
    /// <summary>IDX type code for unsigned bytes, the only one image/label files use.</summary>
    public const byte UnsignedByte = 0x08;

    /// <summary>
    /// More dimensions than this is treated as a corrupt header: real IDX files have 1 to 4, and a
    /// garbage rank byte would otherwise make us read up to 255 "dimensions" of garbage.
    /// </summary>
    public const int MaxRank = 8;

    // Without a trustworthy size hint, start this small and grow, so a corrupt gzip header that
    // claims gigabytes fails on truncation instead of on an enormous up-front allocation.
    private const int InitialGzipCapacity = 1 << 24;

    public static IdxFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
            throw new DataFormatException(path, "file", "is a directory, not an IDX file");
        if (!File.Exists(path))
            throw new DataFormatException(path, "file", "not found");

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, "file", $"cannot be opened: {e.Message}", e);
        }

        using (file)
        {
            try
            {
                return ReadFrom(file, path);
            }
            catch (InvalidDataException e)
            {
                // Only the gzip decoder throws this: bad deflate data, or a CRC/length trailer mismatch.
                throw new DataFormatException(path, "gzip stream", $"corrupt gzip data: {e.Message}", e);
            }
            catch (IOException e)
            {
                throw new DataFormatException(path, "file", $"read failed: {e.Message}", e);
            }
        }
    }

    private static IdxFile ReadFrom(FileStream file, string path)
    {
        Span<byte> magic = stackalloc byte[2];
        int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        bool gzip = got == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        uint? sizeHint = gzip ? GzipSizeHint(file) : null;
        file.Position = 0;

        if (!gzip)
            return ReadIdx(file, path, gzip: false, sizeHint: null);
        using var inflated = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        return ReadIdx(inflated, path, gzip: true, sizeHint);
    }

    /// <summary>
    /// The gzip trailer's ISIZE (uncompressed length mod 2^32). Only a hint — a multi-member file
    /// holds the last member's size — so it is used to size the buffer, never to judge the data.
    /// </summary>
    private static uint? GzipSizeHint(FileStream file)
    {
        if (file.Length < 18)
            return null;
        Span<byte> trailer = stackalloc byte[4];
        file.Position = file.Length - 4;
        return file.ReadAtLeast(trailer, 4, throwOnEndOfStream: false) == 4
            ? BinaryPrimitives.ReadUInt32LittleEndian(trailer)
            : null;
    }

    private static IdxFile ReadIdx(Stream stream, string path, bool gzip, uint? sizeHint)
    {
        string source = gzip ? "decompressed stream" : "file";

        Span<byte> head = stackalloc byte[4];
        int got = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new DataFormatException(path, "header",
                $"truncated: the {source} has {got} byte(s), an IDX header needs at least 4 (magic, dtype, ndim)");

        if (head[0] != 0 || head[1] != 0)
            throw new DataFormatException(path, "magic",
                $"wrong magic: first two bytes are 0x{head[0]:X2} 0x{head[1]:X2}; an IDX file starts with 0x00 0x00 " +
                "(or 0x1F 0x8B if gzip-compressed)");

        byte dtype = head[2];
        if (dtype != UnsignedByte)
            throw new DataFormatException(path, "dtype",
                $"unsupported dtype 0x{dtype:X2} ({DataTypeName(dtype)}); only 0x08 (unsigned byte) is supported");

        int rank = head[3];
        if (rank == 0)
            throw new DataFormatException(path, "ndim", "ndim is 0; an IDX file needs at least one dimension");
        if (rank > MaxRank)
            throw new DataFormatException(path, "ndim", $"ndim is {rank}, more than {MaxRank}: not a plausible IDX header");

        Span<byte> dimBytes = stackalloc byte[4 * MaxRank];
        dimBytes = dimBytes[..(4 * rank)];
        got = stream.ReadAtLeast(dimBytes, dimBytes.Length, throwOnEndOfStream: false);
        if (got < dimBytes.Length)
            throw new DataFormatException(path, "header",
                $"truncated: ndim={rank} needs {dimBytes.Length} bytes of dimensions, the {source} has {got}");

        var dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dimBytes.Slice(4 * i, 4));
            if (dims[i] <= 0)
                throw new DataFormatException(path, $"dimension {i}",
                    $"dimension {i} is {dims[i]}; every dimension must be at least 1 (dims {Format(dims, i + 1)})");
            total *= dims[i]; // cannot overflow: checked against Array.MaxLength before the next multiply
            if (total > Array.MaxLength)
                throw new DataFormatException(path, "dimensions",
                    $"dims {Format(dims, i + 1)} describe more than {Array.MaxLength} bytes, more than one array can hold");
        }

        int headerLength = 4 + 4 * rank;
        int expected = (int)total;
        byte[] data = gzip
            ? ReadGzipData(stream, path, dims, expected, headerLength, sizeHint)
            : ReadRawData((FileStream)stream, path, dims, expected);
        return new IdxFile(path, dtype, dims, data);
    }

    private static byte[] ReadRawData(FileStream file, string path, int[] dims, int expected)
    {
        // A raw file's length is known, so both truncation and trailing bytes are judged before
        // allocating anything — a corrupt header cannot trigger a huge allocation.
        long available = file.Length - file.Position;
        if (available < expected)
            throw Truncated(path, dims, expected, available, "file");
        if (available > expected)
            throw Trailing(path, dims, expected, available - expected);

        var data = GC.AllocateUninitializedArray<byte>(expected);
        int got = file.ReadAtLeast(data, expected, throwOnEndOfStream: false);
        if (got < expected) // the file shrank while we read it
            throw Truncated(path, dims, expected, got, "file");
        return data;
    }

    private static byte[] ReadGzipData(Stream stream, string path, int[] dims, int expected, int headerLength, uint? sizeHint)
    {
        bool hintMatches = sizeHint == unchecked((uint)(headerLength + (long)expected));
        int capacity = hintMatches ? expected : Math.Min(expected, InitialGzipCapacity);
        var data = GC.AllocateUninitializedArray<byte>(capacity);
        int filled = 0;
        while (true)
        {
            filled += stream.ReadAtLeast(data.AsSpan(filled), data.Length - filled, throwOnEndOfStream: false);
            if (filled < data.Length)
                throw Truncated(path, dims, expected, filled, "decompressed stream");
            if (filled == expected)
                break;
            var grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(expected, 2L * data.Length));
            data.AsSpan(0, filled).CopyTo(grown);
            data = grown;
        }

        // Reading on to the end also makes the decoder check the gzip CRC and length trailer. .NET's
        // decoder does not report a stream that simply stops (measured on .NET 10), so truncation is
        // judged by the IDX header's size instead: any lost data byte is caught; only a file missing
        // just its 8-byte trailer, with every data byte intact, goes unnoticed (nothing to verify).
        long trailing = 0;
        Span<byte> scratch = stackalloc byte[4096];
        int n;
        while ((n = stream.Read(scratch)) > 0)
            trailing += n;
        if (trailing > 0)
            throw Trailing(path, dims, expected, trailing);
        return data;
    }

    private static DataFormatException Truncated(string path, int[] dims, int expected, long available, string source) =>
        new(path, "data",
            $"truncated: dims {Format(dims, dims.Length)} need {expected} data bytes, the {source} has {available} after the header" +
            (source == "file" ? "" : " (is the gzip file cut short?)"));

    private static DataFormatException Trailing(string path, int[] dims, int expected, long extra) =>
        new(path, "data",
            $"{extra} trailing byte(s) after the {expected} data bytes that dims {Format(dims, dims.Length)} describe");

    private static string Format(int[] dims, int count) => "[" + string.Join(", ", dims.Take(count)) + "]";

    private static string DataTypeName(byte dtype) => dtype switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX type code",
    };
}
