using SparseCore.Models.Data;

namespace SparseCore.Models.Tests.Data;

public class SyntheticDatasetTests
{
    [Fact]
    public void SameSeedSameImagesOtherSeedOtherImages()
    {
        var a = SyntheticDataset.Create(37, 3, 5, 9, 4, seed: 1);
        var b = SyntheticDataset.Create(37, 3, 5, 9, 4, seed: 1);
        var c = SyntheticDataset.Create(37, 3, 5, 9, 4, seed: 2);
        Assert.Equal(a.Images.ToArray(), b.Images.ToArray());
        Assert.Equal(a.Labels.ToArray(), b.Labels.ToArray());
        Assert.NotEqual(a.Images.ToArray(), c.Images.ToArray());
        Assert.Equal((37, 3, 5, 9, 4), (a.Count, a.Channels, a.Height, a.Width, a.ClassCount));
        Assert.All(a.Images.ToArray(), v => Assert.InRange(v, 0f, 1f));
        Assert.Equal([10, 9, 9, 9], a.ClassHistogram()); // balanced
        Assert.NotEqual(Enumerable.Range(0, 37).Select(i => i % 4), a.Labels.ToArray()); // and shuffled
    }

    [Fact]
    public void ImagesAreCloserToTheirOwnClassMean()
    {
        // Nearest class mean classifies most images: the classes are learnable.
        var data = SyntheticDataset.Create(400, 1, 8, 8, 5, seed: 7, noise: 0.3f);
        var means = new double[5, 64];
        var counts = data.ClassHistogram();
        for (int i = 0; i < data.Count; i++)
            for (int p = 0; p < 64; p++) means[data.Label(i), p] += data.Image(i)[p] / counts[data.Label(i)];
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            var image = data.Image(i).ToArray();
            int best = Enumerable.Range(0, 5).MinBy(k => Enumerable.Range(0, 64).Sum(p => Math.Pow(image[p] - means[k, p], 2)));
            if (best == data.Label(i)) correct++;
        }
        Assert.InRange(correct, 360, 400);
    }
}
