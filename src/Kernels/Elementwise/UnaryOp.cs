namespace SparseCore.Kernels.Elementwise;

/// <summary>
/// Pointwise functions. Gelu is the tanh approximation (PyTorch's approximate='tanh'): it needs
/// only tanh, which every backend has, where the erf form would need an erf intrinsic on CUDA.
/// Sign is −1, 0 or 1 (±0 and NaN pass through) with derivative 0: network slimming's subgradient
/// λ·sign(γ), made on the device so the penalty does not read γ back every step.
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
    Sign,
}
