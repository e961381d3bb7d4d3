using SparseCore.Models.Data;

namespace SparseCore.Models.Tests.Data;

public class IdxDatasetTests
{
    [Fact]
    public void LoadsPairScalingPixelsToUnitRange()
    {
        using var temp = new TempFolder();
        byte[] pixels = [0, 255, 1, 128, 64, 200, 3, 4, 5, 6, 7, 8];
        string images = temp.Write("img.gz", Idx.Gzip(Idx.Encode([2, 2, 3], pixels)));
        string labels = temp.Write("lab", Idx.Encode([2], [4, 0]));

        var set = IdxDataset.Load(images, labels, classCount: 5);

        Assert.Equal(2, set.Count);
        Assert.Equal((1, 2, 3), (set.Channels, set.Height, set.Width));
        Assert.Equal(6, set.SampleSize);
        Assert.Equal(5, set.ClassCount);
        Assert.Equal([4, 0], set.Labels.ToArray());
        Assert.Equal(pixels.Select(b => b / 255f).ToArray(), set.Images.ToArray());
        Assert.Equal(0f, set.Images[0]);
        Assert.Equal(1f, set.Images[1]);
        Assert.Equal(labels, set.Source);
    }

    [Fact]
    public void LabelOutOfRangeNamesLabelFileIndexAndValue()
    {
        using var temp = new TempFolder();
        string images = temp.Write("img", Idx.Encode([3, 2, 2], new byte[12]));
        string labels = temp.Write("labels-idx1-ubyte", Idx.Encode([3], [1, 9, 10]));

        var error = Assert.Throws<DataFormatException>(() => IdxDataset.Load(images, labels, classCount: 10));

        Assert.Contains(labels, error.Message);
        Assert.Contains("label[2] = 10", error.Message);
        Assert.Contains("[0, 10)", error.Message);
        Assert.Equal("label", error.Field);
    }

    [Fact]
    public void CountMismatchNamesBothFiles()
    {
        using var temp = new TempFolder();
        string images = temp.Write("five-images", Idx.Encode([5, 2, 2], new byte[20]));
        string labels = temp.Write("four-labels", Idx.Encode([4], [0, 1, 2, 3]));

        var error = Assert.Throws<DataFormatException>(() => IdxDataset.Load(images, labels, classCount: 10));

        Assert.Contains(images, error.Message);
        Assert.Contains(labels, error.Message);
        Assert.Contains("count mismatch", error.Message);
        Assert.Contains("5 images", error.Message);
        Assert.Contains("4 labels", error.Message);
    }

    [Fact]
    public void ImagesMustBeThreeDimensional()
    {
        using var temp = new TempFolder();
        string images = temp.Write("flat-images", Idx.Encode([2, 4], new byte[8]));
        string labels = temp.Write("labels", Idx.Encode([2], [0, 1]));

        var error = Assert.Throws<DataFormatException>(() => IdxDataset.Load(images, labels, classCount: 10));

        Assert.Contains(images, error.Message);
        Assert.Contains("3 dimensions", error.Message);
    }

    [Fact]
    public void LabelsMustBeOneDimensional()
    {
        using var temp = new TempFolder();
        string images = temp.Write("images", Idx.Encode([2, 2, 2], new byte[8]));
        string labels = temp.Write("labels-2d", Idx.Encode([2, 1], [0, 1]));

        var error = Assert.Throws<DataFormatException>(() => IdxDataset.Load(images, labels, classCount: 10));

        Assert.Contains(labels, error.Message);
        Assert.Contains("1 dimension", error.Message);
    }

    [Fact]
    public void MissingLabelFileIsNamed()
    {
        using var temp = new TempFolder();
        string images = temp.Write("images", Idx.Encode([2, 2, 2], new byte[8]));
        string labels = Path.Combine(temp.Path, "missing-labels");

        var error = Assert.Throws<DataFormatException>(() => IdxDataset.Load(images, labels, classCount: 10));

        Assert.Contains(labels, error.Message);
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void DatasetConstructorChecksLengths()
    {
        var error = Assert.Throws<DataFormatException>(() =>
            new ImageDataset(new float[11], [0, 1], channels: 1, height: 2, width: 3, classCount: 2, source: "synthetic"));
        Assert.Contains("synthetic", error.Message);
        Assert.Contains("12", error.Message);
        Assert.Contains("11", error.Message);
    }

    [Fact]
    public void DatasetConstructorChecksNegativeLabels()
    {
        var error = Assert.Throws<DataFormatException>(() =>
            new ImageDataset(new float[2], [0, -1], channels: 1, height: 1, width: 1, classCount: 2, source: "synthetic"));
        Assert.Contains("label[1] = -1", error.Message);
    }
}
