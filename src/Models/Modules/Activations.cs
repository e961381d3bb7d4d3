using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor x) => F.Relu(x);
}

public sealed class GELU : Module
{
    public override Tensor Forward(Tensor x) => F.Gelu(x);
}
