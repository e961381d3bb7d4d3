namespace SparseCore.Kernels.Gemm;

/// <summary>Which implementation <see cref="CpuGemm"/> runs; tests force each one.</summary>
internal enum GemmPath
{
    /// <summary>Naive below the size cut-off, else the widest supported micro-kernel.</summary>
    Auto,
    Naive,
    Avx512,
    Avx2,
    Vector128,
}
