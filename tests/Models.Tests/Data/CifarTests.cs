using SparseCore.Models.Data;

namespace SparseCore.Models.Tests.Data;

public class CifarTests
{
    // A record whose pixels encode (record, channel, position) so a misplaced byte shows.
    private static byte[] Records(int count, int labelBytes, Func<int, int, byte> label)
    {
        int size = labelBytes + Cifar.PixelBytes;
        var bytes = new byte[count * size];
        for (int r = 0; r < count; r++)
        {
            for (int l = 0; l < labelBytes; l++) bytes[r * size + l] = label(r, l);
            for (int p = 0; p < Cifar.PixelBytes; p++) bytes[r * size + labelBytes + p] = (byte)(r * 31 + p / 1024 * 7 + p % 1024);
        }
        return bytes;
    }

    private static float Pixel(int record, int channel, int y, int x) => (byte)(record * 31 + channel * 7 + y * 32 + x) / 255f;

    [Fact]
    public void Cifar10BatchesConcatenateAsNchwInUnitRange()
    {
        using var temp = new TempFolder();
        string folder = Path.Combine(temp.Path, "cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        for (int b = 0; b < 5; b++)
            File.WriteAllBytes(Path.Combine(folder, Cifar.Cifar10TrainFiles[b]), Records(2, 1, (r, _) => (byte)(b * 2 + r)));
        File.WriteAllBytes(Path.Combine(folder, Cifar.Cifar10TestFile), Records(3, 1, (r, _) => (byte)(9 - r)));

        Assert.True(Cifar.TryDetect(temp.Path, out var kind, out string found));
        Assert.Equal((CifarKind.Cifar10, folder), (kind, found));
        var train = DataFolder.Load(temp.Path, train: true);
        Assert.Equal((10, 3, 32, 32, 10), (train.Count, train.Channels, train.Height, train.Width, train.ClassCount));
        Assert.Equal(Enumerable.Range(0, 10), train.Labels.ToArray());
        Assert.Equal("airplane", train.ClassNames[0]);
        var image = train.Image(1);
        Assert.Equal(Pixel(1, 2, 3, 5), image[2 * 1024 + 3 * 32 + 5]);
        Assert.Equal(Pixel(1, 0, 31, 31), image[1023]);

        var test = Cifar.Load(folder, train: false);
        Assert.Equal([9, 8, 7], test.Labels.ToArray());
        Assert.Equal(Pixel(2, 1, 0, 4), test.Image(2)[1024 + 4]);
    }

    [Fact]
    public void Cifar100GivesFineOrCoarseLabels()
    {
        using var temp = new TempFolder();
        temp.Write(Cifar.Cifar100TrainFile, Records(4, 2, (r, l) => (byte)(l == 0 ? r * 5 : 99 - r)));
        Assert.True(Cifar.TryDetect(temp.Path, out var kind, out _));
        Assert.Equal(CifarKind.Cifar100, kind);

        var fine = Cifar.Load(temp.Path, train: true);
        Assert.Equal((4, 100), (fine.Count, fine.ClassCount));
        Assert.Equal([99, 98, 97, 96], fine.Labels.ToArray());
        Assert.Equal(Pixel(3, 2, 1, 1), fine.Image(3)[2 * 1024 + 33]);
        var coarse = Cifar.Load(temp.Path, train: true, coarse: true);
        Assert.Equal(20, coarse.ClassCount);
        Assert.Equal([0, 5, 10, 15], coarse.Labels.ToArray());
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 2 * 3073 + 1)]
    [InlineData(false, 2 * 3073 - 1)]
    [InlineData(true, 3073)]   // a CIFAR-10 record in a CIFAR-100 file
    [InlineData(true, 2 * 3074 - 1)]
    public void SizeNotAMultipleOfTheRecordNamesFileAndRecordSize(bool hundred, int length)
    {
        using var temp = new TempFolder();
        int record = hundred ? Cifar.Cifar100RecordSize : Cifar.Cifar10RecordSize;
        string path = temp.Write(hundred ? "test.bin" : "test_batch.bin", new byte[length]);

        var e = Assert.Throws<DataFormatException>(() => Cifar.Load(temp.Path, train: false));
        Assert.Equal((path, "file size"), (e.Path, e.Field));
        Assert.Contains($"{length} bytes is not a positive multiple of the {record}-byte", e.Problem);
    }

    [Theory]
    [InlineData(false, 0, 10, "label")]
    [InlineData(true, 0, 20, "coarse label")]
    [InlineData(true, 1, 100, "fine label")]
    public void LabelOutOfRangeNamesFileRecordAndField(bool hundred, int labelByte, int bad, string field)
    {
        using var temp = new TempFolder();
        var bytes = Records(3, hundred ? 2 : 1, (r, l) => (byte)(r == 2 && l == labelByte ? bad : 1));
        string path = temp.Write(hundred ? "test.bin" : "test_batch.bin", bytes);

        var e = Assert.Throws<DataFormatException>(() => Cifar.Load(temp.Path, train: false));
        Assert.Equal((path, field), (e.Path, e.Field));
        Assert.Contains($"record 2 has {field} {bad}", e.Problem);
    }

    [Fact]
    public void MissingBatchAndUnknownFolderAreNamed()
    {
        using var temp = new TempFolder();
        temp.Write(Cifar.Cifar10TestFile, Records(1, 1, (_, _) => 0));
        var missing = Assert.Throws<DataFormatException>(() => Cifar.Load(temp.Path, train: true));
        Assert.Equal((Path.Combine(temp.Path, "data_batch_1.bin"), "file"), (missing.Path, missing.Field));

        using var empty = new TempFolder();
        var none = Assert.Throws<DataFormatException>(() => Cifar.Load(empty.Path, train: true));
        Assert.Equal((empty.Path, "folder"), (none.Path, none.Field));
    }
}
