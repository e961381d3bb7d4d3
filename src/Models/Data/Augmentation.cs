namespace SparseCore.Models.Data;

/// <summary>
/// One image transform of an <see cref="AugmentPipeline"/>: reads a C×H×W image, writes one of
/// <see cref="OutputShape"/>. Random transforms draw from the generator they are handed, which the
/// pipeline keys by (seed, epoch, sample), so the result never depends on which thread ran it or when.
/// </summary>
public abstract class Augmentation
{
    public abstract (int Channels, int Height, int Width) OutputShape(int channels, int height, int width);

    internal abstract void Apply(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width,
        ref SplitMix64 random);
}

/// <summary>
/// Zero-pads by <see cref="Padding"/> on every side, then crops a random <see cref="Height"/>×<see cref="Width"/>
/// window (torchvision's RandomCrop(size, padding)); pad 4 → crop 32 is the usual CIFAR recipe.
/// </summary>
public sealed class RandomCrop : Augmentation
{
    public RandomCrop(int height, int width, int padding)
    {
        if (height <= 0 || width <= 0 || padding < 0)
            throw new ArgumentException($"RandomCrop: size {height}×{width} must be positive and padding {padding} ≥ 0");
        (Height, Width, Padding) = (height, width, padding);
    }

    public int Height { get; }
    public int Width { get; }
    public int Padding { get; }

    public override (int Channels, int Height, int Width) OutputShape(int channels, int height, int width)
    {
        if (height + 2 * Padding < Height || width + 2 * Padding < Width)
            throw new ArgumentException(
                $"RandomCrop: a {Height}×{Width} crop does not fit a {height}×{width} image padded by {Padding}");
        return (channels, Height, Width);
    }

    internal override void Apply(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width,
        ref SplitMix64 random)
    {
        // Window origin in the source's coordinates (negative = inside the padding).
        int top = (int)random.Bounded((uint)(height + 2 * Padding - Height + 1)) - Padding;
        int left = (int)random.Bounded((uint)(width + 2 * Padding - Width + 1)) - Padding;
        Window(source, destination, channels, height, width, Height, Width, top, left);
    }

    /// <summary>Copies the out-height×out-width window at (top, left) of each plane, zeros outside the source.</summary>
    internal static void Window(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width,
        int outHeight, int outWidth, int top, int left)
    {
        int x0 = Math.Max(0, -left), x1 = Math.Min(outWidth, width - left);
        for (int c = 0; c < channels; c++)
        {
            for (int y = 0; y < outHeight; y++)
            {
                var row = destination.Slice((c * outHeight + y) * outWidth, outWidth);
                int sy = top + y;
                if (sy < 0 || sy >= height || x1 <= x0)
                {
                    row.Clear();
                    continue;
                }
                row[..x0].Clear();
                source.Slice((c * height + sy) * width + left + x0, x1 - x0).CopyTo(row[x0..]);
                row[x1..].Clear();
            }
        }
    }
}

/// <summary>Mirrors the image left to right with probability <see cref="Probability"/>.</summary>
public sealed class HorizontalFlip(float probability = 0.5f) : Augmentation
{
    public float Probability { get; } = probability is >= 0 and <= 1
        ? probability
        : throw new ArgumentException($"HorizontalFlip: probability must be in [0, 1], got {probability}");

    public override (int Channels, int Height, int Width) OutputShape(int channels, int height, int width) =>
        (channels, height, width);

    internal override void Apply(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width,
        ref SplitMix64 random)
    {
        // Always draw, so the draws of later transforms do not depend on this one's outcome.
        bool flip = random.NextFloat() < Probability;
        if (!flip)
        {
            source.CopyTo(destination);
            return;
        }
        for (int r = 0; r < channels * height; r++)
        {
            var from = source.Slice(r * width, width);
            var to = destination.Slice(r * width, width);
            for (int x = 0; x < width; x++) to[x] = from[width - 1 - x];
        }
    }
}

/// <summary>
/// Brings every image to <see cref="Height"/>×<see cref="Width"/>: zero-padding centred (any odd
/// pixel at the bottom/right) when the target is at least as large in both directions, e.g.
/// Fashion-MNIST's 28 px to the 32 px a CIFAR backbone expects, so no pixel is resampled;
/// otherwise a bilinear resize with half-pixel centres (PyTorch's interpolate, align_corners=False).
/// </summary>
public sealed class ToSize : Augmentation
{
    public ToSize(int height, int width)
    {
        if (height <= 0 || width <= 0)
            throw new ArgumentException($"ToSize: target {height}×{width} must be positive");
        (Height, Width) = (height, width);
    }

    public int Height { get; }
    public int Width { get; }

    public override (int Channels, int Height, int Width) OutputShape(int channels, int height, int width) =>
        (channels, Height, Width);

    internal override void Apply(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width,
        ref SplitMix64 random)
    {
        if (Height >= height && Width >= width)
            RandomCrop.Window(source, destination, channels, height, width, Height, Width,
                top: -((Height - height) / 2), left: -((Width - width) / 2));
        else
            Bilinear(source, destination, channels, height, width);
    }

    private void Bilinear(ReadOnlySpan<float> source, Span<float> destination, int channels, int height, int width)
    {
        float scaleY = (float)height / Height, scaleX = (float)width / Width;
        for (int y = 0; y < Height; y++)
        {
            var (y0, y1, wy) = Taps(y, scaleY, height);
            for (int x = 0; x < Width; x++)
            {
                var (x0, x1, wx) = Taps(x, scaleX, width);
                for (int c = 0; c < channels; c++)
                {
                    var plane = source.Slice(c * height * width, height * width);
                    float top = plane[y0 * width + x0] * (1 - wx) + plane[y0 * width + x1] * wx;
                    float bottom = plane[y1 * width + x0] * (1 - wx) + plane[y1 * width + x1] * wx;
                    destination[(c * Height + y) * Width + x] = top * (1 - wy) + bottom * wy;
                }
            }
        }
    }

    private static (int Low, int High, float Weight) Taps(int index, float scale, int size)
    {
        float s = Math.Max(0f, (index + 0.5f) * scale - 0.5f);
        int low = Math.Min((int)s, size - 1);
        int high = Math.Min(low + 1, size - 1);
        return (low, high, s - low);
    }
}
