using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>torch.nn.AvgPool2d with a square window (padding counted in the divisor).</summary>
public sealed class AvgPool2d(int kernel, int stride, int padding = 0) : Module
{
    public int Kernel { get; } = kernel;
    public int Stride { get; } = stride;
    public int Padding { get; } = padding;

    protected override Tensor ForwardCore(Tensor x) => F.AvgPool2d(x, Kernel, Stride, Padding);

    public override Shape Trace(Shape input, ShapeTrace trace) => PoolTrace.Output("AvgPool2d", input, Kernel, Stride, Padding, trace);
}
