using System.Diagnostics;
using SparseCore.Models.Data;
using Xunit.Abstractions;

namespace SparseCore.Models.Tests.Data;

/// <summary>
/// Reads the installed Fashion-MNIST. Nothing is skipped: without the package these tests fail
/// with the loader's own message, which says how to install it.
/// </summary>
public class FashionMnistTests(ITestOutputHelper output)
{
    [Fact]
    public void LoadsTrainingSet()
    {
        var watch = Stopwatch.StartNew();
        var train = FashionMnist.Load(train: true);
        output.WriteLine($"loaded 60k training images in {watch.ElapsedMilliseconds} ms");

        Assert.Equal(60000, train.Count);
        Assert.Equal((1, 28, 28), (train.Channels, train.Height, train.Width));
        Assert.Equal(10, train.ClassCount);
        Assert.Equal(Enumerable.Repeat(6000, 10), train.ClassHistogram());
        Assert.Equal([9, 0, 0, 3, 0, 2, 7, 2, 5, 5], train.Labels[..10].ToArray());
        Assert.EndsWith("train-labels-idx1-ubyte.gz", train.Source);

        // Byte sum of the first image and the global maximum, computed independently (Python gzip).
        int firstImageByteSum = 0;
        foreach (float v in train.Image(0))
            firstImageByteSum += (int)MathF.Round(v * 255f);
        Assert.Equal(76247, firstImageByteSum);
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in train.Images)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        Assert.Equal(0f, min);
        Assert.Equal(1f, max);
    }

    [Fact]
    public void LoadsTestSet()
    {
        var test = FashionMnist.Load(FashionMnist.DefaultFolder, train: false);

        Assert.Equal(10000, test.Count);
        Assert.Equal((1, 28, 28), (test.Channels, test.Height, test.Width));
        Assert.Equal(Enumerable.Repeat(1000, 10), test.ClassHistogram());
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7], test.Labels[..10].ToArray());
        int firstImageByteSum = 0;
        foreach (float v in test.Image(0))
            firstImageByteSum += (int)MathF.Round(v * 255f);
        Assert.Equal(33456, firstImageByteSum);
    }

    [Fact]
    public void ClassNamesInLabelOrder()
    {
        Assert.Equal(10, FashionMnist.ClassNames.Count);
        Assert.Equal("T-shirt/top", FashionMnist.ClassNames[0]);
        Assert.Equal("Trouser", FashionMnist.ClassNames[1]);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
        Assert.Equal(FashionMnist.ClassNames, FashionMnist.Load(train: false).ClassNames);
    }

    [Fact]
    public void MissingFolderSaysHowToInstall()
    {
        string folder = Path.Combine(Path.GetTempPath(), "sparsecore-no-such-folder-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<DataFormatException>(() => FashionMnist.Load(folder, train: true));

        Assert.Contains(folder, error.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
        Assert.Contains("--data PATH", error.Message);
    }

    [Fact]
    public void FolderWithoutFilesNamesTheFile()
    {
        using var temp = new TempFolder();

        var error = Assert.Throws<DataFormatException>(() => FashionMnist.Load(temp.Path, train: false));

        Assert.Contains("t10k-images-idx3-ubyte", error.Message);
        Assert.Contains(temp.Path, error.Message);
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void AcceptsUncompressedFileNames()
    {
        using var temp = new TempFolder();
        byte[] pixels = Idx.Bytes(3 * 28 * 28, seed: 9);
        temp.Write("t10k-images-idx3-ubyte", Idx.Encode([3, 28, 28], pixels));
        temp.Write("t10k-labels-idx1-ubyte", Idx.Encode([3], [9, 0, 4]));

        var test = FashionMnist.Load(temp.Path, train: false);

        Assert.Equal(3, test.Count);
        Assert.Equal([9, 0, 4], test.Labels.ToArray());
        Assert.Equal(pixels[784] / 255f, test.Image(1)[0]);
    }

    [Fact]
    public void LabelTenIsRejected()
    {
        using var temp = new TempFolder();
        temp.Write("train-images-idx3-ubyte.gz", Idx.Gzip(Idx.Encode([2, 28, 28], new byte[2 * 784])));
        string labels = temp.Write("train-labels-idx1-ubyte.gz", Idx.Gzip(Idx.Encode([2], [3, 10])));

        var error = Assert.Throws<DataFormatException>(() => FashionMnist.Load(temp.Path, train: true));

        Assert.Contains(labels, error.Message);
        Assert.Contains("label[1] = 10", error.Message);
    }
}
