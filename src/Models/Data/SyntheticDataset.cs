namespace SparseCore.Models.Data;

/// <summary>
/// A labelled image set made from a seed alone, for tests, benchmarks and smoke runs without files:
/// each class has its own smooth pattern (a per-channel sinusoid whose frequencies and phase are
/// drawn for the class), and each image is its class's pattern plus uniform noise, clamped to
/// [0, 1]. Classes are balanced and shuffled. Learnable, but not trivially so when the noise is
/// large; the same arguments always give the same pixels.
/// </summary>
public static class SyntheticDataset
{
    // Streams of the seed: one per class pattern, one for the label order, one per image's noise.
    private const long PatternStream = 0x5A7_0001, LabelStream = 0x5A7_0002, NoiseStream = 0x5A7_0003;

    public static ImageDataset Create(int count, int channels, int height, int width, int classes, long seed, float noise = 0.3f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(noise);
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"SyntheticDataset: image shape {channels}×{height}×{width} has a dimension ≤ 0");

        int size = checked(channels * height * width);
        var patterns = new float[checked(classes * size)];
        for (int c = 0; c < classes; c++)
        {
            var random = new SplitMix64(seed, PatternStream, c);
            var pattern = patterns.AsSpan(c * size, size);
            for (int ch = 0; ch < channels; ch++)
            {
                // Up to two cycles across the image in each direction, any phase, any contrast in [0.2, 0.45].
                float fy = (random.NextFloat() * 4 - 2) * MathF.PI / height;
                float fx = (random.NextFloat() * 4 - 2) * MathF.PI / width;
                float phase = random.NextFloat() * 2 * MathF.PI;
                float amplitude = 0.2f + 0.25f * random.NextFloat();
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                        pattern[(ch * height + y) * width + x] = 0.5f + amplitude * MathF.Sin(fy * y + fx * x + phase);
            }
        }

        // A permutation taken modulo the class count: balanced classes in a seeded order.
        var labels = SeededPermutation.Create(count, seed, LabelStream);
        for (int i = 0; i < count; i++) labels[i] %= classes;
        var images = new float[checked(count * size)];
        for (int i = 0; i < count; i++)
        {
            var random = new SplitMix64(seed, NoiseStream, i);
            var pattern = patterns.AsSpan(labels[i] * size, size);
            var image = images.AsSpan(i * size, size);
            for (int p = 0; p < size; p++)
                image[p] = Math.Clamp(pattern[p] + noise * (2 * random.NextFloat() - 1), 0f, 1f);
        }
        return new ImageDataset(images, labels, channels, height, width, classes,
            $"synthetic(count={count}, shape={channels}×{height}×{width}, classes={classes}, seed={seed}, noise={noise})");
    }
}
