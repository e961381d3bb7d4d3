using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>torch.nn.MaxPool2d with a square window.</summary>
public sealed class MaxPool2d(int kernel, int stride, int padding = 0) : Module
{
    public int Kernel { get; } = kernel;
    public int Stride { get; } = stride;
    public int Padding { get; } = padding;

    protected override Tensor ForwardCore(Tensor x) => F.MaxPool2d(x, Kernel, Stride, Padding);

    public override Shape Trace(Shape input, ShapeTrace trace) => PoolTrace.Output("MaxPool2d", input, Kernel, Stride, Padding, trace);
}
