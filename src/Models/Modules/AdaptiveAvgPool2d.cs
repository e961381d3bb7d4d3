using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// torch.nn.AdaptiveAvgPool2d to a square output [N, C, s, s]. Size 1 is the global average pool;
/// an input already s × s passes through (VGG's 7 × 7 at 224 px); otherwise the input's sides must
/// be equal multiples of s, where the adaptive windows are plain non-overlapping averages.
/// </summary>
public sealed class AdaptiveAvgPool2d : Module
{
    public AdaptiveAvgPool2d(int outputSize)
    {
        if (outputSize <= 0) throw new ArgumentException($"AdaptiveAvgPool2d: output size must be positive, got {outputSize}");
        OutputSize = outputSize;
    }

    public int OutputSize { get; }

    protected override Tensor ForwardCore(Tensor x)
    {
        int window = Window(x.Shape, "AdaptiveAvgPool2d");
        if (OutputSize == 1) return F.Reshape(F.GlobalAvgPool(x), new Shape(x.Shape[0], x.Shape[1], 1, 1));
        return window == 1 ? x : F.AvgPool2d(x, window, window);
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        Window(input, $"AdaptiveAvgPool2d '{trace.Name}'");
        return new Shape(input[0], input[1], OutputSize, OutputSize);
    }

    private int Window(Shape input, string op)
    {
        if (input.Rank != 4) throw new TensorShapeException(op, $"needs [N, C, H, W], got {input}");
        if (OutputSize == 1) return input[2];
        if (input[2] != input[3] || input[2] % OutputSize != 0)
            throw new TensorShapeException(op, $"output {OutputSize}×{OutputSize} needs a square input whose side is a multiple of {OutputSize}, got {input}");
        return input[2] / OutputSize;
    }
}
