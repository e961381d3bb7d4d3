using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Prompts;

/// <summary>
/// A learnable visual prompt on [N, C, H, W] images in [0, 1] pixel space, applied before the
/// backbone's own input normalisation. Its one trainable tensor is named "prompt" and starts at
/// zero. The output has the input's shape and lies in [0, 1] (torch.clamp semantics).
/// </summary>
public abstract class VisualPrompt : Module
{
    protected VisualPrompt(int channels, int height, int width)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"{GetType().Name}: image size must be positive, got {channels}×{height}×{width}");
        Channels = channels;
        Height = height;
        Width = width;
    }

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>The learnable prompt tensor V.</summary>
    public abstract Parameter Prompt { get; }

    protected sealed override Tensor ForwardCore(Tensor x)
    {
        CheckInput(x.Shape);
        return Apply(x);
    }

    protected abstract Tensor Apply(Tensor x);

    /// <summary>A prompt adds no multiply-accumulates worth counting and keeps the image's shape.</summary>
    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        CheckInput(input);
        return input;
    }

    private void CheckInput(Shape s)
    {
        if (s.Rank != 4 || s[1] != Channels || s[2] != Height || s[3] != Width)
            throw new TensorShapeException(GetType().Name, $"expects images [N, {Channels}, {Height}, {Width}], got {s}");
    }

    /// <summary>clamp(x + d, 0, 1) for x [N, C, H, W] and one image-sized d [C, H, W] added to every sample.</summary>
    protected static Tensor AddClamped(Tensor x, Tensor d)
    {
        var flat = F.Reshape(x, new Shape(x.Shape[0], x.Size / x.Shape[0]));
        var sum = F.Add(flat, F.Reshape(d, new Shape(d.Size)));
        return F.Reshape(F.Clamp(sum, 0f, 1f), x.Shape);
    }

    /// <summary>The default frame width: 16 px at 224 px scaled to the image's shorter side, at least 1 (2 at 28–32 px).</summary>
    public static int DefaultPad(int height, int width) =>
        Math.Max(1, (int)Math.Round(16.0 * Math.Min(height, width) / 224.0, MidpointRounding.AwayFromZero));

    /// <summary>[C, H, W] with 1 on a frame of width <paramref name="pad"/> and 0 inside it.</summary>
    protected static float[] FrameMask(int channels, int height, int width, int pad)
    {
        var mask = new float[channels * height * width];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    bool border = y < pad || y >= height - pad || x < pad || x >= width - pad;
                    mask[(c * height + y) * width + x] = border ? 1f : 0f;
                }
        return mask;
    }

    protected static void CheckPad(string kind, int pad, int height, int width)
    {
        if (pad < 1 || 2 * pad >= Math.Min(height, width))
            throw new ArgumentException($"{kind}: the frame width must be at least 1 and leave a centre in {height}×{width}, got {pad}");
    }
}
