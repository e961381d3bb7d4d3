namespace SparseCore.Kernels.Elementwise;

/// <summary>
/// Pointwise functions. Gelu is the tanh approximation (PyTorch's approximate='tanh'): it needs
/// only tanh, which every backend has, where the erf form would need an erf intrinsic on CUDA.
/// </summary>
public enum UnaryOp
{
    Neg,
    Relu,
    Sigmoid,
    Tanh,
    Exp,
    Log,
    Gelu,
}
