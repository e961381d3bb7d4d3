using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>[N, ...] → [N, features].</summary>
public sealed class Flatten : Module
{
    protected override Tensor ForwardCore(Tensor x) => F.Flatten(x);

    public override Shape Trace(Shape input, ShapeTrace trace) => new(input[0], input.Product(1, input.Rank));
}
