namespace SparseCore.Kernels.Diagnostics;

/// <summary>One kernel checked on a device: normwise error against the CPU reference.</summary>
public sealed record SelfTestResult(string Kernel, string Shape, double Error, double Tolerance, double Milliseconds)
{
    public bool Passed => Error <= Tolerance;
}
