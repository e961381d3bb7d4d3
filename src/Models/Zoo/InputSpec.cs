using SparseCore.Models.Modules;

namespace SparseCore.Models.Zoo;

/// <summary>
/// What a backbone is built for: image channels (1 or 3), height, width, and the pixel mean and
/// standard deviation its first layer normalises with (one value, or one per channel).
/// </summary>
public sealed record InputSpec(int Channels, int Height, int Width, float[] Mean, float[] Std)
{
    /// <summary>Fashion-MNIST's statistics for 1 channel, CIFAR-10's for 3.</summary>
    public static InputSpec For(int channels, int height, int width)
    {
        if (channels is not (1 or 3)) throw new ArgumentException($"input channels must be 1 or 3, got {channels}");
        if (height <= 0 || width <= 0) throw new ArgumentException($"input size must be positive, got {height}×{width}");
        return channels == 1
            ? new InputSpec(1, height, width, [ModelZoo.FashionMnistMean], [ModelZoo.FashionMnistStd])
            : new InputSpec(3, height, width, [0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]);
    }

    public Normalize CreateNormalize() => new(Mean, Std);
}
