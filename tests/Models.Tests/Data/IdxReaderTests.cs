using SparseCore.Models.Data;

namespace SparseCore.Models.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RoundTripsImagesExactly(bool gzip)
    {
        using var temp = new TempFolder();
        int[] dims = [5, 3, 4];
        byte[] data = Idx.Bytes(5 * 3 * 4, seed: 1);
        byte[] raw = Idx.Encode(dims, data);
        string path = temp.Write("images.idx", gzip ? Idx.Gzip(raw) : raw);

        var file = IdxReader.Read(path);

        Assert.Equal(path, file.Path);
        Assert.Equal(0x08, file.DataType);
        Assert.Equal(dims, file.Dimensions);
        Assert.Equal(data, file.Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RoundTripsLabelsExactly(bool gzip)
    {
        using var temp = new TempFolder();
        byte[] data = [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 255];
        byte[] raw = Idx.Encode([data.Length], data);
        string path = temp.Write("labels", gzip ? Idx.Gzip(raw) : raw);

        var file = IdxReader.Read(path);

        Assert.Equal([data.Length], file.Dimensions);
        Assert.Equal(data, file.Data);
    }

    [Fact]
    public void DetectsGzipByMagicNotByName()
    {
        using var temp = new TempFolder();
        byte[] data = Idx.Bytes(2 * 7, seed: 2);
        byte[] raw = Idx.Encode([2, 7], data);
        string gzipWithoutSuffix = temp.Write("compressed-idx", Idx.Gzip(raw));
        string rawWithGzSuffix = temp.Write("plain.gz", raw);

        Assert.Equal(data, IdxReader.Read(gzipWithoutSuffix).Data);
        Assert.Equal(data, IdxReader.Read(rawWithGzSuffix).Data);
    }

    [Fact]
    public void ReadsLargeGzipWhoseSizeHintIsWrong()
    {
        // Two gzip members back to back: ISIZE in the trailer covers only the last one, so the
        // reader must grow its buffer rather than trust the hint.
        using var temp = new TempFolder();
        byte[] data = Idx.Bytes(40_000_000, seed: 3);
        byte[] raw = Idx.Encode([40_000_000], data);
        int split = 1000;
        byte[] first = Idx.Gzip(raw[..split]);
        byte[] second = Idx.Gzip(raw[split..]);
        string path = temp.Write("two-members.gz", [.. first, .. second]);

        var file = IdxReader.Read(path);

        Assert.Equal(data.Length, file.Data.Length);
        Assert.True(data.AsSpan().SequenceEqual(file.Data));
    }
}
