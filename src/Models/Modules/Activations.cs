using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

public sealed class ReLU : Module
{
    protected override Tensor ForwardCore(Tensor x) => F.Relu(x);
}

public sealed class GELU : Module
{
    protected override Tensor ForwardCore(Tensor x) => F.Gelu(x);
}
