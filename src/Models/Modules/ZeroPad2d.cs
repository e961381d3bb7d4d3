using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>torch.nn.ZeroPad2d with the same padding on all four sides of [N, C, H, W].</summary>
public sealed class ZeroPad2d : Module
{
    public ZeroPad2d(int padding)
    {
        if (padding <= 0) throw new ArgumentException($"ZeroPad2d: padding must be positive, got {padding}");
        Padding = padding;
    }

    public int Padding { get; }

    protected override Tensor ForwardCore(Tensor x)
    {
        if (x.Rank != 4) throw new TensorShapeException("ZeroPad2d", $"needs x [N, C, H, W], got {x.Shape}");
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], p = Padding;
        var rows = Tensor.Zeros(x.Backend, new Shape(n, c, p, w));
        var tall = F.Concat([rows, x, rows], 2);
        var cols = Tensor.Zeros(x.Backend, new Shape(n, c, h + 2 * p, p));
        return F.Concat([cols, tall, cols], 3);
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        if (input.Rank != 4) throw new TensorShapeException($"ZeroPad2d '{trace.Name}'", $"needs [N, C, H, W], got {input}");
        return new Shape(input[0], input[1], input[2] + 2 * Padding, input[3] + 2 * Padding);
    }
}
