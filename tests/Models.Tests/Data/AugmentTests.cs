using SparseCore.Models.Data;

namespace SparseCore.Models.Tests.Data;

public class AugmentTests
{
    // 2×5×7 image whose value encodes (channel, row, column), all nonzero.
    private const int C = 2, H = 5, W = 7;

    private static float[] Image() =>
        Enumerable.Range(0, C * H * W).Select(i => 1 + i / (W * H) * 100 + i / W % H * 10 + i % W).Select(v => (float)v).ToArray();

    private static float At(float[] image, int h, int w, int c, int y, int x) => image[(c * h + y) * w + x];

    private static float[] Run(AugmentPipeline pipeline, float[] image, int sample, long seed = 1, int epoch = 0)
    {
        var (c, h, w) = pipeline.OutputShape(C, H, W);
        var output = new float[c * h * w];
        pipeline.Apply(image, output, C, H, W, seed, epoch, sample);
        return output;
    }

    [Fact]
    public void FlippingTwiceIsTheIdentityAndOnceMirrorsEachRow()
    {
        var image = Image();
        var flip = new AugmentPipeline(new HorizontalFlip(1f));
        var once = Run(flip, image, 0);
        for (int c = 0; c < C; c++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    Assert.Equal(At(image, H, W, c, y, x), At(once, H, W, c, y, W - 1 - x));
        Assert.Equal(image, Run(new AugmentPipeline(new HorizontalFlip(1f), new HorizontalFlip(1f)), image, 0));
        Assert.Equal(image, Run(new AugmentPipeline(new HorizontalFlip(0f)), image, 0));
    }

    [Fact]
    public void RandomCropIsAWindowOfThePaddedImageWithZerosOutside()
    {
        var image = Image();
        var crop = new AugmentPipeline(new RandomCrop(H, W, padding: 2));
        var offsets = new HashSet<(int, int)>();
        for (int sample = 0; sample < 300; sample++)
        {
            var output = Run(crop, image, sample);
            // Locate the window: the offset for which every output pixel is the padded source pixel.
            var match = (from dy in Enumerable.Range(-2, 5)
                         from dx in Enumerable.Range(-2, 5)
                         where Matches(image, output, dy, dx)
                         select (dy, dx)).ToList();
            Assert.Single(match);
            offsets.Add(match[0]);
        }
        Assert.Equal(25, offsets.Count); // every offset in [-pad, pad]² occurs
    }

    private static bool Matches(float[] image, float[] output, int dy, int dx)
    {
        for (int c = 0; c < C; c++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    int sy = y + dy, sx = x + dx;
                    float expected = sy is >= 0 and < H && sx is >= 0 and < W ? At(image, H, W, c, sy, sx) : 0f;
                    if (At(output, H, W, c, y, x) != expected) return false;
                }
        return true;
    }

    [Fact]
    public void ToSizePadsCentredWithZerosWhenGrowing()
    {
        var image = Image();
        var padded = Run(new AugmentPipeline(new ToSize(8, 10)), image, 0); // +3 rows (1 top, 2 bottom), +3 columns
        for (int c = 0; c < C; c++)
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 10; x++)
                {
                    int sy = y - 1, sx = x - 1;
                    float expected = sy is >= 0 and < H && sx is >= 0 and < W ? At(image, H, W, c, sy, sx) : 0f;
                    Assert.Equal(expected, At(padded, 8, 10, c, y, x));
                }
    }

    [Fact]
    public void ToSizeResizesBilinearlyWithHalfPixelCentres()
    {
        // A linear ramp stays a ramp: downscaling 7 → 3 columns samples at source x = 2·(i + 0.5) − 0.5.
        var image = Image();
        var small = Run(new AugmentPipeline(new ToSize(H, 3)), image, 0);
        for (int c = 0; c < C; c++)
            for (int y = 0; y < H; y++)
                for (int i = 0; i < 3; i++)
                {
                    float sx = Math.Min((W / 3f) * (i + 0.5f) - 0.5f, W - 1);
                    Assert.Equal(At(image, H, W, c, y, 0) + sx, At(small, H, 3, c, y, i), 4);
                }
        // The same size is the identity.
        Assert.Equal(image, Run(new AugmentPipeline(new ToSize(H, W)), image, 0));
    }

    [Fact]
    public void DrawsDependOnSeedEpochAndSampleOnly()
    {
        var image = Image();
        var pipeline = new AugmentPipeline(new RandomCrop(H, W, 3), new HorizontalFlip());
        Assert.Equal(Run(pipeline, image, 5, seed: 2, epoch: 3), Run(pipeline, image, 5, seed: 2, epoch: 3));
        var outputs = new[] { Run(pipeline, image, 5, 2, 3), Run(pipeline, image, 6, 2, 3), Run(pipeline, image, 5, 2, 4), Run(pipeline, image, 5, 3, 3) };
        Assert.Equal(4, outputs.Select(o => string.Join(",", o)).Distinct().Count());
    }

    [Fact]
    public void CropLargerThanThePaddedImageIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new AugmentPipeline(new RandomCrop(12, 7, 1)).OutputShape(C, H, W));
        Assert.Contains("12×7 crop does not fit a 5×7 image padded by 1", e.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoaderAugmentsDeterministicallyWhateverThePrefetchTiming(bool prefetch)
    {
        var data = SyntheticDataset.Create(50, 1, 28, 28, 10, seed: 3);
        float[][] Epoch(bool slowConsumer, bool withPrefetch)
        {
            var pipeline = new AugmentPipeline(new ToSize(32, 32), new RandomCrop(32, 32, 4), new HorizontalFlip());
            using var loader = new DataLoader(data, 16, seed: 9, prefetch: withPrefetch, augment: pipeline);
            Assert.Equal((1, 32, 32), loader.SampleShape);
            var batches = new List<float[]>();
            foreach (var batch in loader.Epoch(2))
            {
                if (slowConsumer) Thread.Sleep(5);
                Assert.Equal((32, 32), (batch.Height, batch.Width));
                batches.Add(batch.Pixels.ToArray());
            }
            return batches.ToArray();
        }
        var reference = Epoch(false, withPrefetch: false);
        Assert.Equal(reference, Epoch(slowConsumer: true, prefetch));
        Assert.Equal(reference, Epoch(slowConsumer: false, prefetch));

        // Each row is its own sample's augmentation, whichever batch position it landed in.
        var pipeline = new AugmentPipeline(new ToSize(32, 32), new RandomCrop(32, 32, 4), new HorizontalFlip());
        using var loader = new DataLoader(data, 16, seed: 9, prefetch: prefetch, augment: pipeline);
        var first = loader.Epoch(2).First();
        var expected = new float[32 * 32];
        new AugmentPipeline(new ToSize(32, 32), new RandomCrop(32, 32, 4), new HorizontalFlip())
            .Apply(data.Image(first.Indices[3]), expected, 1, 28, 28, seed: 9, epoch: 2, sample: first.Indices[3]);
        Assert.Equal(expected, first.Pixels.Slice(3 * 1024, 1024).ToArray());
    }
}
