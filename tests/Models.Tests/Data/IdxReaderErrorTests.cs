using SparseCore.Models.Data;

namespace SparseCore.Models.Tests.Data;

/// <summary>
/// Each malformed file must fail with a <see cref="DataFormatException"/> whose message names the
/// file and the field at fault — never an IndexOutOfRange or a raw decoder exception.
/// </summary>
public class IdxReaderErrorTests
{
    private static DataFormatException AssertFails(string path, params string[] words)
    {
        var error = Assert.Throws<DataFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Equal(path, error.Path);
        foreach (string word in words)
            Assert.Contains(word, error.Message, StringComparison.OrdinalIgnoreCase);
        return error;
    }

    private static string Write(TempFolder temp, string name, byte[] raw, bool gzip) =>
        temp.Write(name + (gzip ? ".gz" : ""), gzip ? Idx.Gzip(raw) : raw);

    [Fact]
    public void MissingFile()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "no-such-images-idx3-ubyte.gz");
        var error = AssertFails(path, "file", "not found");
        Assert.Equal("file", error.Field);
    }

    [Fact]
    public void DirectoryInsteadOfFile()
    {
        using var temp = new TempFolder();
        AssertFails(temp.Path, "file", "directory");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EmptyFile(bool gzip)
    {
        using var temp = new TempFolder();
        AssertFails(Write(temp, "empty", [], gzip), "header", "truncated");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedHeaderBeforeRank(bool gzip)
    {
        using var temp = new TempFolder();
        AssertFails(Write(temp, "short", [0, 0, 8], gzip), "header", "truncated");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedHeaderInDimensions(bool gzip)
    {
        using var temp = new TempFolder();
        string path = Write(temp, "short-dims", [0, 0, 8, 3, 0, 0, 0, 5, 0, 0], gzip);
        var error = AssertFails(path, "header", "truncated", "ndim=3");
        Assert.Equal("header", error.Field);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WrongMagic(bool gzip)
    {
        using var temp = new TempFolder();
        byte[] raw = Idx.Encode([2], [1, 2]);
        raw[0] = 0x50;
        raw[1] = 0x4B;
        var error = AssertFails(Write(temp, "zip-not-idx", raw, gzip), "magic", "0x50 0x4B");
        Assert.Equal("magic", error.Field);
    }

    [Theory]
    [InlineData(0x0D, "float32")]
    [InlineData(0x0C, "int32")]
    [InlineData(0x42, "not an IDX type code")]
    public void UnsupportedDtype(byte dtype, string name)
    {
        using var temp = new TempFolder();
        string path = temp.Write("floats", Idx.Encode([2], new byte[8], dtype));
        var error = AssertFails(path, "dtype", $"0x{dtype:X2}", name, "unsupported");
        Assert.Equal("dtype", error.Field);
    }

    [Fact]
    public void ZeroDimensions()
    {
        using var temp = new TempFolder();
        AssertFails(temp.Write("rank0", [0, 0, 8, 0]), "ndim", "0");
    }

    [Fact]
    public void AbsurdRank()
    {
        using var temp = new TempFolder();
        AssertFails(temp.Write("rank200", [0, 0, 8, 200, 0, 0, 0, 1]), "ndim", "200");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void NonPositiveDimension(int bad)
    {
        using var temp = new TempFolder();
        string path = temp.Write("bad-dim", Idx.Encode([3, bad, 2], []));
        var error = AssertFails(path, "dimension 1", bad.ToString());
        Assert.Equal("dimension 1", error.Field);
    }

    [Fact]
    public void DimensionsTooLargeForOneArray()
    {
        using var temp = new TempFolder();
        AssertFails(temp.Write("huge", Idx.Encode([100_000, 100_000, 100_000], [])), "dimensions", "more than");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedData(bool gzip)
    {
        using var temp = new TempFolder();
        byte[] raw = Idx.Encode([4, 5], Idx.Bytes(20, seed: 4));
        string path = Write(temp, "cut", raw[..^3], gzip);
        var error = AssertFails(path, "data", "truncated", "20", "17");
        Assert.Equal("data", error.Field);
    }

    [Fact]
    public void TruncatedDataClaimingGigabytesFailsWithoutAllocatingThem()
    {
        using var temp = new TempFolder();
        AssertFails(temp.Write("liar.gz", Idx.Gzip(Idx.Encode([2_000_000_000], [1, 2, 3]))), "data", "truncated");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrailingBytes(bool gzip)
    {
        using var temp = new TempFolder();
        byte[] raw = [.. Idx.Encode([4, 5], Idx.Bytes(20, seed: 5)), 1, 2, 3, 4, 5, 6, 7];
        string path = Write(temp, "extra", raw, gzip);
        var error = AssertFails(path, "data", "7 trailing");
        Assert.Equal("data", error.Field);
    }

    [Fact]
    public void CorruptGzipBlock()
    {
        using var temp = new TempFolder();
        byte[] gz = Idx.Gzip(Idx.Encode([64], Idx.Bytes(64, seed: 6)));
        // Byte 10 opens the first deflate block (after the 10-byte gzip header written without a
        // file name); 0b111 = final block of reserved type 3, which no decoder accepts.
        gz[10] = 0x07;
        var error = AssertFails(temp.Write("corrupt.gz", gz), "gzip", "corrupt");
        Assert.Equal("gzip stream", error.Field);
        Assert.IsType<InvalidDataException>(error.InnerException);
    }

    [Fact]
    public void CorruptGzipChecksum()
    {
        using var temp = new TempFolder();
        byte[] gz = Idx.Gzip(Idx.Encode([64], Idx.Bytes(64, seed: 7)));
        gz[^8] ^= 0xFF; // CRC32 of the trailer
        AssertFails(temp.Write("bad-crc.gz", gz), "gzip", "corrupt");
    }

    [Fact]
    public void GzipCutShort()
    {
        using var temp = new TempFolder();
        byte[] gz = Idx.Gzip(Idx.Encode([1000], Idx.Bytes(1000, seed: 8)));
        string path = temp.Write("cut.gz", gz[..(gz.Length / 2)]);
        // .NET's decoder just ends early here; the IDX header's size is what exposes the cut.
        AssertFails(path, "data", "truncated", "gzip");
    }

    [Fact]
    public void GzipCutInsideTheIdxHeader()
    {
        using var temp = new TempFolder();
        byte[] gz = Idx.Gzip(Idx.Encode([1000], Idx.Bytes(1000, seed: 8)));
        AssertFails(temp.Write("cut-early.gz", gz[..15]), "header", "truncated", "decompressed stream");
    }
}
