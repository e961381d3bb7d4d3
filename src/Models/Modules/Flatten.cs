using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>[N, ...] → [N, features].</summary>
public sealed class Flatten : Module
{
    public override Tensor Forward(Tensor x) => F.Flatten(x);
}
